import CZlib

/// Limits that keep a hostile compressed input from taking unbounded time or memory.
package struct InflateLimits: Sendable, Hashable {
    /// The most bytes one input may inflate to.
    package var maxInflatedBytes: Int64
    /// The highest inflated/compressed ratio accepted once more than `ratioGraceBytes` have been produced.
    package var maxRatio: Int64
    /// Output below this size is never judged by ratio (tiny files compress oddly).
    package var ratioGraceBytes: Int64

    /// Creates limits.
    package init(maxInflatedBytes: Int64 = 64 << 30, maxRatio: Int64 = 200, ratioGraceBytes: Int64 = 1 << 20) {
        self.maxInflatedBytes = maxInflatedBytes
        self.maxRatio = maxRatio
        self.ratioGraceBytes = ratioGraceBytes
    }

    /// 64 GiB of output at most, and at most 200 bytes out per byte in.
    package static let standard = InflateLimits()
}

/// Inflates a gzip stream with zlib in a streaming loop.
///
/// Handles concatenated members (what `cat a.gz b.gz` and parallel compressors produce). A stream that ends inside a
/// member, corrupt data, or bytes after the last member that are not another member are errors naming the file and
/// the compressed byte offset. zlib is used directly: compress-nio loops forever on multi-member files and accepts
/// truncated ones.
package final class GzipByteSource: ByteSource {
    private let upstream: any ByteSource
    private let displayPath: String
    private let limits: InflateLimits
    private let stream: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutableRawBufferPointer
    private var upstreamEnded = false
    private var upstreamBytes: Int64 = 0
    private var inflatedBytes: Int64 = 0
    private var betweenMembers = false
    private var finished = false

    /// Wraps `upstream`, whose bytes are a gzip stream.
    package init(upstream: any ByteSource, displayPath: String, limits: InflateLimits = .standard)
        throws(ReconciliationError)
    {
        self.upstream = upstream
        self.displayPath = displayPath
        self.limits = limits
        self.input = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 18, alignment: 64)
        self.stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        // 15 + 16: a gzip wrapper only (magic bytes already checked), with the largest window.
        let status = inflateInit2_(stream, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            stream.deinitialize(count: 1)
            stream.deallocate()
            input.deallocate()
            throw ReconciliationError(
                .ingest, "cannot start zlib (status \(status))", at: SourceLocation(file: displayPath))
        }
    }

    deinit {
        inflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        input.deallocate()
    }

    /// The compressed offset zlib has consumed up to.
    private var compressedOffset: Int64 { upstreamBytes - Int64(stream.pointee.avail_in) }

    private func refill() throws(ReconciliationError) {
        // Keep what zlib has not consumed yet at the front.
        let pending = Int(stream.pointee.avail_in)
        if pending > 0, let next = stream.pointee.next_in, let base = input.baseAddress {
            base.copyMemory(from: next, byteCount: pending)
        }
        let room = UnsafeMutableRawBufferPointer(rebasing: input[pending...])
        let count = try upstream.read(into: room)
        if count == 0 { upstreamEnded = true }
        upstreamBytes += Int64(count)
        stream.pointee.next_in = input.baseAddress?.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_in = uInt(pending + count)
    }

    private func error(_ message: String) -> ReconciliationError {
        ReconciliationError(.ingest, message, at: SourceLocation(file: displayPath))
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReconciliationError) -> Int {
        guard !finished, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        stream.pointee.next_out = base.assumingMemoryBound(to: Bytef.self)
        stream.pointee.avail_out = uInt(min(buffer.count, Int(UInt32.max)))
        let capacity = Int(stream.pointee.avail_out)

        while stream.pointee.avail_out > 0 {
            if betweenMembers {
                // After a member: the end of the file, or another member's magic bytes.
                if stream.pointee.avail_in < 2 && !upstreamEnded {
                    try refill()
                    continue
                }
                if stream.pointee.avail_in == 0 {
                    finished = true
                    break
                }
                let next = stream.pointee.next_in
                guard stream.pointee.avail_in >= 2, let next, next[0] == 0x1F, next[1] == 0x8B else {
                    throw error("trailing garbage after the gzip stream at byte \(compressedOffset)")
                }
                inflateReset(stream)
                betweenMembers = false
            }
            if stream.pointee.avail_in == 0 {
                if upstreamEnded {
                    throw error("truncated gzip stream: the file ends at byte \(compressedOffset) inside a member")
                }
                try refill()
                continue
            }
            let status = inflate(stream, Z_NO_FLUSH)
            switch status {
            case Z_OK:
                continue
            case Z_STREAM_END:
                betweenMembers = true
            case Z_BUF_ERROR:
                // No progress possible: zlib needs more input (loop refills) or more output (loop ends).
                if stream.pointee.avail_in > 0 && stream.pointee.avail_out > 0 {
                    throw error("corrupt gzip stream at byte \(compressedOffset)")
                }
            case Z_DATA_ERROR, Z_NEED_DICT:
                let detail = stream.pointee.msg.map { String(cString: $0) } ?? "invalid data"
                throw error("corrupt gzip stream at byte \(compressedOffset): \(detail)")
            case Z_MEM_ERROR:
                throw error("zlib ran out of memory at byte \(compressedOffset)")
            default:
                throw error("zlib failed with status \(status) at byte \(compressedOffset)")
            }
        }

        let produced = capacity - Int(stream.pointee.avail_out)
        inflatedBytes += Int64(produced)
        if inflatedBytes > limits.maxInflatedBytes {
            throw error(
                "gzip stream inflates to more than \(limits.maxInflatedBytes) bytes (limit `limits.max_inflated_bytes`)"
            )
        }
        if inflatedBytes > limits.ratioGraceBytes && inflatedBytes > limits.maxRatio * max(compressedOffset, 1) {
            throw error(
                "gzip stream inflates more than \(limits.maxRatio):1 at byte \(compressedOffset) (a decompression bomb?); "
                    + "raise `limits.max_inflate_ratio` if the file is genuine")
        }
        return produced
    }
}
