/// Coinbase Exchange account statement CSV (Statements → Account, or `POST /reports` of type `account`), header
/// `portfolio,type,time,amount,balance,amount/balance unit,transfer id,trade id,order id`.
///
/// Rows are movements with a running balance per unit; the closing balance of a unit is the `balance` of its last
/// row in time order, and rows sharing the last timestamp are taken in file order (the last one wins). Sixteen
/// decimals are normal and kept. The account is the `portfolio` unless the input sets `account:`.
public struct CoinbaseExchangeStatementReader: StatementReader {
    public let format = "coinbase-exchange-statement"
    public let defaultVenue: String? = "coinbase"
    public let inherentKind: InputKind? = .balances

    static let header = "portfolio,type,time,amount,balance,amount/balance unit"

    /// Creates the reader.
    public init() {}

    public func recognizes(_ prefix: ContentPrefix) -> Bool {
        prefix.firstLine.hasPrefix(Self.header)
    }

    public func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        var scanner = CSVScanner(source: source, displayPath: path, maxRecordBytes: options.limits.maxRecordBytes)
        guard try scanner.next() else {
            throw ReconciliationError(.ingest, "the file is empty (no header line)", at: SourceLocation(file: path))
        }
        let header = (0..<scanner.fieldCount).map { scanner.string($0).trimmingSpaces }
        let columns = try ReaderSupport.columns(
            header, required: ["portfolio", "time", "amount", "balance", "amount/balance unit"], file: path)
        let portfolio = columns["portfolio"] ?? 0
        let time = columns["time"] ?? 0
        let amount = columns["amount"] ?? 0
        let balance = columns["balance"] ?? 0
        let unit = columns["amount/balance unit"] ?? 0
        var statement = RunningBalanceStatement()
        var portfolios: [String: String] = [:]
        while try scanner.next() {
            guard scanner.fieldCount == header.count else {
                collector.diagnose(
                    .error, "expected \(header.count) fields as in the header, found \(scanner.fieldCount)",
                    at: SourceLocation(file: path, line: scanner.line))
                if collector.shouldStop { break }
                continue
            }
            let timeText = scanner.string(time)
            guard let when = Timestamp(timeText) else {
                collector.diagnose(.error, "invalid time '\(timeText)' (column time)", at: scanner.location(of: time))
                continue
            }
            guard
                let movement = ReaderSupport.amount(
                    scanner.string(amount), what: "column amount", at: scanner.location(of: amount), into: collector),
                let running = ReaderSupport.amount(
                    scanner.string(balance), what: "column balance", at: scanner.location(of: balance), into: collector)
            else {
                if collector.shouldStop { break }
                continue
            }
            let name = scanner.string(portfolio)
            let key = name + "\u{1F}" + scanner.string(unit)
            portfolios[key] = name
            statement.add(
                unit: key, label: "\(scanner.string(unit)) of portfolio \(name)", time: when, movement: movement,
                balance: running, line: scanner.line)
            collector.countRows(1)
        }
        for (key, row) in statement.closing(file: path, into: collector) {
            let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false)
            collector.add(
                RawRecord(
                    account: parts.first.map(String.init).flatMap { $0.isEmpty ? nil : $0 },
                    asset: parts.count > 1 ? String(parts[1]) : "", total: row.balance,
                    location: SourceLocation(file: path, line: row.line)),
                countingRows: false)
        }
    }
}
