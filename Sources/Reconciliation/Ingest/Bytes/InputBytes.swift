import CReconSystem
import Foundation

/// An input file opened for reading: the raw file (for its size, digest and progress) and the decoded byte stream a
/// reader consumes (inflated when the file starts with the gzip magic bytes, whatever its name).
package final class InputBytes {
    /// The raw file.
    package let file: FileByteSource
    /// The bytes a reader sees.
    package let bytes: any ByteSource
    /// Whether the file is gzip-compressed.
    package let isCompressed: Bool
    private let prefetcher: PrefetchingByteSource?
    /// Whether a thread reads (and inflates) ahead of the reader.
    package var readsAhead: Bool { prefetcher != nil }
    private let digestThread: DigestThread?

    /// Opens `path`; with `prefetch`, reading (and inflating) runs on its own thread ahead of the consumer. Without
    /// `digesting` nothing hashes the file (a second read of a file already hashed; ``finishDigest()`` then fails).
    package init(
        path: String, displayPath: String, limits: InflateLimits = .standard, prefetch: Bool = false,
        progress: ByteCounter = ByteCounter(), maxBytes: Int64 = .max, archiveCopy: ArchiveCopy? = nil,
        digesting: Bool = true, readAheadFrom threshold: Int64 = readAheadThreshold
    ) throws(ReconciliationError) {
        let probe = try FileByteSource(path: path, displayPath: displayPath, hashing: false, maxBytes: maxBytes)
        isCompressed = probe.peek(2) == [0x1F, 0x8B]
        // A file read in a chunk or two gains nothing from a thread reading ahead, and a job of 10,000 small
        // statements spent a tenth of its time creating those threads.
        let prefetch = prefetch && probe.size >= threshold
        // Inflating already fills one core: the raw file is hashed by a thread of its own rather than by the inflater.
        let separateDigest = prefetch && isCompressed
        let file = try FileByteSource(
            path: path, displayPath: displayPath, progress: progress, hashing: digesting && !separateDigest,
            maxBytes: maxBytes)
        self.file = file
        // The archived copy is taken by whichever reader hashes the file: it sees every byte, in order.
        if !separateDigest { file.archiveCopy = archiveCopy }
        // Beside an inflater the digest must only fill the parser's idle time.
        digestThread =
            separateDigest && digesting
            ? DigestThread(path: path, displayPath: displayPath, yieldingTo: true, archiveCopy: archiveCopy) : nil
        let decoded: any ByteSource =
            isCompressed
            ? try GzipByteSource(
                upstream: file, displayPath: displayPath, compressedSize: file.size, limits: limits,
                reopen: { () throws(ReconciliationError) -> any ByteSource in
                    // Only where ISA-L fails: zlib reads the file again to say how (see GzipByteSource.read).
                    try FileByteSource(path: path, displayPath: displayPath, hashing: false, maxBytes: maxBytes)
                }) : file
        if prefetch {
            let prefetcher = PrefetchingByteSource(upstream: decoded)
            self.prefetcher = prefetcher
            bytes = prefetcher
        } else {
            prefetcher = nil
            bytes = decoded
        }
    }

    /// The decoded stream without its read-ahead thread, when nothing was read yet (for a caller that reads ahead
    /// itself); `bytes` then reads nothing.
    package func takeDirectSource() -> (any ByteSource)? {
        prefetcher?.takeUnstarted()
    }

    /// Files smaller than this (as stored) are read without a read-ahead thread.
    package static let readAheadThreshold: Int64 = 1 << 20

    /// Stops any read-ahead and returns the SHA-256 of the whole raw file.
    package func finishDigest() throws(ReconciliationError) -> String {
        prefetcher?.stop()
        if let digestThread { return try digestThread.result() }
        return try file.finishDigest()
    }
}

/// Computes a file's SHA-256 on a thread of its own; ``result()`` waits for it.
final class DigestThread: @unchecked Sendable {
    private let condition = NSCondition()
    private var outcome: Result<String, ReconciliationError>?

    /// Starts hashing; with `yieldingTo`, at a lower priority than the threads that do the run's real work.
    init(path: String, displayPath: String, yieldingTo lowerPriority: Bool = false, archiveCopy: ArchiveCopy? = nil) {
        let thread = Thread { [self] in
            if lowerPriority { _ = recon_lower_thread_priority(10) }
            let computed: Result<String, ReconciliationError>
            do throws(ReconciliationError) {
                computed = .success(
                    try FileByteSource.digest(path: path, displayPath: displayPath, archiveCopy: archiveCopy))
            } catch {
                computed = .failure(error)
            }
            condition.lock()
            outcome = computed
            condition.broadcast()
            condition.unlock()
        }
        thread.name = "recon.digest"
        thread.start()
    }

    func result() throws(ReconciliationError) -> String {
        condition.lock()
        while outcome == nil { condition.wait() }
        let value = outcome
        condition.unlock()
        guard let value else { throw ReconciliationError(.ingest, "digest thread ended without a result") }
        return try value.get()
    }
}
