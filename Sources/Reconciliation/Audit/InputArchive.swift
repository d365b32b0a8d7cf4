import Synchronization

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

extension InputArchive {
    /// Starts an archived copy of a file that is about to be read: the bytes the run hashes are written beside the
    /// archive's objects as they are read, and ``ArchiveCopy/finish(sha256:)`` puts them in place — no second read
    /// of the input, and the archived bytes are exactly the ones the run reconciled.
    package func beginCopy(displayPath: String) -> ArchiveCopy {
        ArchiveCopy(archive: self, displayPath: displayPath)
    }
}

/// A copy of one input file into the archive, written while the run reads the file (by the reader that hashes it).
/// A write that fails is remembered and reported by ``finish(sha256:)``, which the run's archive stage calls: the
/// failure stops the run before its commit, as a failed archive always has.
package final class ArchiveCopy: @unchecked Sendable {
    private let archive: InputArchive
    private let displayPath: String
    private var descriptor: Int32 = -1
    private var temporary = ""
    private var failure: ReconciliationError?
    private static let counter = Atomic<Int>(0)

    init(archive: InputArchive, displayPath: String) {
        self.archive = archive
        self.displayPath = displayPath
    }

    deinit {
        if descriptor >= 0 {
            close(descriptor)
            unlink(temporary)
        }
    }

    /// Appends the next bytes of the file (called in file order, from one thread at a time).
    func write(_ bytes: UnsafeRawBufferPointer) {
        guard failure == nil, let base = bytes.baseAddress, bytes.count > 0 else { return }
        if descriptor < 0 && !openTemporary() { return }
        if let code = writeFully(descriptor, base, count: bytes.count, faults: archive.faults, step: .archiveWrite) {
            failure = ReconciliationError(
                .audit, "cannot write to the archive: \(systemErrorMessage(code))", at: SourceLocation(file: temporary))
            close(descriptor)
            descriptor = -1
            unlink(temporary)
        }
    }

    /// Puts the copy in place as the object `sha256` (the digest of exactly the bytes written), durably; a no-op when
    /// the archive holds that object already. Throws the first failed write, or a failed sync or rename.
    func finish(sha256: String) throws(ReconciliationError) {
        if let failure { throw failure }
        let target = archive.path(for: sha256)
        // An empty file wrote nothing: its (empty) copy is made now.
        if descriptor < 0 && !openTemporary(), let failure { throw failure }
        defer {
            if descriptor >= 0 { close(descriptor) }
            descriptor = -1
            unlink(temporary)
        }
        if access(target, F_OK) == 0 { return }
        if let code = archive.faults.error(at: .archiveSync) ?? (fsync(descriptor) == 0 ? nil : errno) {
            throw ReconciliationError(
                .audit, "fsync of the archived copy failed: \(systemErrorMessage(code))",
                at: SourceLocation(file: temporary))
        }
        let folder = "\(archive.directory)/\(sha256.prefix(2))"
        do throws(ReconciliationError) {
            try FileOutput.makeDirectory(folder)
        } catch {
            throw ReconciliationError(
                .audit, "cannot create the archive directory: \(error.message)", at: SourceLocation(file: folder))
        }
        guard rename(temporary, target) == 0 else {
            throw ReconciliationError(
                .audit, "cannot place the archived copy: \(systemErrorMessage(errno))", at: SourceLocation(file: target)
            )
        }
        _ = FileOutput.syncDirectory(folder)
    }

    /// Opens the temporary file the copy is written to (beside the objects, so placing it is a rename).
    private func openTemporary() -> Bool {
        do throws(ReconciliationError) {
            try FileOutput.makeDirectory(archive.directory)
        } catch {
            failure = ReconciliationError(
                .audit, "cannot create the archive directory: \(error.message)",
                at: SourceLocation(file: archive.directory))
            return false
        }
        let number = Self.counter.wrappingAdd(1, ordering: .relaxed).newValue
        temporary = "\(archive.directory)/.tmp-\(getpid())-\(number)"
        descriptor = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o444)
        guard descriptor >= 0 else {
            failure = ReconciliationError(
                .audit, "cannot write to the archive: \(systemErrorMessage(errno))", at: SourceLocation(file: temporary)
            )
            return false
        }
        return true
    }
}
