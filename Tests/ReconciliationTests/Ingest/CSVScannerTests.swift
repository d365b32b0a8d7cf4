import FuzzTargets
import ReconWorkload
import Testing

@testable import Reconciliation

/// A source over bytes in memory, handing them out in chunks of a fixed size (to cross every boundary).
func memorySource(_ text: String, chunk: Int = 1 << 20) -> ChunkedSource {
    ChunkedSource(Array(text.utf8), chunks: [chunk])
}

/// The same over bytes.
func memorySource(bytes: [UInt8], chunk: Int = 1 << 20) -> ChunkedSource {
    ChunkedSource(bytes, chunks: [chunk])
}

/// Every record of `text` as (line, fields).
func scan(_ text: String, chunk: Int = 1 << 20, maxRecordBytes: Int = 4 << 20) throws(ReconciliationError) -> [(
    Int, [String]
)] {
    var scanner = CSVScanner(
        source: memorySource(text, chunk: chunk), displayPath: "t.csv", chunkSize: 1024,
        maxRecordBytes: maxRecordBytes)
    var records: [(Int, [String])] = []
    while try scanner.next() {
        records.append((scanner.line, (0..<scanner.fieldCount).map { scanner.string($0) }))
    }
    return records
}

@Suite struct CSVScannerTests {
    static let chunks = [1, 2, 3, 5, 64, 1 << 20]

    @Test(arguments: chunks)
    func quotedFieldsWithCommasQuotesAndLineBreaks(chunk: Int) throws {
        let text = "a,b,c\r\n\"x, y\",\"say \"\"hi\"\"\",\"two\nlines\"\r\nplain,,last\n"
        let records = try scan(text, chunk: chunk)
        #expect(records.map(\.1) == [["a", "b", "c"], ["x, y", "say \"hi\"", "two\nlines"], ["plain", "", "last"]])
        #expect(records.map(\.0) == [1, 2, 4])
    }

    @Test(arguments: chunks)
    func byteOrderMarkIsSkipped(chunk: Int) throws {
        let records = try scan("\u{FEFF}venue,asset\nkraken,BTC", chunk: chunk)
        #expect(records.map(\.1) == [["venue", "asset"], ["kraken", "BTC"]])
    }

    @Test(arguments: chunks)
    func blankAndTrailingLinesAreSkippedButCounted(chunk: Int) throws {
        let records = try scan("h1,h2\r\n\r\nx,1\r\n\r\n", chunk: chunk)
        #expect(records.map(\.1) == [["h1", "h2"], ["x", "1"]])
        #expect(records.map(\.0) == [1, 3])
    }

    /// A source's size hint sizes the first buffer; a wrong hint (a file that grew after it was opened) costs only a
    /// larger buffer later, never a record.
    @Test(arguments: [nil, 0, 10, 5000, 1 << 30] as [Int64?])
    func aSizeHintNeverChangesWhatIsRead(hint: Int64?) throws {
        let long = String(repeating: "x", count: 9000)
        let text = (0..<400).map { "row\($0),\($0 % 7 == 0 ? long : "short"),\($0)" }.joined(separator: "\n")
        func records(_ source: ChunkedSource) throws -> [[String]] {
            var scanner = CSVScanner(source: source, displayPath: "t.csv", maxRecordBytes: 1 << 20)
            var records: [[String]] = []
            while try scanner.next() { records.append((0..<scanner.fieldCount).map { scanner.string($0) }) }
            return records
        }
        let read = try records(ChunkedSource(Array(text.utf8), hint: hint))
        #expect(read.count == 400)
        #expect(read == (try records(ChunkedSource(Array(text.utf8)))))
        #expect(read[398] == ["row398", "short", "398"] && read[7][1] == long)
    }

    @Test func lastRecordWithoutLineEnd() throws {
        #expect(try scan("a,b\n1,\"2\"").map(\.1) == [["a", "b"], ["1", "2"]])
        #expect(try scan("a,b\n1,").map(\.1) == [["a", "b"], ["1", ""]])
    }

    @Test func unclosedQuoteIsAnErrorAtItsStart() {
        let error = caught { try scan("a,b\n1,\"open\n2,3\n") }
        #expect(error.map { "\($0)" } == "t.csv:2:3: error: quoted field is not closed before the end of the file")
    }

    @Test func textAfterAClosingQuoteIsAnError() {
        let error = caught { try scan("a,b\n\"x\"y,2\n") }
        #expect(error.map { "\($0)" } == "t.csv:2:4: error: unexpected 'y' after a closing quote")
    }

    @Test func nulBytesAreAnError() {
        let error = caught { try scan("a,b\n1,2\u{0}3\n") }
        #expect(error.map { "\($0)" } == "t.csv:2:4: error: NUL byte in the data (a binary or UTF-16 file?)")
    }

    @Test func utf16IsRecognised() {
        var scanner = CSVScanner(source: memorySource(bytes: [0xFF, 0xFE, 0x61, 0x00]), displayPath: "u.csv")
        let error = caught { try scanner.next() }
        #expect(error.map { "\($0)" } == "u.csv:1: error: the file is UTF-16; save it as UTF-8")
    }

    @Test func overlongRecordIsAnErrorWithBoundedMemory() {
        let line = String(repeating: "x", count: 10 << 20)
        let error = caught { try scan("a,b\n" + line + ",1\n", maxRecordBytes: 1 << 20) }
        #expect(
            error.map { "\($0)" }
                == "t.csv:2: error: record is longer than 1048576 bytes (limit `limits.max_line_bytes`); is this a CSV file?"
        )
    }

    @Test func columnsPointAtTheField() throws {
        var scanner = CSVScanner(source: memorySource("a,b,c\nxx,\"yy\",zz\n"), displayPath: "c.csv")
        #expect(try scanner.next())
        #expect(try scanner.next())
        #expect(scanner.location(of: 0).description == "c.csv:2:1")
        #expect(scanner.location(of: 1).description == "c.csv:2:4")
        #expect(scanner.location(of: 2).description == "c.csv:2:9")
    }
}

/// The scanner finds the ends of unquoted fields from a bit per byte of a 64-byte block.
@Suite struct StopBitsTests {
    @Test(arguments: [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")])
    func everyDelimiterLineEndAndNulIsMarkedAndNothingElse(delimiter: UInt8) {
        var random = SplitMix64(seed: UInt64(delimiter))
        let alphabet: [UInt8] = [0, 0x0A, 0x0D, 0x2C, 0x3B, 0x09, 0x7C, 0x22, 0x41, 0x30, 0x80, 0xFF, 0x8A, 0x2D]
        for _ in 0..<2000 {
            let block = (0..<64).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            var expected: UInt64 = 0
            for (index, byte) in block.enumerated() where [delimiter, 0x0A, 0x0D, 0].contains(byte) {
                expected |= 1 << UInt64(index)
            }
            let bits = block.withUnsafeBytes { CSVScanner.stopBits($0.baseAddress!, delimiter: delimiter) }
            #expect(bits == expected, "\(block)")
            // The loop used where SSE2 is missing (aarch64) gives the same bits.
            let portable = block.withUnsafeBytes { CSVScanner.portableStopBits($0.baseAddress!, delimiter: delimiter) }
            #expect(portable == expected, "\(block)")
        }
    }
}

/// Without quotes a CSV file is lines split at LF, CRLF or CR, and fields split at the delimiter; a NUL stops it. The
/// scanner finds those bytes from 64-byte blocks that run past the data it holds (stale bytes of an earlier fill lie
/// there), so random files of that alphabet are read in random chunks, into buffers that start small and grow, and
/// compared with splitting the bytes directly.
@Suite struct UnquotedScanTests {
    /// (line, fields) of every non-blank line, and where a NUL stopped the read (`line:column`).
    static func split(_ bytes: [UInt8], delimiter: UInt8) -> ([(Int, [String])], String?) {
        var records: [(Int, [String])] = []
        var line = 1
        var lineStart = 0
        var current: [UInt8] = []
        var index = 0
        func finish() {
            if !current.isEmpty {
                let fields = current.split(separator: delimiter, omittingEmptySubsequences: false)
                records.append((line, fields.map { String(decoding: $0, as: UTF8.self) }))
            }
            current = []
        }
        while index < bytes.count {
            let byte = bytes[index]
            if byte == 0 { return (records, "\(line):\(index - lineStart + 1)") }
            if byte == 0x0A || byte == 0x0D {
                finish()
                if byte == 0x0D, index + 1 < bytes.count, bytes[index + 1] == 0x0A { index += 1 }
                line += 1
                lineStart = index + 1
            } else {
                current.append(byte)
            }
            index += 1
        }
        finish()
        return (records, nil)
    }

    @Test func randomUnquotedFilesSplitAtEveryStopByte() {
        var random = SplitMix64(seed: 64)
        for round in 0..<3000 {
            let delimiter = [UInt8(ascii: ","), UInt8(ascii: ";"), UInt8(ascii: "\t"), UInt8(ascii: "|")][round % 4]
            let alphabet: [UInt8] =
                [0x61, 0x62, 0xC3, 0xA9, 0x2C, 0x3B, 0x09, 0x7C, 0x0A, 0x0D, 0x20] + [delimiter, delimiter]
            let length = Int(random.next() % 400)
            var bytes = (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            // Long fields too, so a field runs across several blocks.
            if random.next() % 4 == 0 {
                bytes.insert(contentsOf: repeatElement(0x78, count: Int(random.next() % 300)), at: bytes.count / 2)
            }
            if random.next() % 10 == 0 { bytes.insert(0, at: Int(random.next() % UInt64(bytes.count + 1))) }
            // A first field that is not a byte order mark's start.
            bytes.insert(0x61, at: 0)
            let (expected, stops) = Self.split(bytes, delimiter: delimiter)
            let chunk = 1 + Int(random.next() % 150)
            var scanner = CSVScanner(
                source: ChunkedSource(bytes, chunks: [chunk, 1 + Int(random.next() % 70)]), displayPath: "t.csv",
                delimiter: delimiter, chunkSize: 64 + Int(random.next() % 256), maxRecordBytes: 1 << 16)
            var records: [(Int, [String])] = []
            var failed: String?
            do {
                while try scanner.next() {
                    records.append((scanner.line, (0..<scanner.fieldCount).map { scanner.string($0) }))
                }
            } catch {
                failed = "\(error.location?.line ?? 0):\(error.location?.column ?? 0)"
                #expect(error.description.contains("NUL byte"), "round \(round): \(error)")
            }
            #expect(failed == stops, "round \(round): where the NUL stopped the read")
            #expect(records.map(\.0) == expected.map(\.0), "round \(round): lines")
            #expect(records.map(\.1) == expected.map(\.1), "round \(round): fields")
        }
    }
}
