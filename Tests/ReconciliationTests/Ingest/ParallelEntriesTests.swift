import ReconWorkload
import Testing

@testable import Reconciliation

/// Large plain ledgers are summed in ranges on several threads; the result must be the sequential one, byte for byte,
/// and a file whose quoted line breaks fool the range split must be detected and read in one piece.
@Suite struct ParallelEntriesTests {
    let directory = TemporaryDirectory()
    let options = InputOptions(
        kind: .entries, fields: FieldMapping(venue: "venue", account: "account", asset: "asset", amount: "amount"))

    func sequential(_ path: String) throws -> RecordCollector {
        let collector = RecordCollector(kind: .entries)
        let input = try InputBytes(path: path, displayPath: "ledger.csv")
        try CSVStatementReader().read(input.bytes, path: "ledger.csv", options: options, into: collector)
        return collector
    }

    func ranges(_ path: String, workers: Int) throws -> (Bool, RecordCollector) {
        let collector = RecordCollector(kind: .entries)
        let size = try FileByteSource(path: path, displayPath: "ledger.csv").size
        let done = try CSVStatementReader().sumEntriesInRanges(
            path: path, displayPath: "ledger.csv", size: size, options: options, into: collector,
            progress: ByteCounter(), workers: workers)
        return (done, collector)
    }

    func summary(_ collector: RecordCollector) -> [String] {
        collector.records.map {
            "\($0.venue ?? "")/\($0.account ?? "")/\($0.asset)=\($0.total)@\($0.location.line)x\($0.entryCount)"
        }
        .sorted()
    }

    @Test(arguments: [2, 3, 7])
    func rangesGiveTheSequentialSumsLinesAndCounts(workers: Int) throws {
        let workload = try WorkloadGenerator(entries: 20_000, gzip: false).write(to: directory.path + "/w\(workers)")
        let (done, parallel) = try ranges(workload.ledgerPath, workers: workers)
        #expect(done)
        let reference = try sequential(workload.ledgerPath)
        #expect(parallel.rowCount == 20_000)
        #expect(summary(parallel) == summary(reference))
    }

    @Test func badRowsInLaterRangesKeepTheirLineNumbers() throws {
        var text = "venue,account,asset,amount\n"
        for line in 2...4001 {
            text += line == 3500 ? "k,m,BTC,12x\n" : "k,m,BTC,0.001\n"
        }
        let path = directory.write(text, to: "bad.csv")
        let (done, parallel) = try ranges(path, workers: 4)
        #expect(done)
        #expect(
            parallel.diagnostics.map(\.description) == [
                "ledger.csv:3500:9: error: invalid amount '12x' (column amount): unexpected character 'x'"
            ])
        #expect(summary(parallel) == ["k/m/BTC=3.999@2x3999"])
    }

    /// Ten errors spread evenly over ranges, each range under the limit of six but over it together (on two cores as
    /// on four): the result must be the sequential one (six errors, reading stopped), not every range's errors.
    @Test func theErrorLimitCountsAcrossRanges() throws {
        var text = "venue,account,asset,amount\n"
        for line in 2...4001 {
            text += line % 400 == 0 ? "k,m,BTC,bad\n" : "k,m,BTC,0.001\n"
        }
        let path = directory.write(text, to: "errors.csv")
        var limited = options
        limited.limits.maxErrors = 6
        let collector = RecordCollector(kind: .entries, maxErrors: 6)
        let done = try CSVStatementReader().sumEntriesInRanges(
            path: path, displayPath: "ledger.csv", size: Int64(text.utf8.count), options: limited, into: collector,
            progress: ByteCounter(), workers: 4)
        #expect(!done)
        let parallel = load(path, parallelAbove: 0, options: limited)
        let serial = load(path, parallelAbove: .max, options: limited)
        #expect(parallel.diagnostics.filter { $0.severity == .error }.count == 6)
        #expect(parallel.messages == serial.messages)
        #expect(
            parallel.messages.first
                == "ledger.csv:400:9: error: invalid amount 'bad' (column amount): unexpected character 'b'")
    }

    /// Each half sums within 38 digits but the two together do not: the sequential read must say on which row.
    @Test func aSumOverflowingOnlyWhenRangesMergeFallsBackToOnePiece() throws {
        let large = "60000000000000000000000000000000000000"
        let rows = (0..<2000).map { $0 == 10 || $0 == 1990 ? "k,m,BTC,\(large)\n" : "k,m,BTC,0\n" }
        let path = directory.write("venue,account,asset,amount\n" + rows.joined(), to: "overflow.csv")
        let (done, _) = try ranges(path, workers: 2)
        #expect(!done)
        let loaded = load(path, parallelAbove: 0)
        #expect(loaded.messages.count == 1)
        #expect(loaded.messages.first?.hasPrefix("ledger.csv:1992:") == true)
    }

    /// A later range's running sum starts from zero, not from the rows before it: here the sequential sum never leaves
    /// 38 digits (−6e37, then +6e37 twice), but the second range alone does. The ranges must not report a row the
    /// sequential read accepts (nor merge the wrong sum).
    @Test func aSumOverflowingOnlyInALaterRangeFallsBackToOnePiece() throws {
        let large = "60000000000000000000000000000000000000"
        let rows = (0..<2000).map {
            $0 == 10 ? "k,m,BTC,-\(large)\n" : $0 == 1980 || $0 == 1990 ? "k,m,BTC,\(large)\n" : "k,m,BTC,0\n"
        }
        let path = directory.write("venue,account,asset,amount\n" + rows.joined(), to: "later.csv")
        let (done, _) = try ranges(path, workers: 2)
        #expect(!done)
        let loaded = load(path, parallelAbove: 0)
        #expect(loaded.messages.isEmpty)
        #expect(loaded.summary == ["k/m/BTC=\(large)"])
    }

    /// A later range whose rows cancel out (+6e37, −6e37) after an earlier +6e37: no range's own sum leaves 38 digits,
    /// nor the merged one, but the sequential read's does on the way (and refuses that row).
    @Test func aSumLeavingTheExactRangeOnlyOnTheWayFallsBackToOnePiece() throws {
        let path = directory.write(SegmentedEntriesTests.overflowOnTheWay, to: "way.csv")
        let (done, _) = try ranges(path, workers: 2)
        #expect(!done)
        let loaded = load(path, parallelAbove: 0)
        // The row is refused where the sequential read refuses it, and the input fails.
        #expect(loaded.messages.count == 1)
        #expect(loaded.messages.first?.hasPrefix("ledger.csv:1982:9: error: the sum of entries") == true)
        #expect(loaded.failed)
    }

    /// The error limit counts across an input's files: a file read in ranges may collect only what is left of it.
    @Test func theErrorLimitSpansThePlainFilesOfAnInput() throws {
        var first = "venue,account,asset,amount\n"
        for line in 2...1001 { first += line % 300 == 0 ? "k,m,BTC,bad\n" : "k,m,BTC,1\n" }
        var second = "venue,account,asset,amount\n"
        for line in 2...4001 { second += line % 900 == 0 ? "k,m,BTC,bad\n" : "k,m,BTC,1\n" }
        let paths = [directory.write(first, to: "a.csv"), directory.write(second, to: "b.csv")]
        func load(_ threshold: Int64) -> InputOutcome {
            var options = self.options
            options.limits.maxErrors = 5
            let spec = InputSpec(
                side: .ledger, name: "ledger",
                files: paths.enumerated().map { InputFile(path: $1, displayPath: "ledger\($0).csv") }, format: "csv",
                options: options)
            var loader = InputLoader(prefetch: true)
            loader.parallelThreshold = threshold
            return loader.load(spec, index: 0)
        }
        let parallel = load(0)
        let serial = load(.max)
        #expect(parallel.recordCount == serial.recordCount)
        #expect(parallel.messages == serial.messages)
    }

    /// An error that stops a later range (a NUL byte) is located by the sequential read: the range counted lines from
    /// its own start.
    @Test func anErrorStoppingALaterRangeNamesTheFilesLine() throws {
        var text = "venue,account,asset,amount\n"
        for line in 2...4001 { text += line == 3500 ? "k,m,BTC,1\u{0}\n" : "k,m,BTC,0.001\n" }
        let path = directory.write(text, to: "nul.csv")
        let (done, _) = try ranges(path, workers: 2)
        #expect(!done)
        let parallel = load(path, parallelAbove: 0)
        let serial = load(path, parallelAbove: .max)
        #expect(
            parallel.failure?.description
                == "ledger.csv:3500:10: error: NUL byte in the data (a binary or UTF-16 file?)")
        #expect(parallel.failure?.description == serial.failure?.description)
    }

    @Test func aQuotedLineBreakAtTheSplitFallsBackToOnePiece() throws {
        // One long quoted memo full of line breaks spans the middle of the file.
        var text = "venue,account,asset,amount,memo\n"
        for _ in 0..<200 { text += "k,m,BTC,1,plain\n" }
        text += "k,m,ETH,2,\"" + String(repeating: "line\n", count: 2000) + "\"\n"
        for _ in 0..<200 { text += "k,m,BTC,1,plain\n" }
        let path = directory.write(text, to: "quoted.csv")
        let (done, _) = try ranges(path, workers: 2)
        #expect(!done)
        // The loader then reads it in one piece, correctly.
        let loaded = load(path, parallelAbove: 0)
        #expect(loaded.failure == nil)
        #expect(loaded.summary == ["k/m/BTC=400", "k/m/ETH=2"])
        #expect(loaded.recordCount == 401)
    }

    /// Loads `path` as an entries CSV through the loader, reading in ranges when the file is at least `parallelAbove`.
    func load(_ path: String, parallelAbove threshold: Int64, options: InputOptions? = nil) -> InputOutcome {
        let spec = InputSpec(
            side: .ledger, name: "ledger", files: [InputFile(path: path, displayPath: "ledger.csv")], format: "csv",
            options: options ?? self.options)
        var loader = InputLoader(prefetch: true)
        loader.parallelThreshold = threshold
        return loader.load(spec, index: 0)
    }

    @Test func theLoaderReadsInRangesWithTheSameBalancesAndDigest() throws {
        let workload = try WorkloadGenerator(entries: 30_000, gzip: false).write(to: directory.path + "/loader")
        let parallel = load(workload.ledgerPath, parallelAbove: 0)
        let serial = load(workload.ledgerPath, parallelAbove: .max)
        #expect(parallel.failure == nil)
        #expect(parallel.recordCount == 30_000)
        #expect(parallel.summary == serial.summary)
        #expect(parallel.files.map(\.sha256) == serial.files.map(\.sha256))
        #expect(parallel.files.first?.sha256.count == 64)
    }
}
