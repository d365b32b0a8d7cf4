#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Durable file writes: a temporary file beside the target, written, flushed to disk, then renamed over the target,
/// so readers see the old file or the new one, never half of one.
enum FileOutput {
    /// Creates `path` and its parents (like `mkdir -p`).
    static func makeDirectory(_ path: String) throws(ReconciliationError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw ReconciliationError(
                    .report, "cannot create directory: \(systemErrorMessage(errno))", at: SourceLocation(file: current))
            }
        }
    }

    /// Writes `bytes` to `path` atomically and durably; returns the SHA-256 of what was written.
    @discardableResult
    static func writeAtomically(_ bytes: [UInt8], to path: String, room: ReconciliationError.Room = .report)
        throws(ReconciliationError) -> String
    {
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ReconciliationError(
                room, "cannot write: \(systemErrorMessage(errno))", at: SourceLocation(file: path))
        }
        var hasher = InputHasher()
        let failure: Int32? = bytes.withUnsafeBytes { buffer in
            hasher.update(buffer)
            var offset = 0
            while offset < buffer.count, let base = buffer.baseAddress {
                let written = write(descriptor, base + offset, buffer.count - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    return errno
                }
                offset += written
            }
            return fsync(descriptor) == 0 ? nil : errno
        }
        close(descriptor)
        if let failure {
            unlink(temporary)
            throw ReconciliationError(
                room, "cannot write: \(systemErrorMessage(failure))", at: SourceLocation(file: path))
        }
        guard rename(temporary, path) == 0 else {
            let code = errno
            unlink(temporary)
            throw ReconciliationError(
                room, "cannot replace: \(systemErrorMessage(code))", at: SourceLocation(file: path))
        }
        return hasher.finalizeHex()
    }

    /// Writes text atomically and durably.
    @discardableResult
    static func writeAtomically(_ text: String, to path: String, room: ReconciliationError.Room = .report)
        throws(ReconciliationError) -> String
    {
        try writeAtomically(Array(text.utf8), to: path, room: room)
    }
}
