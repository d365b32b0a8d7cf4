import Foundation
import Reconciliation

/// The floor an end-to-end run is measured against: `recon-inflate FILE` reads FILE through the project's own byte
/// sources (gzip detected by its magic bytes, inflated by ISA-L in its streaming loop) and discards the bytes, printing
/// how many there were. Nothing else: no hashing, no parsing. scripts/bench times it beside `recon run`.
@main
struct InflateFloor {
    static func main() {
        guard CommandLine.arguments.count == 2 else {
            FileHandle.standardError.write(Data("usage: recon-inflate FILE\n".utf8))
            exit(64)
        }
        let path = CommandLine.arguments[1]
        do {
            let file = try FileByteSource(path: path, displayPath: path, hashing: false)
            let source: any ByteSource =
                file.peek(2) == [0x1F, 0x8B]
                ? try GzipByteSource(upstream: file, displayPath: path, compressedSize: file.size) : file
            let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 64)
            defer { buffer.deallocate() }
            var total: Int64 = 0
            while true {
                let count = try source.read(into: buffer)
                if count == 0 { break }
                total += Int64(count)
            }
            print(total)
        } catch {
            FileHandle.standardError.write(Data("\(error)\n".utf8))
            exit(2)
        }
    }
}
