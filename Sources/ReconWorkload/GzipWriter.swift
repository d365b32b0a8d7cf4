import CZlib
package import Reconciliation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Writes a gzip file with zlib's deflate, streaming: used by the workload generator and by tests that need
/// compressed inputs.
package final class GzipWriter {
    private let descriptor: Int32
    private let stream: UnsafeMutablePointer<z_stream>
    private let output: UnsafeMutableRawBufferPointer
    private let path: String
    private var closed = false

    /// Creates (or truncates) `path`; `level` is zlib's 1 (fast) … 9 (small).
    package init(path: String, level: Int32 = 6) throws(ReconciliationError) {
        self.path = path
        descriptor = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ReconciliationError(
                .report, "cannot create: \(systemErrorMessage(errno))", at: SourceLocation(file: path))
        }
        stream = .allocate(capacity: 1)
        stream.initialize(to: z_stream())
        output = .allocate(byteCount: 1 << 18, alignment: 64)
        let status = deflateInit2_(
            stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard status == Z_OK else {
            throw ReconciliationError(.report, "cannot start zlib (status \(status))", at: SourceLocation(file: path))
        }
    }

    deinit {
        if !closed { try? close() }
        deflateEnd(stream)
        stream.deinitialize(count: 1)
        stream.deallocate()
        output.deallocate()
    }

    /// Compresses and writes `bytes`.
    package func write(_ bytes: UnsafeRawBufferPointer) throws(ReconciliationError) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        stream.pointee.next_in = UnsafeMutablePointer(mutating: base.assumingMemoryBound(to: Bytef.self))
        stream.pointee.avail_in = uInt(bytes.count)
        try pump(flush: Z_NO_FLUSH)
    }

    /// Compresses and writes the UTF-8 of `text`.
    package func write(_ text: String) throws(ReconciliationError) {
        var copy = text
        let failure: ReconciliationError? = copy.withUTF8 { bytes in
            do throws(ReconciliationError) {
                try write(UnsafeRawBufferPointer(bytes))
                return nil
            } catch {
                return error
            }
        }
        if let failure { throw failure }
    }

    /// Finishes the stream and closes the file.
    package func close() throws(ReconciliationError) {
        guard !closed else { return }
        closed = true
        stream.pointee.avail_in = 0
        defer { Glibc.close(descriptor) }
        try pump(flush: Z_FINISH)
    }

    private func pump(flush: Int32) throws(ReconciliationError) {
        repeat {
            stream.pointee.next_out = output.baseAddress?.assumingMemoryBound(to: Bytef.self)
            stream.pointee.avail_out = uInt(output.count)
            let status = deflate(stream, flush)
            guard status != Z_STREAM_ERROR else {
                throw ReconciliationError(.report, "zlib deflate failed", at: SourceLocation(file: path))
            }
            let produced = output.count - Int(stream.pointee.avail_out)
            var offset = 0
            while offset < produced, let base = output.baseAddress {
                let written = Glibc.write(descriptor, base + offset, produced - offset)
                if written < 0 {
                    if errno == EINTR { continue }
                    throw ReconciliationError(
                        .report, "write failed: \(systemErrorMessage(errno))", at: SourceLocation(file: path))
                }
                offset += written
            }
        } while stream.pointee.avail_out == 0 || (flush == Z_FINISH && stream.pointee.avail_in > 0)
    }
}
