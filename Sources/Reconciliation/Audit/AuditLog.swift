#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// The append-only, tamper-evident audit file: JSON Lines chained by SHA-256 (see ``AuditChain``).
///
/// Every append holds an exclusive `flock` across read-tail → append → `fdatasync`, so concurrent runs (threads or
/// processes) never interleave bytes and the chain stays linear. Only the end of the file is read before appending
/// (the last record must parse and chain to the one before it), so appends cost the same however long the file
/// grows. A torn last record left by a killed writer is cut back and a `recovery` record notes the dropped bytes and
/// their hash; any other damage is a hard error and is never repaired. A failed `fsync` stops the append with an error (no retry: after a failed
/// fsync the page cache can no longer be trusted). Records are durable when `append` returns.
public final class AuditLog: Sendable {
    /// The audit file.
    public let path: String
    /// How the file is named in messages.
    public let displayPath: String

    /// Creates a log for `path` (the file is created on the first append).
    public init(path: String, displayPath: String? = nil) {
        self.path = path
        self.displayPath = displayPath ?? path
    }

    /// A record as written.
    public struct WrittenRecord: Sendable, Hashable {
        /// Its sequence number.
        public let seq: Int
        /// The SHA-256 of its line.
        public let hash: String
        /// Its type.
        public let type: String
        /// The byte offset of the end of its line (the file size after it).
        public let end: Int64
    }

    private func error(_ message: String) -> ReconciliationError {
        ReconciliationError(.audit, message, at: SourceLocation(file: displayPath))
    }

    /// What an append wrote.
    public struct Appended: Sendable {
        /// The records as written.
        public let records: [WrittenRecord]
        /// The checkpoint closing the batch, when one was asked for.
        public let checkpoint: Checkpoint?
    }

    /// Appends records (objects without `seq`/`prev`, which are added) in one locked, durable batch. With
    /// `checkpoint`, the batch ends with a checkpoint record over everything before it, carrying `checkpoint`'s
    /// fields and signed by `signer` when one is given.
    @discardableResult
    public func append(
        _ records: [[String: JSONValue]], checkpoint: [String: JSONValue]? = nil, signer: CheckpointSigner? = nil
    ) throws(ReconciliationError) -> Appended {
        var created = false
        var descriptor = open(path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0o644)
        if descriptor >= 0 {
            created = true
        } else if errno == EEXIST {
            descriptor = open(path, O_RDWR | O_CLOEXEC)
        }
        guard descriptor >= 0 else { throw error("cannot open the audit file: \(systemErrorMessage(errno))") }
        defer { close(descriptor) }
        if created { try syncDirectory() }
        while flock(descriptor, LOCK_EX) != 0 {
            guard errno == EINTR else { throw error("cannot lock the audit file: \(systemErrorMessage(errno))") }
        }

        var (head, problem) = try AuditChain.tail(descriptor: descriptor, file: displayPath)
        if let problem {
            throw error(
                "the audit file is damaged: \(problem); nothing was appended — run `recon audit verify \(displayPath)`")
        }
        var batch = records
        if !head.tail.isEmpty {
            // A killed writer left half a record: cut it off, durably, and say so in the chain.
            let dropped = head.tail
            guard ftruncate(descriptor, off_t(head.size)) == 0 else {
                throw error("cannot cut the torn tail: \(systemErrorMessage(errno))")
            }
            try sync(descriptor)
            batch.insert(
                [
                    "type": .string("recovery"),
                    "dropped_bytes": .integer(dropped.count),
                    "dropped_sha256": .string(AuditChain.hash(dropped)),
                    "at_offset": .integer(head.size),
                ], at: 0)
            head.tail = []
        }

        var bytes: [UInt8] = []
        var written: [WrittenRecord] = []
        var size = head.size
        func add(_ fields: [String: JSONValue]) {
            let line = AuditChain.encode(fields, seq: head.seq + 1, prev: head.hash)
            head.seq += 1
            head.hash = AuditChain.hash(line)
            size += Int64(line.count)
            head.size = size
            bytes += line
            written.append(
                WrittenRecord(seq: head.seq, hash: head.hash, type: fields["type"]?.stringValue ?? "", end: size))
        }
        for fields in batch { add(fields) }
        var sealed: Checkpoint?
        if var fields = checkpoint {
            let seal = try Checkpoint(size: head.size, seq: head.seq, head: head.hash, signer: signer)
            fields.merge(seal.fields) { _, new in new }
            fields["type"] = .string("checkpoint")
            add(fields)
            sealed = seal
        }

        let batchStart = size - Int64(bytes.count)
        var offset = 0
        let failure: Int32? = bytes.withUnsafeBytes { buffer in
            while offset < buffer.count, let base = buffer.baseAddress {
                let count = pwrite(descriptor, base + offset, buffer.count - offset, off_t(batchStart + Int64(offset)))
                if count < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += count
            }
            return nil
        }
        if let failure { throw error("cannot append to the audit file: \(systemErrorMessage(failure))") }
        try sync(descriptor)
        return Appended(records: written, checkpoint: sealed)
    }

    private func sync(_ descriptor: Int32) throws(ReconciliationError) {
        if fdatasync(descriptor) != 0 {
            throw error(
                "fsync of the audit file failed: \(systemErrorMessage(errno)); the run stops (its records may not be durable)"
            )
        }
    }

    /// Makes the new file's directory entry durable.
    private func syncDirectory() throws(ReconciliationError) {
        let directory = path.lastIndex(of: "/").map { String(path[..<$0]) } ?? "."
        let descriptor = open(directory.isEmpty ? "/" : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw error("cannot open the audit file's directory: \(systemErrorMessage(errno))")
        }
        defer { close(descriptor) }
        if fsync(descriptor) != 0 {
            throw error("fsync of the audit file's directory failed: \(systemErrorMessage(errno))")
        }
    }
}
