/// Coinbase Advanced Trade "list accounts" (`GET /api/v3/brokerage/accounts`): `{accounts: [...], has_next, cursor}`.
///
/// There is no total field: total = `available_balance.value` + `hold.value`. Accounts with `deleted_at` set are not
/// balances and are skipped. A statement may be several page files (`paths:`); a page saying `has_next: true` as the
/// last file of an input means pages are missing, which is a warning. The account is `retail_portfolio_id` unless
/// the input sets `account:`.
package struct CoinbaseAdvancedAccountsReader: StatementReader {
    package let format = "coinbase-advanced-accounts"
    package let summary =
        "Coinbase Advanced Trade `GET /api/v3/brokerage/accounts` JSON (pages of one statement): available + hold"
    package let defaultVenue: String? = "coinbase"
    package let inherentKind: InputKind? = .balances

    /// Creates the reader.
    package init() {}

    package func recognizes(_ prefix: ContentPrefix) -> Bool {
        prefix.topLevelJSONKeys.contains("accounts") && prefix.contains("\"available_balance\"")
    }

    package func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        var found = 0
        var hasNext: Bool?
        var cursor: String?
        try ReaderSupport.forEachJSONRecord(source, path: path, file: path, records: "", options: options) {
            root throws(ReconciliationError) in
            guard case .object = root.element.kind else {
                throw ReconciliationError(
                    .ingest, "expected an object with `accounts`, found \(root.element.kindName)",
                    at: root.element.location(in: path))
            }
            if case .bool(let next) = root.element["has_next"]?.kind { hasNext = next }
            cursor = root.element["cursor"]?.text
            guard let accounts = root.element["accounts"], case .array(let elements) = accounts.kind else {
                throw ReconciliationError(
                    .ingest, "expected an `accounts` array", at: root.element.location(in: path))
            }
            for (index, account) in elements.enumerated() {
                found += 1
                read(account, keyPath: "accounts[\(index)]", path: path, into: collector)
            }
        }
        if found == 0 { collector.diagnose(.warning, "the page lists no accounts", at: SourceLocation(file: path)) }
        collector.continuation =
            hasNext == true
            ? "this page says more follow (has_next: true, cursor \(cursor ?? "?")); list every page under `paths:`"
            : nil
        collector.continuationLocation = SourceLocation(file: path)
    }

    private func read(_ account: JSONElement, keyPath: String, path: String, into collector: RecordCollector) {
        if let deleted = account["deleted_at"], !deleted.isNull {
            collector.diagnose(
                .note, "skipped \(keyPath): deleted at \(deleted.text ?? "?")", at: account.location(in: path))
            return
        }
        guard
            let currency = ReaderSupport.string(in: account, "currency", keyPath: keyPath, file: path, into: collector),
            let available = ReaderSupport.amount(
                in: account, "available_balance.value", keyPath: keyPath, file: path, into: collector),
            let hold = ReaderSupport.amount(
                in: account, "hold.value", keyPath: keyPath, file: path, required: false, into: collector),
            let total = ReaderSupport.sum([available, hold], at: account.location(in: path), into: collector)
        else { return }
        for (field, unit) in [
            ("available_balance", account.value(at: "available_balance.currency")?.text),
            ("hold", account.value(at: "hold.currency")?.text),
        ]
        where unit != nil && unit != currency {
            collector.diagnose(
                .error, "\(keyPath).\(field).currency is \(unit ?? ""), not the account's \(currency)",
                at: account.location(in: path))
            return
        }
        collector.add(
            RawRecord(
                account: account["retail_portfolio_id"]?.text, asset: currency, total: total, available: available,
                hold: hold ?? .zero, location: account.location(in: path)))
    }
}
