/// Kraken ledgers export CSV, header (all fields quoted)
/// `"txid","refid","time","type","subtype","aclass","asset","wallet","amount","fee","balance"`; older exports lack
/// `wallet`, some add `amountusd`, `feeusd`, `balanceusd`.
///
/// `balance = previous + amount − fee` per asset, so the closing balance is the last row per asset in time order
/// (file order within a time). Legacy codes (`XXBT`, `XETH`, `ZUSD`, `ZEUR`, …) are mapped to `BTC`, `ETH`, `USD`,
/// `EUR` (``AssetAliases/kraken``). Rows of a wallet other than `spot / main` are kept apart: their account is `ACCOUNT/WALLET`. Kraken
/// exports name no account, so the input sets `account:`.
public struct KrakenLedgersReader: StatementReader {
    public let format = "kraken-ledgers"
    public let defaultVenue: String? = "kraken"
    public let inherentKind: InputKind? = .balances
    public let needsAccountSetting = true
    public let assetAliases = AssetAliases.kraken

    /// Creates the reader.
    public init() {}

    public func recognizes(_ prefix: ContentPrefix) -> Bool {
        let line = String(prefix.firstLine).replacingAll("\"", with: "")
        return line.hasPrefix("txid,refid,time,type") && line.contains("asset") && line.contains("balance")
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
            header, required: ["time", "asset", "amount", "fee", "balance"], file: path)
        let time = columns["time"] ?? 0
        let asset = columns["asset"] ?? 0
        let amount = columns["amount"] ?? 0
        let fee = columns["fee"] ?? 0
        let balance = columns["balance"] ?? 0
        let wallet = columns["wallet"]
        var statement = RunningBalanceStatement()
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
                let moved = ReaderSupport.amount(
                    scanner.string(amount), what: "column amount", at: scanner.location(of: amount), into: collector),
                let charged = ReaderSupport.amount(
                    scanner.string(fee), what: "column fee", at: scanner.location(of: fee),
                    syntax: AmountSyntax(emptyMeansZero: true), into: collector),
                let running = ReaderSupport.amount(
                    scanner.string(balance), what: "column balance", at: scanner.location(of: balance), into: collector),
                let movement = try? moved.subtracting(charged)
            else {
                if collector.shouldStop { break }
                continue
            }
            let walletName = wallet.map { scanner.string($0).trimmingSpaces } ?? ""
            let code = scanner.string(asset).trimmingSpaces
            let key = walletName + "\u{1F}" + code
            let label = walletName.isEmpty ? code : "\(code) in wallet \(walletName)"
            statement.add(unit: key, label: label, time: when, movement: movement, balance: running, line: scanner.line)
            collector.countRows(1)
        }
        for (key, row) in statement.closing(file: path, into: collector) {
            let parts = key.split(separator: "\u{1F}", omittingEmptySubsequences: false).map(String.init)
            let walletName = parts.first ?? ""
            let account: String? =
                walletName.isEmpty || walletName == "spot / main"
                ? nil : "\(options.account ?? "default")/\(walletName)"
            collector.add(
                RawRecord(
                    account: account, asset: parts.count > 1 ? parts[1] : "", total: row.balance,
                    location: SourceLocation(file: path, line: row.line)),
                countingRows: false)
        }
    }
}
