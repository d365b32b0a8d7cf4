import CReconSystem

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Durable file writes: a temporary file beside the target, written, flushed to disk, then renamed over the target,
/// so readers see the old file or the new one, never half of one.
package enum FileOutput {
    /// How much of a file is written before it is handed to the disk (see `recon_start_writeback`).
    static let writebackBytes: Int64 = 8 << 20

    /// Creates `path` and its parents (like `mkdir -p`).
    package static func makeDirectory(_ path: String) throws(ReconciliationError) {
        var current = path.hasPrefix("/") ? "" : "."
        for part in path.split(separator: "/") {
            current += "/" + part
            if mkdir(current, 0o755) != 0 && errno != EEXIST {
                throw ReconciliationError(
                    .report, "cannot create directory: \(systemErrorMessage(errno))", at: SourceLocation(file: current))
            }
        }
    }

    /// Writes `bytes` to `path` atomically and durably; returns the SHA-256 of what was written. `faults` may fail
    /// the write at `writeStep` or the fsync at `syncStep` (tests).
    @discardableResult
    package static func writeAtomically(
        _ bytes: [UInt8], to path: String, room: ReconciliationError.Room = .report,
        faults: FaultInjection = .none, writeStep: FaultInjection.Step = .reportWrite,
        syncStep: FaultInjection.Step = .reportSync
    ) throws(ReconciliationError) -> String {
        try writeAtomically(to: path, room: room, faults: faults, writeStep: writeStep, syncStep: syncStep) { sink in
            bytes.withUnsafeBytes { sink.write($0) }
        }
    }

    /// Writes what `produce` hands its sink, as it hands it, to `path` atomically and durably; returns the SHA-256 of
    /// what was written. The first failed write fails the whole file (what follows is not written), which is then
    /// removed: nothing of a failed file is left, as with ``writeAtomically(_:to:room:faults:writeStep:syncStep:)``.
    @discardableResult
    package static func writeAtomically(
        to path: String, room: ReconciliationError.Room = .report, faults: FaultInjection = .none,
        writeStep: FaultInjection.Step = .reportWrite, syncStep: FaultInjection.Step = .reportSync,
        producing produce: (ByteSink) -> Void
    ) throws(ReconciliationError) -> String {
        let temporary = path + ".tmp-\(getpid())"
        let descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ReconciliationError(
                room, "cannot write: \(systemErrorMessage(errno))", at: SourceLocation(file: path))
        }
        final class State {
            var hasher = InputHasher()
            var failure: Int32?
            var written: Int64 = 0
            var handedToDisk: Int64 = 0
        }
        let state = State()
        produce(
            ByteSink { bytes in
                guard state.failure == nil, let base = bytes.baseAddress, bytes.count > 0 else { return }
                state.hasher.update(bytes)
                state.failure = writeFully(descriptor, base, count: bytes.count, faults: faults, step: writeStep)
                state.written += Int64(bytes.count)
                // What is written starts for the disk as it goes, so the fsync below has little left to wait for:
                // report.json of 1.3M lines (522 MB) took a quarter of a second to sync at the end of the run.
                if state.written - state.handedToDisk >= writebackBytes {
                    _ = recon_start_writeback(descriptor, state.handedToDisk, state.written - state.handedToDisk)
                    state.handedToDisk = state.written
                }
            })
        let failure = state.failure ?? faults.error(at: syncStep) ?? (fsync(descriptor) == 0 ? nil : errno)
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
        return state.hasher.finalizeHex()
    }

    /// Removes a directory and the files in it (no subdirectories are expected); errors are ignored.
    static func removeDirectory(_ path: String) {
        for name in names(in: path) { unlink(path + "/" + name) }
        rmdir(path)
    }

    /// The names in a directory (without `.` and `..`); empty when it cannot be read.
    static func names(in path: String) -> [String] {
        guard let directory = opendir(path) else { return [] }
        defer { closedir(directory) }
        var names: [String] = []
        while let entry = readdir(directory) {
            let name = withUnsafeBytes(of: entry.pointee.d_name) { raw in
                String(decoding: raw.prefix { $0 != 0 }, as: UTF8.self)
            }
            if name != "." && name != ".." { names.append(name) }
        }
        return names
    }

    /// Makes the entries of a directory durable (after renames into it); false when the fsync failed.
    @discardableResult
    static func syncDirectory(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        return fsync(descriptor) == 0
    }

    /// Writes text atomically and durably.
    @discardableResult
    package static func writeAtomically(_ text: String, to path: String, room: ReconciliationError.Room = .report)
        throws(ReconciliationError) -> String
    {
        try writeAtomically(Array(text.utf8), to: path, room: room)
    }
}
