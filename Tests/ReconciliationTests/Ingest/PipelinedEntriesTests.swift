import FuzzTargets
import ReconWorkload
import Testing

@testable import Reconciliation

/// Plain entry rows are summed three rows after they are parsed, so their keys' memory loads overlap the next rows'
/// parsing. Everything a reader leaves — sums, first-seen order, lines, row count, diagnostics and their order, the
/// error that stops a read — must be what summing each row as it is read leaves.
@Suite struct PipelinedEntriesTests {
    static func read(_ text: String, chunks: [Int], maxErrors: Int, pipelined: Bool) -> [String] {
        let options = InputOptions(
            kind: .entries, fields: FieldMapping(venue: "venue", account: "account", asset: "asset", amount: "amount"),
            limits: IngestLimits(maxErrors: maxErrors))
        let collector = RecordCollector(kind: .entries, maxErrors: maxErrors)
        var reader = CSVStatementReader()
        reader.pipelinesRows = pipelined
        var thrown = "-"
        do {
            try reader.read(
                ChunkedSource(Array(text.utf8), chunks: chunks), path: "ledger.csv", options: options,
                into: collector)
        } catch {
            thrown = error.description
        }
        return SegmentedEntriesTests.state(collector) + ["thrown \(thrown)"]
    }

    /// Random ledgers with every kind of bad row between good ones — bad amounts, ragged rows, empty assets, sums
    /// leaving 38 digits, key parts too long, quoted fields, a NUL or an unclosed quote that stops the read — handed
    /// out in small chunks (so the buffer moves under waiting rows) with error limits that stop reading anywhere.
    @Test func randomLedgersGiveWhatSummingEachRowAsReadGives() {
        var random = SplitMix64(seed: 0xB10C)
        let long = String(repeating: "a", count: EntryAggregator.maxKeyPartBytes + 1)
        var stoppedEarly = 0
        var threw = 0
        for round in 0..<400 {
            var text = "venue,account,asset,amount\n"
            let rows = Int(random.next() % 200) + 1
            for _ in 0..<rows {
                switch random.next() % 60 {
                case 0: text += "k,m,BTC,1x\n"
                case 1: text += "k,m,BTC\n"
                case 2: text += "k,m,,5\n"
                case 3: text += "k,m,BTC,90000000000000000000000000000000000000\n"
                case 4: text += "k,m,BTC,-90000000000000000000000000000000000000\n"
                case 5 where random.next() % 8 == 0: text += "k,\(long),BTC,1\n"
                case 6: text += "\"k\"\"q\",\"m\nn\",ETH,2.5\n"
                case 7: text += "\n"
                default:
                    let venue = ["k", "kraken", "binance-spot"][Int(random.next() % 3)]
                    let account = "acct-\(random.next() % 40)"
                    let asset = ["BTC", "ETH", "USDC"][Int(random.next() % 3)]
                    let scale = Int(random.next() % 20)
                    let digits = String(random.next() % 100_000_000)
                    let amount = scale == 0 ? digits : digits + "." + String(repeating: "3", count: scale)
                    text += "\(venue),\(account),\(asset),\(random.next() % 3 == 0 ? "-" : "")\(amount)\n"
                }
            }
            switch random.next() % 10 {
            case 0: text += "k,m,BTC,1\u{0}\n"
            case 1: text += "k,\"m,BTC,1\n"
            default: break
            }
            let chunks = [1 + Int(random.next() % 700), 1 + Int(random.next() % 64)]
            let maxErrors = 1 + Int(random.next() % 12)
            let direct = Self.read(text, chunks: chunks, maxErrors: maxErrors, pipelined: false)
            let pipelined = Self.read(text, chunks: chunks, maxErrors: maxErrors, pipelined: true)
            #expect(pipelined == direct, "round \(round): chunks \(chunks), max_errors \(maxErrors)")
            if direct.filter({ $0.contains(": error: ") }).count >= maxErrors { stoppedEarly += 1 }
            if direct.last != "thrown -" { threw += 1 }
        }
        // The rounds reach the paths that matter: reads stopped by an error and by the error limit.
        #expect(threw > 20)
        #expect(stoppedEarly > 20)
    }

    /// A sum leaving 38 digits is reported on the row that left it, with its own line and column, though that row
    /// was summed after the next rows were read.
    @Test func anOverflowIsReportedAtItsOwnRow() {
        let text =
            "venue,account,asset,amount\n"
            + "k,m,BTC,90000000000000000000000000000000000000\nk,m,BTC,90000000000000000000000000000000000000\n"
            + "k,n,BTC,1\nk,n,BTC,2\n"
        let state = Self.read(text, chunks: [1 << 20], maxErrors: 20, pipelined: true)
        #expect(
            state == [
                "k|m|BTC|90000000000000000000000000000000000000|-|-|ledger.csv:2|1",
                "k|n|BTC|3|-|-|ledger.csv:4|2",
                "ledger.csv:3:9: error: the sum of entries for this key leaves the exact range (more than 38 digits)",
                "rows 3", "thrown -",
            ])
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
        }
    }
}
