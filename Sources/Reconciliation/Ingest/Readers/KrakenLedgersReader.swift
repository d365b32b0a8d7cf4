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
///
/// The same reader reads the pages of Kraken's Ledgers API (`POST /0/private/Ledgers`, what `fetch: {api: kraken}`
/// saves for this format): `{"error": [], "result": {"ledger": {ID: {refid, time, type, subtype, aclass, asset, amount,
/// fee, balance}}, "count": N}}`, newest first, 50 entries a page. The pages are one statement: every page's entries
/// go into one running balance per asset, an entry repeated on two pages (the page boundary moved) counts once, a
/// page with a non-empty `error` list is refused with Kraken's message, and pages that hold fewer entries than
/// `count` says are refused as incomplete — a missing page could hold an asset's latest balance.
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
        if prefix.topLevelJSONKeys == ["error", "result"] { return prefix.contains("\"ledger\"") }
        let line = String(prefix.firstLine).replacingAll("\"", with: "")
        return line.hasPrefix("txid,refid,time,type") && line.contains("asset") && line.contains("balance")
    }

    /// The Ledgers API pages of an input read so far: one statement across them.
    struct PagedLedger {
        var statement: RunningBalanceStatement
        var seen: Set<String> = []
        /// The `count` the pages state (every page must state the same).
        var count: Int?
        var files: [String] = []
    }

    package func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        let head = try ReplayByteSource.readPrefix(source, count: 256)
        let source = ReplayByteSource(prefix: head, upstream: source)
        if head.first(where: { ![0x20, 0x09, 0x0A, 0x0D, 0xEF, 0xBB, 0xBF].contains($0) }) == UInt8(ascii: "{") {
            try readAPIPage(source, path: path, options: options, into: collector)
            return
        }
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
        addClosings(of: statement, file: path, options: options, into: collector)
    }

    /// One record per asset and wallet: its balance at the cutoff.
    private func addClosings(
        of statement: RunningBalanceStatement, file: String, options: InputOptions, into collector: RecordCollector
    ) {
        for (key, row, opening) in statement.closing(file: file, into: collector) {
            let account: String? =
                key.account.isEmpty || key.account == "spot / main"
                ? nil : "\(options.account ?? "default")/\(key.account)"
            var record = RawRecord(
                account: account, asset: key.asset, total: row.balance,
                location: SourceLocation(file: row.file ?? file, line: row.line))
            record.opening = opening
            collector.add(record, countingRows: false)
        }
    }

    /// One page of the Ledgers API, added to the input's statement (closed in ``finish(options:into:)``).
    private func readAPIPage(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        let document = try ReaderSupport.jsonDocument(source, file: path, options: options)
        guard let errors = document["error"], case .array(let messages) = errors.kind else {
            throw ReconciliationError(
                .ingest, "expected Kraken's envelope {\"error\": [...], \"result\": {\"ledger\": {...}, \"count\": N}}",
                at: document.location(in: path))
        }
        if !messages.isEmpty {
            throw ReconciliationError(
                .ingest,
                "Kraken answered with error: " + messages.map { $0.text ?? $0.kindName }.joined(separator: "; "),
                at: errors.location(in: path))
        }
        guard let result = document["result"], let ledger = result["ledger"], case .object(let entries) = ledger.kind
        else {
            throw ReconciliationError(
                .ingest, "expected `result.ledger`, an object of ledger id → entry", at: document.location(in: path))
        }
        var paged = collector.pagedLedger ?? PagedLedger(statement: RunningBalanceStatement(options: options))
        if let countElement = result["count"] {
            guard let text = countElement.text, let count = Int(text), count >= 0 else {
                throw ReconciliationError(
                    .ingest, "expected a whole number at result.count", at: countElement.location(in: path))
            }
            if let earlier = paged.count, earlier != count {
                throw ReconciliationError(
                    .ingest,
                    "this page says the ledger holds \(count) entries, an earlier page \(earlier): the ledger changed while "
                        + "it was paged; fetch again", at: countElement.location(in: path))
            }
            paged.count = count
        }
        for (id, entry) in entries {
            // A page boundary that moved between two requests repeats an entry: it counts once.
            guard paged.seen.insert(id).inserted else { continue }
            let keyPath = "result.ledger.\(id)"
            guard let timeElement = entry["time"], let when = ReaderSupport.epochSeconds(timeElement.text) else {
                collector.diagnose(
                    .error, "expected seconds since 1970 at \(keyPath).time", at: entry.location(in: path))
                continue
            }
            guard let code = ReaderSupport.string(in: entry, "asset", keyPath: keyPath, file: path, into: collector),
                let movedValue = ReaderSupport.amount(
                    in: entry, "amount", keyPath: keyPath, file: path, into: collector), let moved = movedValue,
                let charged = ReaderSupport.amount(
                    in: entry, "fee", keyPath: keyPath, file: path, required: false, into: collector),
                let runningValue = ReaderSupport.amount(
                    in: entry, "balance", keyPath: keyPath, file: path, into: collector), let running = runningValue,
                let movement = try? moved.subtracting(charged ?? .zero)
            else { continue }
            let trimmed = code.trimmingSpaces
            let key = RunningBalanceStatement.Unit(
                account: entry["wallet"]?.text?.trimmingSpaces ?? "",
                asset: assetAliases[trimmed.uppercased()] ?? trimmed)
            let label = key.account.isEmpty ? key.asset : "\(key.asset) in wallet \(key.account)"
            paged.statement.add(
                unit: key, label: label, time: when, movement: movement, balance: running, line: entry.line, file: path)
            collector.countRows(1)
        }
        paged.files.append(path)
        collector.pagedLedger = paged
    }

    package func finish(options: InputOptions, into collector: RecordCollector) throws(ReconciliationError) {
        guard let paged = collector.pagedLedger else { return }
        collector.pagedLedger = nil
        let last = paged.files.last ?? ""
        if let count = paged.count, paged.seen.count < count {
            throw ReconciliationError(
                .ingest,
                "Kraken says the ledger holds \(count) entries; the \(paged.files.count) page\(paged.files.count == 1 ? "" : "s") "
                    + "hold \(paged.seen.count): pages are missing, and a missing page could hold an asset's latest balance",
                at: SourceLocation(file: last))
        }
        addClosings(of: paged.statement, file: paged.files.first ?? last, options: options, into: collector)
    }
}
