import Testing

@testable import Reconciliation

/// Every reader on the same logical statement — acme/main: BTC 1.50000000 (1.25 available + 0.25 on hold),
/// ETH 2.000000000000000001, USD 1234.50 (1000.00 + 234.50) — plain and gzipped, yields the same records.
@Suite struct ReaderConformanceTests {
    struct Case: Sendable, CustomTestStringConvertible {
        let format: String
        let file: String
        var options = InputOptions(venue: "acme")
        var accounts: [String: String] = [:]
        /// Whether the format reports available and hold.
        var splitsHold = true

        var testDescription: String { format }
    }

    static let cases: [Case] = [
        Case(
            format: "csv", file: "statement.csv",
            options: InputOptions(
                fields: FieldMapping(
                    venue: "venue", account: "account", asset: "asset", amount: "amount", available: "available",
                    hold: "hold"))),
        Case(
            format: "json", file: "statement.json",
            options: InputOptions(
                venue: "acme", account: "main",
                fields: FieldMapping(asset: "ccy", amount: "total", available: "free", hold: "locked"),
                records: "data.balances[*]")),
        Case(
            format: "xml", file: "statement.xml",
            options: InputOptions(
                venue: "acme", account: "main",
                fields: FieldMapping(asset: "@currency", amount: "Total", available: "Free", hold: "Locked"),
                records: "Statement/Balances/Balance")),
        Case(format: "coinbase-advanced-accounts", file: "coinbase-advanced-accounts.json"),
        Case(format: "coinbase-exchange-accounts", file: "coinbase-exchange-accounts.json"),
        Case(format: "binance-account", file: "binance-account.json"),
        Case(format: "ccxt-balance", file: "ccxt-balance.json", options: InputOptions(venue: "acme", account: "main")),
        Case(format: "coinbase-exchange-statement", file: "coinbase-exchange-statement.csv", splitsHold: false),
        Case(
            format: "kraken-ledgers", file: "kraken-ledgers.csv", options: InputOptions(venue: "acme", account: "main"),
            splitsHold: false),
        Case(
            format: "kraken-balance", file: "kraken-balance.json",
            options: InputOptions(venue: "acme", account: "main"),
            splitsHold: false),
        Case(
            format: "coinbase-transactions", file: "coinbase-transactions.csv",
            options: InputOptions(kind: .entries, venue: "acme"), splitsHold: false),
        Case(format: "dydx-subaccount", file: "dydx-subaccount.json", accounts: ["main/0": "main"], splitsHold: false),
        Case(format: "camt053", file: "camt053.xml", splitsHold: false),
        Case(format: "camt052", file: "camt052.xml", splitsHold: false),
    ]

    static let expected: [(asset: String, total: String, available: String, hold: String)] = [
        ("BTC", "1.5", "1.25", "0.25"), ("ETH", "2.000000000000000001", "2.000000000000000001", "0"),
        ("USD", "1234.5", "1000", "234.5"),
    ]

    let directory = TemporaryDirectory()

    func balances(_ testCase: Case, gzip: Bool) throws -> InputOutcome {
        let plain = fixture("conformance/" + testCase.file)
        var path = plain
        if gzip {
            let text = String(decoding: directory.readAbsolute(plain), as: UTF8.self)
            path = try directory.writeGzip(text, to: testCase.file + ".gz")
        }
        let spec = InputSpec(
            side: .statement, name: testCase.file, files: [InputFile(path: path, displayPath: testCase.file)],
            format: testCase.format, options: testCase.options, accounts: testCase.accounts)
        return InputLoader(prefetch: gzip).load(spec, index: 0)
    }

    @Test func everyFormatHasAConformanceCase() {
        // A reader added to StatementFormats without a case here would escape the suite.
        #expect(Set(StatementFormats.names).subtracting(Self.cases.map(\.format)).sorted() == [])
    }

    @Test(arguments: cases, [false, true])
    func everyReaderYieldsTheSameRecords(testCase: Case, gzip: Bool) throws {
        let outcome = try balances(testCase, gzip: gzip)
        #expect(!outcome.failed, "\(outcome.firstError ?? "")")
        #expect(outcome.diagnostics.filter { $0.severity >= .warning }.isEmpty, "\(outcome.diagnostics)")
        let records = outcome.balances.sorted { $0.key < $1.key }
        #expect(records.map(\.key) == Self.expected.map { BalanceKey(venue: "acme", account: "main", asset: $0.asset) })
        #expect(records.map(\.total.normalized.description) == Self.expected.map(\.total))
        if testCase.splitsHold {
            #expect(records.map { $0.available?.normalized.description } == Self.expected.map(\.available))
            #expect(records.map { ($0.hold ?? .zero).normalized.description } == Self.expected.map(\.hold))
        }
        #expect(outcome.files.first?.compressed == gzip)
    }

    @Test(arguments: cases.filter { !["csv", "json", "xml"].contains($0.format) })
    func detectionFindsEveryVenueFormatByContent(testCase: Case) throws {
        var spec = InputSpec(
            side: .statement, name: testCase.file,
            files: [InputFile(path: fixture("conformance/" + testCase.file), displayPath: testCase.file)],
            format: nil, options: testCase.options, accounts: testCase.accounts)
        spec.options.kind = .balances
        let outcome = InputLoader(prefetch: false).load(spec, index: 0)
        #expect(outcome.files.first?.format == testCase.format, "\(outcome.firstError ?? "")")
        #expect(outcome.balances.count == 3)
    }
}

extension TemporaryDirectory {
    /// The bytes of a file anywhere.
    func readAbsolute(_ path: String) -> [UInt8] {
        guard let handle = FileHandleReader(path: path) else { return [] }
        return handle.bytes
    }
}

/// Reads a whole small file (fixtures only).
struct FileHandleReader {
    let bytes: [UInt8]

    init?(path: String) {
        guard let source = try? FileByteSource(path: path, displayPath: path), let bytes = try? readAll(source) else {
            return nil
        }
        self.bytes = bytes
    }
}
