/// Kraken ledgers export CSV, header (all fields quoted)
/// `"txid","refid","time","type","subtype","aclass","asset","wallet","amount","fee","balance"`; older exports lack
/// `wallet`, some add `amountusd`, `feeusd`, `balanceusd`.
///
/// Newer exports add `subclass` (and `amountusd`…); columns are found by name, quoted or not. Older exports hold *pending*
/// rows with an empty `txid` and `balance`, repeated later once booked: they are skipped and counted in a note.
///
/// `balance = previous + amount − fee` per asset, so the closing balance is the last row per asset in time order
/// (file order within a time). Legacy codes (`XXBT`, `XETH`, `ZUSD`, `ZEUR`, …) are mapped to `BTC`, `ETH`, `USD`,
/// `EUR` (``AssetAliases/kraken``). Rows of a wallet other than `spot / main` are kept apart: their account is `ACCOUNT/WALLET`. Kraken
/// exports name no account, so the input sets `account:`.
package struct KrakenLedgersReader: StatementReader {
    package let format = "kraken-ledgers"
    package let summary = "Kraken ledgers export CSV: the running balance at the cutoff per asset and wallet"
    package let defaultVenue: String? = "kraken"
    package let inherentKind: InputKind? = .balances
    package let needsAccountSetting = true
    package let assetAliases = AssetAliases.kraken

    /// Creates the reader.
    package init() {}

    package func recognizes(_ prefix: ContentPrefix) -> Bool {
        let line = String(prefix.firstLine).replacingAll("\"", with: "")
        return line.hasPrefix("txid,refid,time,type") && line.contains("asset") && line.contains("balance")
    }

    package func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        var scanner = CSVScanner(source: source, displayPath: path, maxRecordBytes: options.limits.maxRecordBytes)
        let header = try ReaderSupport.csvHeader(
            &scanner, required: ["time", "asset", "amount", "fee", "balance"], file: path)
        let time = header.columns["time"] ?? 0
        let asset = header.columns["asset"] ?? 0
        let amount = header.columns["amount"] ?? 0
        let fee = header.columns["fee"] ?? 0
        let balance = header.columns["balance"] ?? 0
        let wallet = header.columns["wallet"]
        let txid = header.columns["txid"]
        var statement = RunningBalanceStatement(options: options)
        var pending = 0
        var firstPending = 0
        while try ReaderSupport.nextRow(&scanner, width: header.names.count, file: path, into: collector) {
            // A pending movement (older exports): no txid and no balance yet; the booked row follows later.
            if let txid, scanner.string(txid).trimmingSpaces.isEmpty, scanner.string(balance).trimmingSpaces.isEmpty {
                if pending == 0 { firstPending = scanner.line }
                pending += 1
                continue
            }
            guard let when = ReaderSupport.timestamp(&scanner, time, name: "time", into: collector),
                let moved = ReaderSupport.amount(
                    scanner.string(amount), what: "column amount", at: scanner.location(of: amount), into: collector),
                let charged = ReaderSupport.amount(
                    scanner.string(fee), what: "column fee", at: scanner.location(of: fee),
                    syntax: AmountSyntax(emptyMeansZero: true), into: collector),
                let running = ReaderSupport.amount(
                    scanner.string(balance), what: "column balance", at: scanner.location(of: balance), into: collector),
                let movement = try? moved.subtracting(charged)
            else { continue }
            // Kraken renamed codes over the years (XXBT, XBT, BTC): one asset is one running balance.
            let code = scanner.string(asset).trimmingSpaces
            let key = RunningBalanceStatement.Unit(
                account: wallet.map { scanner.string($0).trimmingSpaces } ?? "",
                asset: assetAliases[code.uppercased()] ?? code)
            let label = key.account.isEmpty ? key.asset : "\(key.asset) in wallet \(key.account)"
            statement.add(unit: key, label: label, time: when, movement: movement, balance: running, line: scanner.line)
            collector.countRows(1)
        }
        if pending > 0 {
            collector.diagnose(
                .note,
                "skipped \(pending) pending row\(pending == 1 ? "" : "s") (no txid and no balance; Kraken lists each "
                    + "movement again once it is booked)", at: SourceLocation(file: path, line: firstPending))
        }
        for (key, row, opening) in statement.closing(file: path, into: collector) {
            let account: String? =
                key.account.isEmpty || key.account == "spot / main"
                ? nil : "\(options.account ?? "default")/\(key.account)"
            var record = RawRecord(
                account: account, asset: key.asset, total: row.balance,
                location: SourceLocation(file: path, line: row.line))
            record.opening = opening
            collector.add(record, countingRows: false)
        }
    }
}
