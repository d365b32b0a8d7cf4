/// Hands out bytes already read (for format detection) before continuing with the rest of the stream.
final class ReplayByteSource: ByteSource {
    private var prefix: [UInt8]
    private var offset = 0
    private let upstream: any ByteSource

    init(prefix: [UInt8], upstream: any ByteSource) {
        self.prefix = prefix
        self.upstream = upstream
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReconciliationError) -> Int {
        if offset < prefix.count {
            let count = min(buffer.count, prefix.count - offset)
            prefix.withUnsafeBytes { bytes in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: bytes[offset..<(offset + count)]))
            }
            offset += count

            return count
        }
        return try upstream.read(into: buffer)
    }

    /// Reads up to `count` bytes from the start of `source`.
    static func readPrefix(_ source: any ByteSource, count: Int) throws(ReconciliationError) -> [UInt8] {
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: count, alignment: 16)
        defer { buffer.deallocate() }
        var filled = 0
        while filled < count {
            let got = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[filled...]))
            if got == 0 { break }
            filled += got
        }
        return Array(UnsafeRawBufferPointer(rebasing: buffer[0..<filled]))
    }
}
