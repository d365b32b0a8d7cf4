/// Coinbase Exchange (formerly Pro) accounts (`GET /accounts`): a bare array of
/// `{id, currency, balance, available, hold, profile_id}`, amounts as strings of up to 16 decimals.
///
/// The total is `balance`; when it is not `available + hold` the record is kept and a warning says by how much. The
/// account is `profile_id` unless the input sets `account:`.
package struct CoinbaseExchangeAccountsReader: StatementReader {
    package let format = "coinbase-exchange-accounts"
    package let summary = "Coinbase Exchange `GET /accounts` JSON array: balance (= available + hold)"
    package let defaultVenue: String? = "coinbase"
    package let inherentKind: InputKind? = .balances

    /// Creates the reader.
    package init() {}

    package func recognizes(_ prefix: ContentPrefix) -> Bool {
        prefix.firstSignificantByte == UInt8(ascii: "[") && prefix.contains("\"currency\"")
            && prefix.contains("\"balance\"") && prefix.contains("\"available\"") && prefix.contains("\"hold\"")
    }

    package func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        var found = 0
        try ReaderSupport.forEachJSONRecord(source, path: path, file: path, records: "[*]", options: options) {
            record in
            found += 1
            let account = record.element
            let keyPath = record.keyPath
            guard
                let currency = ReaderSupport.string(
                    in: account, "currency", keyPath: keyPath, file: path, into: collector),
                let balance = ReaderSupport.amount(
                    in: account, "balance", keyPath: keyPath, file: path, into: collector),
                let available = ReaderSupport.amount(
                    in: account, "available", keyPath: keyPath, file: path, required: false, into: collector),
                let hold = ReaderSupport.amount(
                    in: account, "hold", keyPath: keyPath, file: path, required: false, into: collector),
                let total = balance
            else { return }
            if available != nil || hold != nil,
                let parts = ReaderSupport.sum([available, hold], at: account.location(in: path), into: collector),
                parts != total
            {
                collector.diagnose(
                    .warning,
                    "\(keyPath): balance \(total) is not available \(available ?? .zero) + hold \(hold ?? .zero) "
                        + "(= \(parts))",
                    at: account.location(in: path))
            }
            collector.add(
                RawRecord(
                    account: account["profile_id"]?.text, asset: currency, total: total, available: available,
                    hold: hold,
                    location: account.location(in: path)))
        }
        if found == 0 { collector.diagnose(.warning, "the file lists no accounts", at: SourceLocation(file: path)) }
    }
}
