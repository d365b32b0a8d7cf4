import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A stream of bytes read in chunks into a caller's buffer: a file, an inflated gzip stream, a prefetching wrapper.
///
/// Sources never load a whole file; memory is the caller's buffer plus a fixed amount per source.
package protocol ByteSource: AnyObject {
    /// Fills the start of `buffer` and returns how many bytes it wrote; 0 means the end of the stream.
    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReconciliationError) -> Int
    /// How many bytes are left to read, when the source knows (a plain file, by its size when opened): readers size
    /// their buffers to it. Only a hint — a file may grow or shrink while read.
    var remainingBytesHint: Int64? { get }
}

extension ByteSource {
    package var remainingBytesHint: Int64? { nil }
}

/// Reads a file sequentially with `read(2)`, hashing every byte with SHA-256 on the way.
package final class FileByteSource: ByteSource {
    /// The path as shown in messages.
    package let displayPath: String
    /// The file's size when it was opened.
    package let size: Int64
    /// How many bytes have been read so far (shared with progress displays).
    package let progress: ByteCounter
    private let descriptor: Int32
    private var hasher: InputHasher?
    private var offset: Int64 = 0
    private var finished = false
    private let maxBytes: Int64
    package var remainingBytesHint: Int64? { max(0, size - offset) }
    /// Where the bytes this source hashes are also written: the input's archived copy, taken on this first read.
    var archiveCopy: ArchiveCopy?

    /// Opens `path` for reading from `startOffset`; `displayPath` is what messages show. With `hashing: false` the
    /// caller computes the digest some other way (``finishDigest()`` is then unavailable).
    /// `maxBytes` caps what is read (`limits.max_input_bytes`): a larger file is refused when opened, and one that
    /// grows past it while read fails there.
    package init(
        path: String, displayPath: String, progress: ByteCounter = ByteCounter(), hashing: Bool = true,
        startOffset: Int64 = 0, maxBytes: Int64 = .max
    ) throws(ReconciliationError) {
        self.displayPath = displayPath
        self.maxBytes = maxBytes
        self.progress = progress
        hasher = hashing ? InputHasher() : nil
        // O_NONBLOCK: opening a FIFO with no writer must not wait forever (it is refused below).
        let descriptor = open(path, O_RDONLY | O_CLOEXEC | O_NONBLOCK)
        guard descriptor >= 0 else {
            throw ReconciliationError(
                .ingest, "cannot open: \(systemErrorMessage(errno))", at: SourceLocation(file: displayPath))
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0 else {
            let code = errno
            close(descriptor)
            throw ReconciliationError(
                .ingest, "cannot stat: \(systemErrorMessage(code))", at: SourceLocation(file: displayPath))
        }
        guard (info.st_mode & S_IFMT) != S_IFDIR else {
            close(descriptor)
            throw ReconciliationError(.ingest, "is a directory, not a file", at: SourceLocation(file: displayPath))
        }
        // A device (/dev/zero, /dev/urandom), FIFO or socket never ends, or can be read only once: refused, where
        // reading it would hang the run or hash other bytes than the reader saw.
        guard (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw ReconciliationError(
                .ingest, "is not a regular file (a device, FIFO or socket); give the statement as a file",
                at: SourceLocation(file: displayPath))
        }
        guard Int64(info.st_size) <= maxBytes else {
            close(descriptor)
            throw Self.tooLarge(size: Int64(info.st_size), limit: maxBytes, file: displayPath)
        }
        _ = fcntl(descriptor, F_SETFL, fcntl(descriptor, F_GETFL) & ~O_NONBLOCK)
        self.descriptor = descriptor
        self.size = Int64(info.st_size)
        if startOffset > 0 {
            lseek(descriptor, off_t(startOffset), SEEK_SET)
            offset = startOffset
        }
        posix_fadvise(descriptor, 0, 0, POSIX_FADV_SEQUENTIAL)
    }

    deinit {
        close(descriptor)
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReconciliationError) -> Int {
        guard !finished, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            let count = Glibc.read(descriptor, base, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw ReconciliationError(
                    .ingest, "read failed at byte \(offset): \(systemErrorMessage(errno))",
                    at: SourceLocation(file: displayPath))
            }
            if count == 0 {
                finished = true
                return 0
            }
            if offset + Int64(count) > maxBytes {
                throw Self.tooLarge(size: offset + Int64(count), limit: maxBytes, file: displayPath)
            }
            hasher?.update(UnsafeRawBufferPointer(start: base, count: count))
            archiveCopy?.write(UnsafeRawBufferPointer(start: base, count: count))
            offset += Int64(count)
            progress.add(count)
            return count
        }
    }

    /// The bytes read so far.
    package var bytesRead: Int64 { offset }

    static func tooLarge(size: Int64, limit: Int64, file: String) -> ReconciliationError {
        ReconciliationError(
            .ingest,
            "is \(size) bytes or more, over `limits.max_input_bytes` (\(limit)); raise the limit in the job if the "
                + "file is meant to be this large", at: SourceLocation(file: file))
    }

    /// The SHA-256 of the whole file, reading what the consumer left unread so the digest always covers every byte.
    package func finishDigest() throws(ReconciliationError) -> String {
        guard hasher != nil else {
            throw ReconciliationError(.ingest, "this source does not hash", at: SourceLocation(file: displayPath))
        }
        if !finished {
            let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
            defer { scratch.deallocate() }
            while try read(into: scratch) > 0 {}
        }
        // The hasher is a value: it is read only after the loop above has fed it the rest of the file.
        guard let hasher else { preconditionFailure("hasher vanished") }
        return hasher.finalizeHex()
    }

    /// The SHA-256 of a whole file, read on its own (and copied into `archiveCopy` on the way, when given).
    static func digest(path: String, displayPath: String, archiveCopy: ArchiveCopy? = nil) throws(ReconciliationError)
        -> String
    {
        let source = try FileByteSource(path: path, displayPath: displayPath)
        source.archiveCopy = archiveCopy
        return try source.finishDigest()
    }

    /// Reads up to `count` bytes at `position` without moving the stream (for magic-byte detection).
    package func peek(_ count: Int, at position: Int64 = 0) -> [UInt8] {
        var bytes = [UInt8](repeating: 0, count: count)
        let got = bytes.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, count, off_t(position)) }
        return got > 0 ? Array(bytes[0..<got]) : []
    }
}

/// A thread-safe running count of bytes, for progress displays.
package final class ByteCounter: Sendable {
    private let value = Atomic<Int64>(0)

    /// Creates a counter at zero.
    package init() {}

    /// Adds `count` bytes.
    package func add(_ count: Int) {
        value.add(Int64(count), ordering: .relaxed)
    }

    /// The bytes counted so far.
    package var count: Int64 { value.load(ordering: .relaxed) }
}

/// The text of a C `errno`.
package func systemErrorMessage(_ code: Int32) -> String {
    guard let text = strerror(code) else { return "error \(code)" }
    return String(cString: text)
}
