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
package final class AuditLog: Sendable {
    /// The audit file.
    package let path: String
    /// How the file is named in messages.
    package let displayPath: String
    /// Faults to inject (tests).
    let faults: FaultInjection

    /// Creates a log for `path` (the file is created on the first append).
    package init(path: String, displayPath: String? = nil, faults: FaultInjection = .none) {
        self.path = path
        self.displayPath = displayPath ?? path
        self.faults = faults
    }

    /// A record as written.
    package struct WrittenRecord: Sendable, Hashable {
        /// Its sequence number.
        package let seq: Int
        /// The SHA-256 of its line.
        package let hash: String
        /// Its type.
        package let type: String
        /// The byte offset of the end of its line (the file size after it).
        package let end: Int64
    }

    private func error(_ message: String) -> ReconciliationError {
        ReconciliationError(.audit, message, at: SourceLocation(file: displayPath))
    }

    /// What an append wrote.
    package struct Appended: Sendable {
        /// The records as written.
        package let records: [WrittenRecord]
        /// The checkpoint closing the batch, when one was asked for.
        package let checkpoint: Checkpoint?
    }

    /// Appends records (objects without `seq`/`prev`, which are added) in one locked, durable batch. With
    /// `checkpoint`, the batch ends with a checkpoint record over everything before it, carrying `checkpoint`'s
    /// fields and signed by `signer` when one is given; every record of such a batch names the checkpoint that seals
    /// it (`sealed_by`), so a batch cut short by a kill is recognisable as unsealed. `prepared` sees the batch as it
    /// will be written, under the lock, before any byte of it is: what it throws stops the append with nothing
    /// written. A failed write or fsync cuts the file back to where the batch began before throwing, so a failed
    /// append never leaves part of its batch behind.
    @discardableResult
    package func append(
        _ records: [[String: JSONValue]], checkpoint: [String: JSONValue]? = nil, signer: CheckpointSigner? = nil,
        prepared: (Appended) throws(ReconciliationError) -> Void = { _ in }
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
            var recovery: [String: JSONValue] = [
                "type": .string("recovery"),
                "dropped_bytes": .integer(dropped.count),
                "dropped_sha256": .string(AuditChain.hash(dropped)),
                "at_offset": .integer(head.size),
            ]
            if let unsealed = head.unsealedRun {
                // The writer stopped inside a batch: the records before the cut belong to a batch whose checkpoint
                // never landed, so the run they describe did not complete.
                recovery["unsealed_run"] = .string(unsealed)
            }
            batch.insert(recovery, at: 0)
            head.tail = []
        } else if let unsealed = head.unsealedRun {
            batch.insert(
                [
                    "type": .string("recovery"), "dropped_bytes": .integer(0), "at_offset": .integer(head.size),
                    "unsealed_run": .string(unsealed),
                ], at: 0)
        }

        var bytes: [UInt8] = []
        var written: [WrittenRecord] = []
        var size = head.size
        let seal = checkpoint == nil ? nil : head.seq + batch.count + 1
        func add(_ fields: [String: JSONValue]) {
            var fields = fields
            if let seal, head.seq + 1 < seal { fields["sealed_by"] = .integer(seal) }
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

        let appended = Appended(records: written, checkpoint: sealed)
        try prepared(appended)
        // Injected write faults hit sealed batches (a run's completion or failure), not `run_started`.
        let faults = checkpoint == nil ? FaultInjection.none : self.faults
        let batchStart = size - Int64(bytes.count)
        let failure: Int32? = bytes.withUnsafeBytes { buffer in
            guard let base = buffer.baseAddress else { return nil }
            return writeFully(
                descriptor, base, count: buffer.count, offset: batchStart, faults: faults, step: .auditWrite)
        }
        if let failure {
            let undone = cutBack(descriptor, to: batchStart)
            throw error("cannot append to the audit file: \(systemErrorMessage(failure)); \(undone)")
        }
        if let failure = faults.error(at: .auditSync) ?? (fdatasync(descriptor) == 0 ? nil : errno) {
            let undone = cutBack(descriptor, to: batchStart)
            throw error(
                "fsync of the audit file failed: \(systemErrorMessage(failure)); the run stops; \(undone)")
        }
        return appended
    }

    /// Cuts a failed batch off the end of the file; says what the file holds afterwards.
    private func cutBack(_ descriptor: Int32, to size: Int64) -> String {
        if ftruncate(descriptor, off_t(size)) == 0 && fdatasync(descriptor) == 0 {
            return "nothing of this batch was kept"
        }
        return "part of this batch may remain (\(systemErrorMessage(errno)) while cutting it off); it is unsealed, "
            + "so no run completes by it, and the next append marks it"
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
