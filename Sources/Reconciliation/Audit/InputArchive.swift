#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Keeps every input a run read, content-addressed by SHA-256 (`DIR/ab/abcdef…`), so an auditor can replay the
/// batch years later from the archive alone. Objects are written once, atomically and durably; the copy is hashed
/// on the way and must match the digest the run computed while reading.
package struct InputArchive: Sendable {
    /// The archive directory.
    package let directory: String
    /// Faults to inject (tests).
    let faults: FaultInjection

    /// Creates an archive at `directory` (created on first store).
    package init(directory: String, faults: FaultInjection = .none) {
        self.directory = directory
        self.faults = faults
    }

    /// Where the object with digest `sha256` lives.
    package func path(for sha256: String) -> String {
        "\(directory)/\(sha256.prefix(2))/\(sha256)"
    }

    /// Stores the file at `source` under `sha256` (no-op when already there); returns the object's path.
    @discardableResult
    package func store(_ source: String, sha256: String, displayPath: String) throws(ReconciliationError) -> String {
        let target = path(for: sha256)
        if access(target, F_OK) == 0 { return target }
        let folder = "\(directory)/\(sha256.prefix(2))"
        do {
            try FileOutput.makeDirectory(folder)
        } catch {
            throw ReconciliationError(
                .audit, "cannot create the archive directory: \(error.message)", at: SourceLocation(file: folder))
        }
        let input = try FileByteSource(path: source, displayPath: displayPath)
        let temporary = "\(folder)/.tmp-\(getpid())-\(sha256.prefix(16))"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o444)
        guard descriptor >= 0 else {
            throw ReconciliationError(
                .audit, "cannot write to the archive: \(systemErrorMessage(errno))", at: SourceLocation(file: temporary)
            )
        }
        var closed = false
        defer {
            if !closed { close(descriptor) }
        }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        while true {
            let count = try input.read(into: buffer)
            if count == 0 { break }
            if let base = buffer.baseAddress,
                let failure = writeFully(descriptor, base, count: count, faults: faults, step: .archiveWrite)
            {
                unlink(temporary)
                throw ReconciliationError(
                    .audit, "cannot write to the archive: \(systemErrorMessage(failure))",
                    at: SourceLocation(file: temporary))
            }
        }
        let digest = try input.finishDigest()
        guard digest == sha256 else {
            unlink(temporary)
            throw ReconciliationError(
                .audit, "the file changed while the run read it (read as \(sha256), now \(digest)); not archived",
                at: SourceLocation(file: displayPath))
        }
        if let failure = faults.error(at: .archiveSync) ?? (fsync(descriptor) == 0 ? nil : errno) {
            unlink(temporary)
            throw ReconciliationError(
                .audit, "fsync of the archived copy failed: \(systemErrorMessage(failure))",
                at: SourceLocation(file: temporary))
        }
        close(descriptor)
        closed = true
        guard rename(temporary, target) == 0 else {
            unlink(temporary)
            throw ReconciliationError(
                .audit, "cannot place the archived copy: \(systemErrorMessage(errno))", at: SourceLocation(file: target)
            )
        }
        let folderDescriptor = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if folderDescriptor >= 0 {
            fsync(folderDescriptor)
            close(folderDescriptor)
        }
        return target
    }
}
