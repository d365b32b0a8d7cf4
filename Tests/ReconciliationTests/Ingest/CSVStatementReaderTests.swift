import Testing

@testable import Reconciliation

@Suite struct CSVStatementReaderTests {
    let directory = TemporaryDirectory()
    let mapping = FieldMapping(venue: "venue", account: "account", asset: "asset", amount: "amount")

    func read(_ text: String, kind: InputKind, options: InputOptions? = nil, gzip: Bool = false) throws
        -> RecordCollector
    {
        let path = gzip ? try directory.writeGzip(text, to: "in.csv.gz") : directory.write(text, to: "in.csv")
        var settings = options ?? InputOptions(kind: kind, fields: mapping)
        settings.kind = kind
        return try readRecords(path, format: "csv", options: settings)
    }

    @Test(arguments: [false, true])
    func entriesAreSummedPerKeyExactly(gzip: Bool) throws {
        let text = """
            venue,account,asset,amount
            kraken,main,BTC,0.10000000
            kraken,main,BTC,-0.00000001
            kraken,main,ETH,1.000000000000000001
            kraken,main,BTC,1
            kraken,main,ETH,2

            """
        let collector = try read(text, kind: .entries, gzip: gzip)
        #expect(collector.diagnostics.isEmpty)
        #expect(collector.rowCount == 5)
        let byAsset = Dictionary(uniqueKeysWithValues: collector.records.map { ($0.asset, $0) })
        #expect(byAsset["BTC"]?.total.description == "1.09999999")
        #expect(byAsset["BTC"]?.entryCount == 3)
        #expect(byAsset["BTC"]?.location.description == "in.csv\(gzip ? ".gz" : ""):2")
        #expect(byAsset["ETH"]?.total.description == "3.000000000000000001")
    }

    @Test func balancesKeepEveryRowEvenDuplicates() throws {
        let text = "venue,account,asset,amount\nkraken,main,BTC,1.5\nkraken,main,BTC,1.6\n"
        let collector = try read(text, kind: .balances)
        #expect(collector.records.map(\.total.description) == ["1.5", "1.6"])
        #expect(collector.records.map(\.location.line) == [2, 3])
    }

    @Test func badRowsAreReportedWithFileLineColumnAndText() throws {
        let text = """
            venue,account,asset,amount
            kraken,main,BTC,1,5
            kraken,main,BTC,123abc
            kraken,main,,1
            kraken,main,ETH,2
            kraken,main,ETH,1e400

            """
        let collector = try read(text, kind: .entries)
        #expect(
            collector.diagnostics.map(\.description) == [
                "in.csv:2: error: expected 4 fields as in the header, found 5",
                "in.csv:3:17: error: invalid amount '123abc' (column amount): unexpected character 'a'",
                "in.csv:4:13: error: empty asset (column asset)",
                "in.csv:6:17: error: invalid amount '1e400' (column amount): exponent out of range",
            ])
        #expect(collector.errorCount == 4)
    }

    @Test func missingColumnListsTheHeader() {
        var options = InputOptions(kind: .balances, fields: mapping)
        options.fields.amount = "balance"
        let error = caught { try read("venue,account,asset,amount\n", kind: .balances, options: options) }
        #expect(
            error.map { "\($0)" }
                == "in.csv:1: error: column 'balance' for amount not found (the header has: venue, account, asset, amount)"
        )
    }

    @Test func explicitAmountOptions() throws {
        var options = InputOptions(kind: .balances, fields: mapping, delimiter: UInt8(ascii: ";"))
        options.amountSyntax = AmountSyntax(
            decimalSeparator: UInt8(ascii: ","), groupingSeparator: UInt8(ascii: "."), allowsParentheses: true,
            emptyMeansZero: true)
        let text = "venue;account;asset;amount\nbank;DE01;EUR;1.234,50\nbank;DE02;EUR;(12,00)\nbank;DE03;EUR;\n"
        let collector = try read(text, kind: .balances, options: options)
        #expect(collector.records.map(\.total.description) == ["1234.50", "-12.00", "0"])
    }

    @Test func availableAndHoldMakeTheTotal() throws {
        let options = InputOptions(
            kind: .balances,
            fields: FieldMapping(venue: "venue", account: "account", asset: "asset", available: "free", hold: "locked"))
        let text = "venue,account,asset,free,locked\nbinance,spot,BTC,1.00000000,0.50000000\n"
        let collector = try read(text, kind: .balances, options: options)
        #expect(collector.records.first?.total.description == "1.50000000")
        #expect(collector.records.first?.available?.description == "1.00000000")
        #expect(collector.records.first?.hold?.description == "0.50000000")
    }

    /// A key field longer than a key may be (an open quote swallowing lines, say) is a row error at its place,
    /// never a crash, and the other rows still count; the longest allowed is accepted.
    @Test func anOverlongKeyFieldIsARowError() throws {
        let tooLong = String(repeating: "A", count: EntryAggregator.maxKeyPartBytes + 1)
        let longest = String(repeating: "B", count: EntryAggregator.maxKeyPartBytes)
        let text = "venue,account,asset,amount\nk,m,BTC,1\nk,m,\(tooLong),2\nk,m,\(longest),3\nk,m,BTC,4\n"
        let collector = try read(text, kind: .entries)
        #expect(
            collector.diagnostics.map(\.description) == [
                "in.csv:3:5: error: field of 65536 bytes (column asset) is longer than a venue, account or asset may "
                    + "be (65535 bytes); is a quote left open?"
            ])
        #expect(collector.records.map { "\($0.asset.prefix(3))=\($0.total)" } == ["BTC=5", "BBB=3"])
    }

    @Test func readingStopsAfterTooManyErrors() throws {
        let rows = (1...50).map { _ in "kraken,main,BTC,x" }.joined(separator: "\n")
        var options = InputOptions(kind: .entries, fields: mapping)
        options.limits.maxErrors = 5
        let collector = try read("venue,account,asset,amount\n" + rows, kind: .entries, options: options)
        #expect(collector.errorCount == 5)
        #expect(collector.shouldStop)
    }

    @Test func headerlessColumnsAreNumbers() throws {
        let options = InputOptions(
            kind: .balances, fields: FieldMapping(asset: "1", amount: "3"), hasHeader: false)
        let collector = try read("BTC,ignored,2.5\nETH,x,3\n", kind: .balances, options: options)
        #expect(collector.records.map(\.asset) == ["BTC", "ETH"])
        #expect(collector.records.map(\.total.description) == ["2.5", "3"])
    }
}
