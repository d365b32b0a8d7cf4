import Foundation
package import Reconciliation

// What in-process fuzzing feeds bytes to (scripts/fuzz builds `recon-fuzz` around these with libFuzzer; `swift test`
// replays every kept crasher through them). Every target checks an invariant inside, so a wrong answer is a finding,
// not only a crash: reading the whole buffer at once equals reading it in chunks of 1 to 128 bytes (the chunk sizes
// drawn from the input itself), an amount formats and parses back to itself, an append keeps an intact audit file
// intact.

/// The targets, by name.
public enum FuzzTarget: String, CaseIterable, Sendable {
    case csv, json, camt, gzip, amount, job, audit

    /// Feeds one input to the target; returns the invariant it violated, if any (the fuzzer then stops and keeps the
    /// input; the replay test fails with it).
    public func run(_ bytes: [UInt8], scratch: String) -> String? {
        switch self {
        case .csv: fuzzCSV(bytes)
        case .json: fuzzJSON(bytes)
        case .camt: fuzzCamt(bytes)
        case .gzip: fuzzGzip(bytes)
        case .amount: fuzzAmount(bytes)
        case .job: fuzzJob(bytes, scratch: scratch)
        case .audit: fuzzAudit(bytes, scratch: scratch)
        }
    }
}

/// Hands out bytes held in memory, `chunks` bytes at a time (cycling), so a reader meets every buffer boundary.
package final class ChunkedSource: ByteSource {
    let bytes: [UInt8]
    let chunks: [Int]
    var offset = 0
    var call = 0
    /// What the source says is left (`nil`: it does not say); may be wrong on purpose.
    package let remainingBytesHint: Int64?

    /// Bytes handed out `chunks` bytes at a time (cycling); all at once when `chunks` is empty.
    package init(_ bytes: [UInt8], chunks: [Int] = [], hint: Int64? = nil) {
        self.bytes = bytes
        self.chunks = chunks
        remainingBytesHint = hint
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReconciliationError) -> Int {
        let size = chunks.isEmpty ? buffer.count : chunks[call % chunks.count]
        call += 1
        let count = min(buffer.count, size, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + count)]))
        }
        offset += count
        return count
    }
}

/// Chunk sizes 1…128 drawn from the input's first bytes.
func chunkSizes(_ bytes: [UInt8]) -> [Int] {
    let sizes = bytes.prefix(8).map { Int($0 % 128) + 1 }
    return sizes.isEmpty ? [1] : sizes
}

func scanCSV(_ source: any ByteSource) -> [String] {
    var scanner = CSVScanner(source: source, displayPath: "f.csv", chunkSize: 4096, maxRecordBytes: 1 << 16)
    var rows: [String] = []
    do {
        while try scanner.next() {
            rows.append((0..<scanner.fieldCount).map { scanner.string($0) }.joined(separator: "\u{1F}"))
        }
    } catch {
        rows.append("error: \(error.description)")
    }
    return rows
}

func fuzzCSV(_ bytes: [UInt8]) -> String? {
    let whole = scanCSV(ChunkedSource(bytes))
    let chunked = scanCSV(ChunkedSource(bytes, chunks: chunkSizes(bytes)))
    return whole == chunked ? nil : "CSV rows differ when read in chunks"
}

func parseJSON(_ source: any ByteSource) -> String {
    var parser = JSONStreamParser(source: source, displayPath: "f.json", maxValueBytes: 1 << 16, maxDepth: 64)
    do {
        return describe(try parser.document())
    } catch {
        return "error: \(error.description)"
    }
}

func describe(_ element: JSONElement) -> String {
    switch element.kind {
    case .null: "null"
    case .bool(let value): "\(value)"
    case .number(let text): "n:" + text
    case .string(let text): "s:" + text.debugDescription
    case .array(let items): "[" + items.map(describe).joined(separator: ",") + "]"
    case .object(let members):
        "{" + members.map { "\($0.key.debugDescription):\(describe($0.value))" }.joined(separator: ",") + "}"
    }
}

func fuzzJSON(_ bytes: [UInt8]) -> String? {
    let whole = parseJSON(ChunkedSource(bytes))
    let chunked = parseJSON(ChunkedSource(bytes, chunks: chunkSizes(bytes)))
    return whole == chunked ? nil : "JSON differs when read in chunks:\n\(whole)\n\(chunked)"
}

func readCamt(_ source: any ByteSource) -> String {
    guard let reader = StatementFormats.reader(named: "camt053") else { return "no camt053 reader" }
    let collector = RecordCollector(kind: .balances)
    var options = InputOptions(kind: .balances)
    options.venue = "bank"
    do throws(ReconciliationError) {
        try reader.read(source, path: "f.xml", options: options, into: collector)
    } catch {
        // libxml2's push parser reports some malformed documents at a place, and with a message, that depend on where
        // its input was split (found by this target: an encoding declaration `UTF.8` with invalid bytes after it).
        // What must not depend on it is the outcome: refused either way, or read to the same records and
        // diagnostics.
        return "refused"
    }
    return collector.diagnostics.map(\.description).joined(separator: "\n") + "\n\(collector.rowCount)"
}

func fuzzCamt(_ bytes: [UInt8]) -> String? {
    let whole = readCamt(ChunkedSource(bytes))
    let chunked = readCamt(ChunkedSource(bytes, chunks: chunkSizes(bytes)))
    return whole == chunked ? nil : "camt differs when read in chunks:\n\(whole)\n\(chunked)"
}

func inflate(_ source: ChunkedSource, engine: InflateEngineKind = .isal) -> [UInt8] {
    // Small caps keep each execution fast while still reaching the cap paths (a bomb stops at 256 KiB).
    let limits = InflateLimits(maxInflatedBytes: 1 << 18, maxRatio: 1000, ratioGraceBytes: 1 << 14)
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 4096, alignment: 16)
    defer { buffer.deallocate() }
    do throws(ReconciliationError) {
        let gzip = try GzipByteSource(
            upstream: source, displayPath: "f.gz", compressedSize: Int64(source.bytes.count), limits: limits,
            engine: engine, reopen: { ChunkedSource(source.bytes, chunks: source.chunks) })
        var output: [UInt8] = []
        while true {
            let count = try gzip.read(into: buffer)
            if count == 0 { return output }
            output += buffer[0..<count]
        }
    } catch {
        return Array("error: \(error.description)".utf8)
    }
}

func fuzzGzip(_ bytes: [UInt8]) -> String? {
    let whole = inflate(ChunkedSource(bytes))
    let chunked = inflate(ChunkedSource(bytes, chunks: chunkSizes(bytes)))
    if whole != chunked { return "gzip output differs when the stream arrives in chunks" }
    // ISA-L against zlib, the reference: the same bytes, or the same error.
    let reference = inflate(ChunkedSource(bytes), engine: .zlib)
    if whole == reference { return nil }
    // The one known difference: a Huffman code zlib calls incomplete, which ISA-L decodes to the bytes the member's
    // CRC-32 and length vouch for (InflateDifferentialTests pins it).
    if !whole.starts(with: Array("error:".utf8)), let message = zlibMessage(bytes),
        GzipByteSource.incompleteCodeMessages.contains(message)
    {
        return nil
    }
    return "ISA-L and zlib disagree"
}

/// What zlib says of the damage in `bytes`, in its own words.
func zlibMessage(_ bytes: [UInt8]) -> String? {
    guard
        let source = try? GzipByteSource(
            upstream: ChunkedSource(bytes), displayPath: "f.gz", compressedSize: Int64(bytes.count), engine: .zlib)
    else { return nil }
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
    defer { buffer.deallocate() }
    while let count = try? source.read(into: buffer), count > 0 {}
    return source.zlibMessage
}

func fuzzAmount(_ bytes: [UInt8]) -> String? {
    let text = String(decoding: bytes, as: UTF8.self)
    for syntax in [AmountSyntax.standard] {
        guard let amount = try? Amount.parse(text, syntax: syntax) else { continue }
        let written = amount.description
        guard let again = try? Amount.parse(written) else { return "'\(written)' (from '\(text)') does not parse" }
        if again != amount { return "'\(text)' → \(written) → \(again)" }
        let fromBytes = Array(text.utf8).withUnsafeBytes { try? Amount.parse($0, syntax: syntax) }
        if fromBytes != amount { return "'\(text)' parses differently from bytes" }
    }
    return nil
}

func fuzzJob(_ bytes: [UInt8], scratch: String) -> String? {
    let path = scratch + "/job.yaml"
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    _ = try? JobSpec.load(path: path, environment: [:], currentDirectory: scratch)
    return nil
}

func fuzzAudit(_ bytes: [UInt8], scratch: String) -> String? {
    let path = scratch + "/audit.jsonl"
    _ = FileManager.default.createFile(atPath: path, contents: Data(bytes))
    let first = try? AuditVerifier.verify(path: path)
    // Appending never damages what verified: an intact file stays intact after one more record.
    if let first, first.isIntact {
        _ = try? AuditLog(path: path).append([["type": .string("fuzz")]], checkpoint: [:])
        guard let second = try? AuditVerifier.verify(path: path), second.isIntact else {
            return "an append to an intact audit file broke it"
        }
    }
    return nil
}
