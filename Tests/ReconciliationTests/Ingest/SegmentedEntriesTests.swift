import Foundation
import ReconWorkload
import Testing

@testable import Reconciliation

/// A large gzipped ledger is cut into segments as it is inflated and summed on several threads. The result — sums,
/// first-seen order, lines, row count, diagnostics — must be the sequential read's, and whatever the segments cannot
/// decide the way a sequential read would must send the input back to be read in one piece.
@Suite struct SegmentedEntriesTests {
    let directory = TemporaryDirectory()
    static let options = InputOptions(
        kind: .entries, fields: FieldMapping(venue: "venue", account: "account", asset: "asset", amount: "amount"))

    /// Bytes from memory, handed out in the given chunk sizes (cycling), as an inflater hands out what it has.
    final class MemorySource: ByteSource {
        let bytes: [UInt8]
        let chunks: [Int]
        var offset = 0
        var call = 0
        var failAt: Int?

        init(_ bytes: [UInt8], chunks: [Int] = [1 << 20], failAt: Int? = nil) {
            self.bytes = bytes
            self.chunks = chunks
            self.failAt = failAt
        }

        func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReconciliationError) -> Int {
            if let failAt, offset >= failAt {
                throw ReconciliationError(.ingest, "gzip data is damaged", at: SourceLocation(file: "ledger.csv.gz"))
            }
            let size = chunks[call % chunks.count]
            call += 1
            let count = min(buffer.count, size, bytes.count - offset, (failAt ?? .max) - offset)
            guard count > 0 else { return 0 }
            bytes.withUnsafeBytes { source in
                buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + count)]))
            }
            offset += count
            return count
        }
    }

    static func sequential(_ text: String, options: InputOptions = options) -> (RecordCollector, String?) {
        let collector = RecordCollector(kind: .entries, maxErrors: options.limits.maxErrors)
        do {
            try CSVStatementReader().read(
                MemorySource(Array(text.utf8)), path: "ledger.csv", options: options, into: collector)
            return (collector, nil)
        } catch {
            return (collector, error.description)
        }
    }

    static func segmented(
        _ text: String, segmentBytes: Int, workers: Int, chunks: [Int] = [1 << 20], options: InputOptions = options,
        failAt: Int? = nil
    ) -> (Bool, RecordCollector) {
        let collector = RecordCollector(kind: .entries, maxErrors: options.limits.maxErrors)
        let done = CSVStatementReader().sumEntriesInSegments(
            MemorySource(Array(text.utf8), chunks: chunks, failAt: failAt), displayPath: "ledger.csv",
            options: options, into: collector, workers: workers, segmentBytes: segmentBytes)
        return (done, collector)
    }

    /// Everything a reader leaves in a collector, in order.
    static func state(_ collector: RecordCollector) -> [String] {
        collector.records.map {
            "\($0.venue ?? "-")|\($0.account ?? "-")|\($0.asset)|\($0.total)|\($0.available.map(String.init(describing:)) ?? "-")|"
                + "\($0.hold.map(String.init(describing:)) ?? "-")|\($0.location)|\($0.entryCount)"
        } + collector.diagnostics.map(\.description) + ["rows \(collector.rowCount)"]
    }

    @Test(arguments: [(4096, 2), (65536, 2), (1000, 3), (333, 1)])
    func segmentsGiveTheSequentialSumsOrderLinesAndCounts(segmentBytes: Int, workers: Int) throws {
        let workload = try WorkloadGenerator(entries: 20_000, gzip: false).write(
            to: directory.path + "/w\(segmentBytes)-\(workers)")
        let text = try String(contentsOfFile: workload.ledgerPath, encoding: .utf8)
        let (done, parallel) = Self.segmented(
            text, segmentBytes: segmentBytes, workers: workers, chunks: [7919, 65536])
        #expect(done)
        #expect(parallel.rowCount == 20_000)
        #expect(Self.state(parallel) == Self.state(Self.sequential(text).0))
    }

    /// Rows of every shape the scanner knows, cut at every kind of place: quoted line breaks running across one cut or
    /// several (the next segments are summed again from where the record ended), CRLF and bare CR line ends, blank
    /// lines, a byte order mark, escaped quotes, precomposed and decomposed é, ragged rows and bad amounts in any
    /// segment (located on the file's line). Each file is summed with segments of 48 bytes to 4 KiB on one to four
    /// threads, and must give the sequential read's collector exactly.
    @Test func randomFilesGiveTheSequentialResult() {
        var random = SplitMix64(seed: 0x5EED)
        for round in 0..<300 {
            var text = random.next() % 4 == 0 ? "\u{FEFF}" : ""
            text += "venue,account,asset,amount,memo\n"
            let rows = Int(random.next() % 300) + 1
            var errors = 0
            for _ in 0..<rows {
                let end = ["\n", "\n", "\n", "\r\n", "\r"][Int(random.next() % 5)]
                switch random.next() % 40 {
                case 0: text += end  // a blank line
                case 1 where errors < 10:
                    errors += 1
                    text += "k,m,BTC,1x,bad\(end)"
                case 2 where errors < 10:
                    errors += 1
                    text += "k,m,BTC\(end)"
                case 3:
                    let breaks = Int(random.next() % 120)
                    text += "k,m,ETH,2,\"" + String(repeating: "memo line\n", count: breaks) + "\"\(end)"
                default:
                    let venue = ["k", "\"kr,aken\"", "caf\u{E9}", "cafe\u{301}", "\"b\"\"q\""][Int(random.next() % 5)]
                    let account = ["m", "n", "\"a\nb\"", ""][Int(random.next() % 4)]
                    let asset = ["BTC", "ETH", "usd"][Int(random.next() % 3)]
                    let sign = random.next() % 3 == 0 ? "-" : ""
                    let scale = Int(random.next() % 9)
                    let digits = String(random.next() % 10_000_000)
                    let amount = scale == 0 ? digits : digits + "." + String(repeating: "7", count: scale)
                    text += "\(venue),\(account),\(asset),\(sign)\(amount),x\(end)"
                }
            }
            let (reference, thrown) = Self.sequential(text)
            guard thrown == nil else {
                Issue.record("round \(round): the sequential read threw \(thrown ?? "")")
                continue
            }
            let segmentBytes = 48 + Int(random.next() % 4096)
            let workers = 1 + Int(random.next() % 4)
            let chunks = [1 + Int(random.next() % 5000), 1 + Int(random.next() % 300)]
            let (done, parallel) = Self.segmented(text, segmentBytes: segmentBytes, workers: workers, chunks: chunks)
            #expect(done, "round \(round): segments of \(segmentBytes) bytes on \(workers) threads gave up")
            #expect(
                Self.state(parallel) == Self.state(reference),
                "round \(round): segments of \(segmentBytes) bytes on \(workers) threads")
        }
    }

    @Test func aMemoRunningAcrossManySegmentsIsSummedFromWhereItEnds() {
        var text = "venue,account,asset,amount,memo\n"
        for _ in 0..<200 { text += "k,m,BTC,1,plain\n" }
        text += "k,m,ETH,2,\"" + String(repeating: "line\n", count: 2000) + "\"\n"
        for _ in 0..<200 { text += "k,m,BTC,1,plain\n" }
        text += "k,m,BTC,oops,plain\n"
        // 10 KB of memo over segments of 512 bytes: the window (workers + 2) is exceeded while the record is read.
        let (done, parallel) = Self.segmented(text, segmentBytes: 512, workers: 2)
        #expect(done)
        #expect(
            Self.state(parallel) == [
                "k|m|BTC|400|-|-|ledger.csv:2|400", "k|m|ETH|2|-|-|ledger.csv:202|1",
                "ledger.csv:2403:9: error: invalid amount 'oops' (column amount): unexpected character 'o'",
                "rows 401",
            ])
        #expect(Self.state(parallel) == Self.state(Self.sequential(text).0))
    }

    /// −6e37 early, +6e37 twice late: the sequential sum never leaves 38 digits, a late segment's alone does.
    @Test func aSumLeavingTheExactRangeInOneSegmentAloneIsDecidedSequentially() {
        let large = "60000000000000000000000000000000000000"
        let rows = (0..<2000).map {
            $0 == 10 ? "k,m,BTC,-\(large)\n" : $0 == 1980 || $0 == 1990 ? "k,m,BTC,\(large)\n" : "k,m,BTC,0\n"
        }
        let text = "venue,account,asset,amount\n" + rows.joined()
        let (done, collector) = Self.segmented(text, segmentBytes: 1024, workers: 2)
        #expect(!done)
        #expect(Self.state(collector) == ["rows 0"])  // untouched
    }

    /// Mostly distinct keys gain nothing from segments (each segment's keys are merged once more, and held): judged
    /// on the first segment, such a ledger is read in one piece; repeating keys are not.
    @Test func aLedgerOfMostlyDistinctKeysIsReadInOnePiece() {
        var distinct = "venue,account,asset,amount\n"
        var repeating = distinct
        for row in 0..<30_000 {
            distinct += "k,a\(row),BTC,1\n"
            repeating += "k,a\(row % 5000),BTC,1\n"
        }
        #expect(!Self.segmented(distinct, segmentBytes: 1 << 20, workers: 2).0)
        let (done, collector) = Self.segmented(repeating, segmentBytes: 1 << 20, workers: 2)
        #expect(done)
        #expect(Self.state(collector) == Self.state(Self.sequential(repeating).0))
    }

    /// +6e37 early; +6e37 then −6e37 late. The sequential read refuses the second +6e37 (its running sum leaves 38
    /// digits) and ends at 0 with an error; a late segment alone sums to 0 and the merged total, 6e37, fits — a wrong
    /// balance without an error, unless the merge proves the running values fit (it cannot here: read in one piece).
    static let overflowOnTheWay =
        "venue,account,asset,amount\n"
        + (0..<2000).map {
            $0 == 10 || $0 == 1980
                ? "k,m,BTC,60000000000000000000000000000000000000\n"
                : $0 == 1990 ? "k,m,BTC,-60000000000000000000000000000000000000\n" : "k,m,BTC,0\n"
        }.joined()

    @Test func aSumLeavingTheExactRangeOnlyOnTheWayIsDecidedSequentially() {
        let (reference, _) = Self.sequential(Self.overflowOnTheWay)
        #expect(
            Self.state(reference) == [
                "k|m|BTC|0|-|-|ledger.csv:2|1999",
                "ledger.csv:1982:9: error: the sum of entries for this key leaves the exact range (more than 38 digits)",
                "rows 1999",
            ])
        let (done, collector) = Self.segmented(Self.overflowOnTheWay, segmentBytes: 1024, workers: 2)
        #expect(!done)
        #expect(Self.state(collector) == ["rows 0"])
        // Large sums that provably stay in range are still summed in segments.
        let fits = Self.overflowOnTheWay.replacingOccurrences(of: "600000", with: "100000")
        let (summed, parallel) = Self.segmented(fits, segmentBytes: 1024, workers: 2)
        #expect(summed)
        #expect(Self.state(parallel) == Self.state(Self.sequential(fits).0))
    }

    /// The error limit counts across the files of an input: a file summed in segments may collect only what the
    /// earlier files left of it.
    @Test func theErrorLimitSpansTheFilesOfAnInput() throws {
        var first = "venue,account,asset,amount\n"
        for line in 2...1001 { first += line % 300 == 0 ? "k,m,BTC,bad\n" : "k,m,BTC,1\n" }  // 3 errors
        var second = "venue,account,asset,amount\n"
        for line in 2...4001 { second += line % 900 == 0 ? "k,m,BTC,bad\n" : "k,m,BTC,1\n" }  // 4 errors
        let paths = [try directory.writeGzip(first, to: "a.csv.gz"), try directory.writeGzip(second, to: "b.csv.gz")]
        var options = Self.options
        options.limits.maxErrors = 5
        let segmented = load(paths, segmentsAbove: 0, options: options)
        let serial = load(paths, segmentsAbove: .max, options: options)
        #expect(serial.diagnostics.filter { $0.severity == .error }.count == 5)
        #expect(segmented.messages == serial.messages)
        #expect(segmented.recordCount == serial.recordCount)
    }

    /// The loader on random gzipped files of one to three members, the format named or detected (which starts the
    /// read-ahead): the same outcome as reading in one piece.
    @Test(arguments: [false, true])
    func theLoaderGivesTheSequentialOutcome(detect: Bool) throws {
        var random = SplitMix64(seed: detect ? 7 : 8)
        for round in 0..<10 {
            var text = "venue,account,asset,amount\n"
            for _ in 0..<(2000 + Int(random.next() % 3000)) {
                switch random.next() % 200 {
                case 0: text += "k,m,BTC,bad\n"
                case 1: text += "k,m,ETH,\"111\"\n"
                case 2: text += "k,\"m\n\(random.next() % 5)\",BTC,1\n"
                default: text += "k,\(random.next() % 50),BTC,\(random.next() % 1000).\(random.next() % 100)\n"
                }
            }
            let path = try directory.writeGzip(
                text, to: "r\(round)-\(detect).csv.gz", members: 1 + Int(random.next() % 3))
            var options = Self.options
            options.limits.maxErrors = 5 + round % 30
            let format = detect ? nil : "csv"
            let parallel = load([path], segmentsAbove: 0, options: options, format: format)
            let serial = load([path], segmentsAbove: .max, options: options, format: format)
            #expect(parallel.failure?.description == serial.failure?.description, "round \(round)")
            #expect(parallel.messages == serial.messages, "round \(round)")
            #expect(parallel.recordCount == serial.recordCount, "round \(round)")
            #expect(parallel.balances.map { "\($0)" } == serial.balances.map { "\($0)" }, "round \(round)")
            #expect(parallel.files.map(\.sha256) == serial.files.map(\.sha256), "round \(round)")
        }
    }

    @Test func theErrorLimitCountsAcrossSegments() {
        var text = "venue,account,asset,amount\n"
        for line in 2...4001 { text += line % 400 == 0 ? "k,m,BTC,bad\n" : "k,m,BTC,0.001\n" }
        var limited = Self.options
        limited.limits.maxErrors = 6
        #expect(!Self.segmented(text, segmentBytes: 4096, workers: 2, options: limited).0)
        limited.limits.maxErrors = 11
        let (done, collector) = Self.segmented(text, segmentBytes: 4096, workers: 2, options: limited)
        #expect(done)
        #expect(Self.state(collector) == Self.state(Self.sequential(text, options: limited).0))
        #expect(collector.diagnostics.count == 10)
    }

    @Test(arguments: [
        ("k,m,BTC,1\u{0}\n", "NUL byte"),
        ("k,m,BTC,\"1\"x\n", "after a closing quote"),
    ])
    func anErrorThatStopsReadingIsLeftToTheSequentialRead(row: String, expected: String) {
        var text = "venue,account,asset,amount\n"
        for line in 2...4001 { text += line == 3500 ? row : "k,m,BTC,0.001\n" }
        let (done, collector) = Self.segmented(text, segmentBytes: 4096, workers: 2)
        #expect(!done)
        #expect(Self.state(collector) == ["rows 0"])
        #expect(Self.sequential(text).1?.contains("ledger.csv:3500:") == true)
        #expect(Self.sequential(text).1?.contains(expected) == true)
    }

    @Test func aFailingStreamIsLeftToTheSequentialRead() {
        let text = "venue,account,asset,amount\n" + String(repeating: "k,m,BTC,1\n", count: 5000)
        let (done, collector) = Self.segmented(text, segmentBytes: 4096, workers: 2, failAt: 30_000)
        #expect(!done)
        #expect(Self.state(collector) == ["rows 0"])
    }

    @Test func noLineFeedWithinTheRecordLimitIsLeftToTheSequentialRead() {
        // Bare CR line ends: a segment never finds a line feed to be cut after.
        let text = "venue,account,asset,amount\r" + String(repeating: "k,m,BTC,1\r", count: 5000)
        var options = Self.options
        options.limits.maxRecordBytes = 1024
        let (done, _) = Self.segmented(text, segmentBytes: 512, workers: 2, options: options)
        #expect(!done)
        let (reference, thrown) = Self.sequential(text, options: options)
        #expect(thrown == nil)
        #expect(reference.rowCount == 5000)
    }

    @Test(arguments: [
        "", "venue,account,asset,amount\n", "venue,account,asset,amount", "\n\nvenue,account,asset,amount\n",
    ])
    func emptyAndHeaderOnlyFilesMatchTheSequentialRead(text: String) {
        let (done, collector) = Self.segmented(text, segmentBytes: 64, workers: 2)
        let (reference, thrown) = Self.sequential(text)
        if thrown != nil {
            #expect(!done)
        } else {
            #expect(done)
            #expect(Self.state(collector) == Self.state(reference))
        }
    }

    @Test func aMissingColumnIsLeftToTheSequentialRead() {
        let text = "venue,account,asset,value\nk,m,BTC,1\n"
        #expect(!Self.segmented(text, segmentBytes: 64, workers: 2).0)
        #expect(Self.sequential(text).1?.contains("column 'amount' for amount not found") == true)
    }

    /// Loads `path` through the loader, summing in segments when the gzipped file is at least `threshold` bytes.
    func load(_ path: String, segmentsAbove threshold: Int64) -> InputOutcome {
        load([path], segmentsAbove: threshold)
    }

    /// Loads one input of `paths` (shown as ledger.csv.gz, or ledger0.csv.gz, ledger1.csv.gz, …).
    func load(
        _ paths: [String], segmentsAbove threshold: Int64, options: InputOptions = options, format: String? = "csv"
    ) -> InputOutcome {
        let files = paths.enumerated().map {
            InputFile(path: $1, displayPath: paths.count == 1 ? "ledger.csv.gz" : "ledger\($0).csv.gz")
        }
        let spec = InputSpec(side: .ledger, name: "ledger", files: files, format: format, options: options)
        var loader = InputLoader(prefetch: true)
        loader.segmentThreshold = threshold
        loader.readAheadThreshold = 0
        return loader.load(spec, index: 0)
    }

    @Test func theLoaderSumsAGzippedLedgerInSegmentsWithTheSameBalancesAndDigest() throws {
        let workload = try WorkloadGenerator(entries: 30_000, gzip: true).write(to: directory.path + "/loader")
        let parallel = load(workload.ledgerPath, segmentsAbove: 0)
        let serial = load(workload.ledgerPath, segmentsAbove: .max)
        #expect(parallel.failure == nil)
        #expect(parallel.recordCount == 30_000)
        #expect(parallel.summary == serial.summary)
        #expect(parallel.balances.map(\.source) == serial.balances.map(\.source))
        #expect(parallel.files.map(\.sha256) == serial.files.map(\.sha256))
        #expect(parallel.files.first?.sha256.count == 64)
    }

    /// A damaged gzip member and a NUL byte: the segments give up and the file is read again in one piece, with the
    /// sequential read's words and the file's digest.
    @Test func theLoaderReadsADamagedOrStoppingFileAgainInOnePiece() throws {
        var text = "venue,account,asset,amount\n"
        for line in 2...60_001 { text += line == 50_000 ? "k,m,BTC,1\u{0}\n" : "k,m,BTC,0.001\n" }
        let nul = try directory.writeGzip(text, to: "nul.csv.gz")
        let cut = try directory.writeGzip(String(text.prefix(200_000)), to: "whole.csv.gz")
        let bytes = try Array(Data(contentsOf: URL(fileURLWithPath: cut)))
        let truncated = directory.write(Array(bytes.prefix(bytes.count - 100)), to: "cut.csv.gz")
        for path in [nul, truncated] {
            let parallel = load(path, segmentsAbove: 0)
            let serial = load(path, segmentsAbove: .max)
            #expect(parallel.failure != nil)
            #expect(parallel.failure?.description == serial.failure?.description)
            #expect(parallel.messages == serial.messages)
            #expect(parallel.files.map(\.sha256) == serial.files.map(\.sha256))
        }
        #expect(load(nul, segmentsAbove: 0).failure?.description.contains("ledger.csv.gz:50000:") == true)
    }
}
