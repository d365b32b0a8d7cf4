import Foundation
import ReconWorkload
import Testing

@testable import Reconciliation

@Suite struct GzipByteSourceTests {
    let directory = TemporaryDirectory()
    let text = (1...5000).map { "row \($0),coinbase,main,BTC,0.\($0)\n" }.joined()

    @Test func gzipIsDetectedByMagicBytesNotByName() throws {
        let compressed = try directory.writeGzip(text, to: "ledger.csv")
        let plain = directory.write(text, to: "ledger.csv.gz")
        let fromCompressed = try InputBytes(path: compressed, displayPath: "ledger.csv")
        let fromPlain = try InputBytes(path: plain, displayPath: "ledger.csv.gz")
        #expect(fromCompressed.isCompressed)
        #expect(!fromPlain.isCompressed)
        #expect(try readAll(fromCompressed.bytes) == Array(text.utf8))
        #expect(try readAll(fromPlain.bytes) == Array(text.utf8))
    }

    @Test(arguments: [1, 7, 4096, 1 << 20])
    func concatenatedMembersInflateToTheWholeText(chunk: Int) throws {
        let path = try directory.writeGzip(text, to: "members.gz", members: 3)
        let input = try InputBytes(path: path, displayPath: "members.gz")
        #expect(try readAll(input.bytes, chunk: chunk) == Array(text.utf8))
    }

    @Test func prefetchingYieldsTheSameBytes() throws {
        let path = try directory.writeGzip(text, to: "prefetch.gz", members: 2)
        let input = try InputBytes(path: path, displayPath: "prefetch.gz", prefetch: true, readAheadFrom: 0)
        #expect(input.readsAhead)
        #expect(try readAll(input.bytes, chunk: 333) == Array(text.utf8))
        // Beside an inflater the raw file is hashed by a thread of its own; it must still be the file's SHA-256.
        #expect(try input.finishDigest() == sha256(of: path))
    }

    @Test func aSmallFileIsReadWithoutAThreadReadingAhead() throws {
        let small = try directory.writeGzip(text, to: "small.gz")
        #expect(try !InputBytes(path: small, displayPath: "small.gz", prefetch: true).readsAhead)
        let large = directory.write(String(repeating: text, count: 12), to: "large.csv")
        #expect(try InputBytes(path: large, displayPath: "large.csv", prefetch: true).readsAhead)
        #expect(try !InputBytes(path: large, displayPath: "large.csv", prefetch: false).readsAhead)
    }

    @Test func aDigestThreadHashesTheWholeFile() throws {
        let path = directory.write(text, to: "whole.csv")
        #expect(try DigestThread(path: path, displayPath: "whole.csv").result() == sha256(of: path))
        #expect(try FileByteSource.digest(path: path, displayPath: "whole.csv") == sha256(of: path))
    }

    @Test func aDigestThreadReportsAMissingFile() {
        let message = caught { try DigestThread(path: directory.path + "/gone.csv", displayPath: "gone.csv").result() }
            .map { "\($0)" }
        #expect(message == "gone.csv: error: cannot open: No such file or directory")
    }

    /// The SHA-256 of the file's bytes, hashed in one piece.
    func sha256(of path: String) throws -> String {
        let bytes = try readAll(FileByteSource(path: path, displayPath: "x"))
        var hasher = InputHasher()
        bytes.withUnsafeBytes { hasher.update($0) }
        return hasher.finalizeHex()
    }

    @Test func truncatedStreamNamesTheFileAndOffset() throws {
        let path = try directory.writeGzip(text, to: "whole.gz")
        let bytes = directory.read("whole.gz")
        let cut = directory.write(Array(bytes.prefix(bytes.count / 2)), to: "truncated.csv.gz")
        let input = try InputBytes(path: cut, displayPath: "truncated.csv.gz")
        let error = caught { try readAll(input.bytes) }
        #expect(
            "\(error.map { "\($0)" } ?? "")"
                == "truncated.csv.gz: error: truncated gzip stream: the file ends at byte \(bytes.count / 2) inside a member"
        )
        _ = path
    }

    @Test func corruptStreamNamesTheOffset() throws {
        try directory.writeGzip(text, to: "whole.gz")
        var bytes = directory.read("whole.gz")
        for index in 40..<60 { bytes[index] ^= 0xFF }
        let path = directory.write(bytes, to: "corrupt.gz")
        let input = try InputBytes(path: path, displayPath: "corrupt.gz")
        let message = caught { try readAll(input.bytes) }.map { "\($0)" } ?? ""
        #expect(message.hasPrefix("corrupt.gz: error: corrupt gzip stream: the member starting at byte 0 "))
    }

    @Test func trailingGarbageIsAnError() throws {
        try directory.writeGzip(text, to: "whole.gz")
        let bytes = directory.read("whole.gz")
        let path = directory.write(bytes + Array("garbage".utf8), to: "garbage.gz")
        let input = try InputBytes(path: path, displayPath: "garbage.gz")
        let message = caught { try readAll(input.bytes) }.map { "\($0)" } ?? ""
        #expect(message == "garbage.gz: error: trailing garbage after the gzip stream at byte \(bytes.count)")
    }

    @Test func decompressionBombStopsAtTheRatioLimit() throws {
        // 64 MiB of zeros compress about 1000:1.
        let path = directory.path + "/bomb.gz"
        let writer = try GzipWriter(path: path, level: 9)
        let zeros = [UInt8](repeating: 0x30, count: 1 << 20)
        for _ in 0..<64 { try zeros.withUnsafeBytes { try writer.write($0) } }
        try writer.close()
        let input = try InputBytes(path: path, displayPath: "bomb.gz")
        let message = caught { try readAll(input.bytes, chunk: 1 << 20) }.map { "\($0)" } ?? ""
        #expect(
            message
                == "bomb.gz: error: gzip stream inflates more than 200:1 (a decompression bomb?); raise "
                + "`limits.max_inflate_ratio` if the file is genuine")

        let capped = try InputBytes(
            path: path, displayPath: "bomb.gz",
            limits: InflateLimits(maxInflatedBytes: 4 << 20, maxRatio: 1_000_000))
        let sizeMessage = caught { try readAll(capped.bytes, chunk: 1 << 20) }.map { "\($0)" } ?? ""
        #expect(
            sizeMessage
                == "bomb.gz: error: gzip stream inflates to more than 4194304 bytes (limit `limits.max_inflated_bytes`)"
        )
    }

    @Test func missingFileIsAClearError() {
        let message = caught { try InputBytes(path: directory.path + "/nope.csv", displayPath: "nope.csv") }
            .map { "\($0)" }
        #expect(message == "nope.csv: error: cannot open: No such file or directory")
    }

    @Test func digestCoversTheRawFileEvenWhenUnread() throws {
        let path = directory.write(text, to: "plain.csv")
        let input = try InputBytes(path: path, displayPath: "plain.csv")
        let expected = try readAll(FileByteSource(path: path, displayPath: "x"))
        #expect(expected.count == text.utf8.count)
        var hasher = InputHasher()
        expected.withUnsafeBytes { hasher.update($0) }
        #expect(try input.finishDigest() == hasher.finalizeHex())
    }
}
