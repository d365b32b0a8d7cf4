/// An input file opened for reading: the raw file (for its size, digest and progress) and the decoded byte stream a
/// reader consumes (inflated when the file starts with the gzip magic bytes, whatever its name).
public final class InputBytes {
    /// The raw file.
    public let file: FileByteSource
    /// The bytes a reader sees.
    public let bytes: any ByteSource
    /// Whether the file is gzip-compressed.
    public let isCompressed: Bool
    private let prefetcher: PrefetchingByteSource?

    /// Opens `path`; with `prefetch`, reading (and inflating) runs on its own thread ahead of the consumer.
    public init(
        path: String, displayPath: String, limits: InflateLimits = .standard, prefetch: Bool = false,
        progress: ByteCounter = ByteCounter()
    ) throws(ReconciliationError) {
        let file = try FileByteSource(path: path, displayPath: displayPath, progress: progress)
        self.file = file
        isCompressed = file.peek(2) == [0x1F, 0x8B]
        let decoded: any ByteSource =
            isCompressed ? try GzipByteSource(upstream: file, displayPath: displayPath, limits: limits) : file
        if prefetch {
            let prefetcher = PrefetchingByteSource(upstream: decoded)
            self.prefetcher = prefetcher
            bytes = prefetcher
        } else {
            prefetcher = nil
            bytes = decoded
        }
    }

    /// Stops any read-ahead and returns the SHA-256 of the whole raw file.
    public func finishDigest() throws(ReconciliationError) -> String {
        prefetcher?.stop()
        return try file.finishDigest()
    }
}
