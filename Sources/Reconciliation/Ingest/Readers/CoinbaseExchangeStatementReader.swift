/// Coinbase Exchange account statement CSV (Statements → Account, or `POST /reports` of type `account`), header
/// `portfolio,type,time,amount,balance,amount/balance unit,transfer id,trade id,order id`.
///
/// Rows are movements with a running balance per unit; the closing balance of a unit is the `balance` of its last
/// row in time order, and rows sharing the last timestamp are taken in file order (the last one wins). Sixteen
/// decimals are normal and kept. The account is the `portfolio` unless the input sets `account:`.
package struct CoinbaseExchangeStatementReader: StatementReader {
    package let format = "coinbase-exchange-statement"
    package let summary = "Coinbase Exchange account statement CSV: the running balance at the cutoff per unit"
    package let defaultVenue: String? = "coinbase"
    package let inherentKind: InputKind? = .balances

    static let header = "portfolio,type,time,amount,balance,amount/balance unit"

    /// Creates the reader.
    package init() {}

    package func recognizes(_ prefix: ContentPrefix) -> Bool {
        prefix.firstLine.hasPrefix(Self.header)
    }

    package func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        var scanner = CSVScanner(source: source, displayPath: path, maxRecordBytes: options.limits.maxRecordBytes)
        let header = try ReaderSupport.csvHeader(
            &scanner, required: ["portfolio", "time", "amount", "balance", "amount/balance unit"], file: path)
        let portfolio = header.columns["portfolio"] ?? 0
        let time = header.columns["time"] ?? 0
        let amount = header.columns["amount"] ?? 0
        let balance = header.columns["balance"] ?? 0
        let unit = header.columns["amount/balance unit"] ?? 0
        var statement = RunningBalanceStatement(options: options)
        while try ReaderSupport.nextRow(&scanner, width: header.names.count, file: path, into: collector) {
            guard let when = ReaderSupport.timestamp(&scanner, time, name: "time", into: collector),
                let movement = ReaderSupport.amount(
                    scanner.string(amount), what: "column amount", at: scanner.location(of: amount), into: collector),
                let running = ReaderSupport.amount(
                    scanner.string(balance), what: "column balance", at: scanner.location(of: balance), into: collector)
            else { continue }
            let key = RunningBalanceStatement.Unit(account: scanner.string(portfolio), asset: scanner.string(unit))
            statement.add(
                unit: key, label: "\(key.asset) of portfolio \(key.account)", time: when, movement: movement,
                balance: running, line: scanner.line)
            collector.countRows(1)
        }
        for (key, row, opening) in statement.closing(file: path, into: collector) {
            var record = RawRecord(
                account: key.account.isEmpty ? nil : key.account, asset: key.asset, total: row.balance,
                location: SourceLocation(file: path, line: row.line))
            record.opening = opening
            collector.add(record, countingRows: false)
        }
    }
}
