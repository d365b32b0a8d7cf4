import Foundation
import Testing

@testable import Reconciliation

/// Files written atomically: what reaches the disk is every byte handed over, in order, and the returned SHA-256 is
/// that file's — files past the size where writing is handed to the disk as it goes included.
@Suite struct FileOutputTests {
    let directory = TemporaryDirectory()

    @Test(arguments: [0, 1, Int(FileOutput.writebackBytes) - 1, Int(FileOutput.writebackBytes) + 1, 20 << 20 + 12_345])
    func aStreamedFileIsEveryByteHandedOver(size: Int) throws {
        let bytes = (0..<size).map { UInt8(truncatingIfNeeded: ($0 &* 2_654_435_761) >> 13) }
        let path = directory.path + "/out-\(size).bin"
        let digest = try FileOutput.writeAtomically(to: path) { sink in
            var offset = 0
            var piece = 1
            while offset < bytes.count {
                // Pieces of every size from one byte to a few megabytes, so the hand-overs fall anywhere.
                let end = min(bytes.count, offset + piece)
                bytes[offset..<end].withUnsafeBytes { sink.write($0) }
                offset = end
                piece = piece * 3 % 5_000_011 + 1
            }
        }
        #expect(directory.read("out-\(size).bin") == bytes)
        #expect(digest == (try FileByteSource(path: path, displayPath: path).finishDigest()))
        #expect(FileOutput.names(in: directory.path).filter { $0.contains(".tmp-") }.isEmpty)
    }
}
