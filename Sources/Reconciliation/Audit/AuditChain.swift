#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The hash chain of an audit file, read as written: each line is one canonical JSON record with `seq` (1, 2, …) and
/// `prev`, the SHA-256 of the previous line's bytes (newline included; 64 zeros for the first), and ends with its own
/// `hash`: the SHA-256 of the line without that member (the bytes before `,"hash":` and a closing `}`), so a change to
/// the last record is seen even though no record follows it. Verification hashes the bytes on disk and never
/// re-serializes a record. Files written before records carried `hash` verify by the chain alone; once a record has
/// one, every later record must.
struct AuditChain {
    /// The `prev` of the first record.
    static let genesis = String(repeating: "0", count: 64)

    /// One complete line of the file.
    struct Line {
        /// 1-based line number.
        let number: Int
        /// Byte offset of the line's first byte.
        let offset: Int64
        /// The line's bytes without the newline.
        let bytes: [UInt8]
        /// SHA-256 of the bytes and the newline.
        let hash: String
    }

    /// What went wrong where.
    enum Problem: Equatable, CustomStringConvertible {
        case corrupt(line: Int, reason: String)
        case wrongSequence(line: Int, expected: Int, found: Int)
        case brokenLink(line: Int, seq: Int)
        case tornTail(line: Int, bytes: Int)
        case badRecordHash(line: Int, seq: Int)
        case missingRecordHash(line: Int, seq: Int)

        var description: String {
            switch self {
            case .corrupt(let line, let reason): "corrupt record at line \(line): \(reason)"
            case .wrongSequence(let line, let expected, let found):
                "broken chain at line \(line): expected seq \(expected), found seq \(found) (a record was deleted, inserted, duplicated or moved)"
            case .brokenLink(let line, let seq):
                "broken chain at seq \(seq) (line \(line)): `prev` is not the hash of the record before it (that record was changed)"
            case .tornTail(let line, let bytes):
                "torn tail: line \(line) is incomplete (\(bytes) bytes after the last complete record)"
            case .badRecordHash(let line, let seq):
                "record seq \(seq) (line \(line)) does not match its own `hash` (the record was changed)"
            case .missingRecordHash(let line, let seq):
                "record seq \(seq) (line \(line)) has no `hash`, unlike the records before it (the record was changed)"
            }
        }

        /// The line the problem is on.
        var line: Int {
            switch self {
            case .corrupt(let line, _), .wrongSequence(let line, _, _), .brokenLink(let line, _),
                .tornTail(let line, _), .badRecordHash(let line, _), .missingRecordHash(let line, _):
                line
            }
        }
    }

    /// The state after scanning: the head of the chain and where it ends.
    struct Head {
        /// The last good seq (0 when empty).
        var seq = 0
        /// The hash of the last good record.
        var hash = AuditChain.genesis
        /// Bytes up to and including the last complete line.
        var size: Int64 = 0
        /// Complete lines seen.
        var lines = 0
        /// Bytes after the last newline (a torn tail), if any.
        var tail: [UInt8] = []
        /// Whether records so far carry their own `hash` (every later one must).
        var hashed = false
        /// The run of the last record when that record belongs to a batch its checkpoint never sealed.
        var unsealedRun: String?
    }

    /// Reads every complete line of the open file from the start, calling `visit` with each line and its parsed
    /// record; stops at the first problem and returns it (a torn tail is reported only when nothing else is wrong).
    /// `from` starts the scan after a known record (its seq, hash and end) instead of at the beginning.
    static func scan(
        descriptor: Int32, file: String, from start: Head = Head(), visit: (Line, JSONElement) -> Void = { _, _ in }
    ) throws(ReconciliationError) -> (head: Head, problem: Problem?) {
        var head = start
        var pending: [UInt8] = []
        var offset: Int64 = start.size
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        defer { chunk.deallocate() }
        var position: Int64 = start.size
        while true {
            let count = pread(descriptor, chunk.baseAddress, chunk.count, off_t(position))
            if count < 0 {
                if errno == EINTR { continue }
                throw ReconciliationError(
                    .audit, "cannot read: \(systemErrorMessage(errno))", at: SourceLocation(file: file))
            }
            if count == 0 { break }
            position += Int64(count)
            var start = 0
            let bytes = UnsafeRawBufferPointer(rebasing: chunk[0..<count])
            while let newline = bytes[start...].firstIndex(of: 0x0A) {
                pending.append(contentsOf: bytes[start..<newline])
                start = newline + 1
                let lineNumber = head.lines + 1
                let lineOffset = offset
                offset += Int64(pending.count + 1)
                var hasher = InputHasher()
                (pending + [0x0A]).withUnsafeBytes { hasher.update($0) }
                let line = Line(number: lineNumber, offset: lineOffset, bytes: pending, hash: hasher.finalizeHex())
                pending.removeAll(keepingCapacity: true)
                head.lines = lineNumber
                if let problem = check(line, against: &head, visit: visit) { return (head, problem) }
                head.size = offset
            }
            pending.append(contentsOf: bytes[start...])
        }
        head.tail = pending
        if !pending.isEmpty { return (head, .tornTail(line: head.lines + 1, bytes: pending.count)) }
        return (head, nil)
    }

    private static func check(_ line: Line, against head: inout Head, visit: (Line, JSONElement) -> Void) -> Problem? {
        let record: JSONElement
        do {
            var parser = JSONStreamParser(source: BufferByteSource(line.bytes), displayPath: "line")
            record = try parser.document()
        } catch {
            return .corrupt(line: line.number, reason: error.message)
        }
        guard case .object = record.kind else { return .corrupt(line: line.number, reason: "not a JSON object") }
        guard let seqText = record["seq"]?.text, let seq = Int(seqText) else {
            return .corrupt(line: line.number, reason: "no `seq`")
        }
        guard seq == head.seq + 1 else { return .wrongSequence(line: line.number, expected: head.seq + 1, found: seq) }
        guard let prev = record["prev"]?.text else { return .corrupt(line: line.number, reason: "no `prev`") }
        guard prev == head.hash else { return .brokenLink(line: line.number, seq: seq) }
        switch ownHashMatches(line.bytes) {
        case true?: head.hashed = true
        case false?: return .badRecordHash(line: line.number, seq: seq)
        case nil where head.hashed: return .missingRecordHash(line: line.number, seq: seq)
        case nil: break
        }
        head.seq = seq
        head.hash = line.hash
        visit(line, record)
        return nil
    }

    /// The suffix every hashed record ends with before its 64 hex digits and `"}`.
    private static let hashMember = Array(#","hash":""#.utf8)

    /// Whether a line (without its newline) matches its own `hash` member; `nil` when it has none at its end.
    static func ownHashMatches(_ line: [UInt8]) -> Bool? {
        let suffix = hashMember.count + 64 + 2
        guard line.count > suffix, line[line.count - 2] == 0x22, line[line.count - 1] == 0x7D else { return nil }
        let memberStart = line.count - suffix
        guard Array(line[memberStart..<(memberStart + hashMember.count)]) == hashMember else { return nil }
        let written = String(decoding: line[(memberStart + hashMember.count)..<(line.count - 2)], as: UTF8.self)
        return hash(Array(line[..<memberStart]) + [0x7D]) == written
    }

    /// The writer's view before appending: only the end of the file is read — the last two complete records (the
    /// last must parse and chain to the one before it) and any torn bytes after them. Appending stays O(1) however
    /// long the file grows; the whole chain is `recon audit verify`'s to check.
    static func tail(descriptor: Int32, file: String) throws(ReconciliationError) -> (head: Head, problem: String?) {
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            throw ReconciliationError(
                .audit, "cannot stat: \(systemErrorMessage(errno))", at: SourceLocation(file: file))
        }
        let size = Int64(info.st_size)
        var head = Head()
        guard size > 0 else { return (head, nil) }
        // Read backwards until two newlines before the tail are in hand (or the file starts).
        var window: [UInt8] = []
        var start = size
        var newlines: [Int] = []
        while start > 0 {
            let count = Int(min(Int64(1 << 16), start))
            start -= Int64(count)
            var chunk = [UInt8](repeating: 0, count: count)
            let got = chunk.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(start)) }
            guard got == count else {
                throw ReconciliationError(
                    .audit, "cannot read: \(systemErrorMessage(errno))", at: SourceLocation(file: file))
            }
            window = chunk + window
            newlines = window.indices.filter { window[$0] == 0x0A }
            if newlines.count >= 3 { break }
        }
        guard let lastNewline = newlines.last else {
            head.tail = window
            return (head, nil)
        }
        head.tail = Array(window[(lastNewline + 1)...])
        head.size = start + Int64(lastNewline + 1)
        let lastStart = newlines.count >= 2 ? newlines[newlines.count - 2] + 1 : 0
        let last = Array(window[lastStart..<lastNewline])
        // Fewer than three newlines means the window starts at the beginning of the file.
        let previous: [UInt8]? =
            newlines.count >= 2
            ? Array(window[(newlines.count >= 3 ? newlines[newlines.count - 3] + 1 : 0)..<newlines[newlines.count - 2]])
            : nil
        let offset = start + Int64(lastStart)
        let record: JSONElement
        do {
            var parser = JSONStreamParser(source: BufferByteSource(last), displayPath: "record")
            record = try parser.document()
        } catch {
            return (head, "the last record (at byte \(offset)) is corrupt: \(error.message)")
        }
        guard let seqText = record["seq"]?.text, let seq = Int(seqText), let prev = record["prev"]?.text else {
            return (head, "the last record (at byte \(offset)) has no seq or prev")
        }
        if let previous {
            let previousHash = hash(previous + [0x0A])
            guard prev == previousHash else {
                return (head, "the last record (seq \(seq), at byte \(offset)) does not chain to the record before it")
            }
        } else {
            guard prev == genesis, seq == 1 else {
                return (head, "the only record (at byte 0) is not the first of a chain")
            }
        }
        if ownHashMatches(last) == nil, let previous, ownHashMatches(previous) != nil {
            return (head, "the last record (seq \(seq), at byte \(offset)) has no `hash`, unlike the one before it")
        }
        if ownHashMatches(last) == false {
            return (
                head, "the last record (seq \(seq), at byte \(offset)) does not match its own hash (it was changed)"
            )
        }
        head.seq = seq
        head.hash = hash(last + [0x0A])
        if record["sealed_by"] != nil, record["type"]?.text != "checkpoint" {
            head.unsealedRun = record["run_id"]?.text ?? ""
        }
        return (head, nil)
    }

    /// The bytes of one record line (with its newline) for `fields` at `seq` after `prev`.
    static func encode(_ fields: [String: JSONValue], seq: Int, prev: String) -> [UInt8] {
        var members = fields
        members["seq"] = .integer(seq)
        members["prev"] = .string(prev)
        members["hash"] = nil
        var body = Array(JSONValue.object(members).encoded().utf8)
        let own = hash(body)
        body.removeLast()
        return body + hashMember + Array(own.utf8) + [0x22, 0x7D, 0x0A]
    }

    /// SHA-256 hex of bytes.
    static func hash(_ bytes: [UInt8]) -> String {
        var hasher = InputHasher()
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finalizeHex()
    }
}

/// Hands out bytes held in memory.
package final class BufferByteSource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReconciliationError) -> Int {
        let count = min(buffer.count, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + count)]))
        }
        offset += count
        return count
    }
}

/// Follows the batches of an audit file record by record and says which runs completed: a `run_completed` counts
/// once the checkpoint its batch names (`sealed_by`) follows it; a batch that stops before its checkpoint (the writer
/// was killed, or cut back a failed write that could not be undone) completes nothing. Records written before batches
/// named their checkpoint count as written.
struct CompletionTracker {
    /// A completed run: where its batch ends, its `run_completed` record and its `input` records.
    struct Completion {
        let anchor: AuditAnchor
        let record: JSONElement
        let inputs: [JSONElement]
    }

    /// A completion whose batch never got its checkpoint.
    struct Unsealed {
        let runID: String
        let seal: Int
        let line: Int
    }

    private var open: (seal: Int, completed: JSONElement?, line: Int, inputs: [JSONElement])?

    /// Feeds the next record; returns a completion when this record seals one, and an unsealed completion when this
    /// record shows the open batch was cut short.
    mutating func visit(_ line: AuditChain.Line, _ record: JSONElement) -> (Completion?, Unsealed?) {
        let seq = Int(record["seq"]?.text ?? "") ?? 0
        let sealedBy = record["sealed_by"]?.text.flatMap { Int($0) }
        let type = record["type"]?.text
        var cut: Unsealed?
        if let batch = open,
            seq > batch.seal || (seq < batch.seal && sealedBy != batch.seal)
                || (seq == batch.seal && type != "checkpoint")
        {
            cut = unsealed()
            open = nil
        }
        if open == nil, let sealedBy { open = (sealedBy, nil, line.number, []) }
        let end = line.offset + Int64(line.bytes.count) + 1
        switch type {
        case "input":
            open?.inputs.append(record)
        case "run_completed" where sealedBy == nil:
            let anchor = AuditAnchor(runID: record["run_id"]?.text ?? "", seq: seq, hash: line.hash, end: end)
            return (Completion(anchor: anchor, record: record, inputs: []), cut)
        case "run_completed":
            open?.completed = record
            open?.line = line.number
        case "checkpoint":
            if let batch = open, batch.seal == seq {
                open = nil
                if let completed = batch.completed {
                    let anchor = AuditAnchor(
                        runID: completed["run_id"]?.text ?? "", seq: seq, hash: line.hash, end: end)
                    return (Completion(anchor: anchor, record: completed, inputs: batch.inputs), cut)
                }
            }
        default:
            break
        }
        return (nil, cut)
    }

    /// At the end of the file: the open batch, if it holds a completion, never got its checkpoint.
    mutating func finish() -> Unsealed? {
        defer { open = nil }
        return unsealed()
    }

    private func unsealed() -> Unsealed? {
        guard let batch = open, let completed = batch.completed else { return nil }
        return Unsealed(runID: completed["run_id"]?.text ?? "", seal: batch.seal, line: batch.line)
    }
}

extension AuditChain {
    /// The bytes of the line that ends exactly at byte `end` (its newline being byte `end - 1`), or `nil` when
    /// there is no such line.
    static func line(endingAt end: Int64, descriptor: Int32) -> [UInt8]? {
        guard end > 0 else { return nil }
        var last = [UInt8](repeating: 0, count: 1)
        guard last.withUnsafeMutableBytes({ pread(descriptor, $0.baseAddress, 1, off_t(end - 1)) }) == 1,
            last[0] == 0x0A
        else { return nil }
        var collected: [UInt8] = []
        var position = end - 1
        while position > 0 {
            let count = Int(min(Int64(1 << 16), position))
            var chunk = [UInt8](repeating: 0, count: count)
            guard
                chunk.withUnsafeMutableBytes({
                    pread(descriptor, $0.baseAddress, count, off_t(position - Int64(count)))
                })
                    == count
            else { return nil }
            if let newline = chunk.lastIndex(of: 0x0A) {
                return Array(chunk[(newline + 1)...]) + collected
            }
            collected = chunk + collected
            position -= Int64(count)
        }
        return collected
    }
}
