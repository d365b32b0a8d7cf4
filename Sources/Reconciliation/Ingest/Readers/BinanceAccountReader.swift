/// Binance spot account information (`GET /api/v3/account`): `balances: [{asset, free, locked}]`, strings with 8
/// decimals; total = free + locked.
///
/// The account is the input's `account:`, else the response's `uid`, else its `accountType` lowercased (`spot`).
public struct BinanceAccountReader: StatementReader {
    public let format = "binance-account"
    public let defaultVenue: String? = "binance"
    public let inherentKind: InputKind? = .balances

    /// Creates the reader.
    public init() {}

    public func recognizes(_ prefix: ContentPrefix) -> Bool {
        prefix.firstSignificantByte == UInt8(ascii: "{") && prefix.contains("\"balances\"")
            && prefix.contains("\"free\"") && prefix.contains("\"locked\"")
    }

    public func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        let document = try ReaderSupport.jsonDocument(source, file: path, options: options)
        guard case .object = document.kind, let balances = document["balances"], case .array(let rows) = balances.kind
        else {
            throw ReconciliationError(
                .ingest, "expected an object with a `balances` array", at: document.location(in: path))
        }
        let account = document["uid"]?.text ?? document["accountType"]?.text?.lowercased()
        for (index, row) in rows.enumerated() {
            let keyPath = "balances[\(index)]"
            guard let asset = ReaderSupport.string(in: row, "asset", keyPath: keyPath, file: path, into: collector),
                let free = ReaderSupport.amount(in: row, "free", keyPath: keyPath, file: path, into: collector),
                let locked = ReaderSupport.amount(in: row, "locked", keyPath: keyPath, file: path, into: collector),
                let total = ReaderSupport.sum([free, locked], at: row.location(in: path), into: collector)
            else { continue }
            collector.add(
                RawRecord(
                    account: account, asset: asset, total: total, available: free, hold: locked,
                    location: row.location(in: path)))
        }
        if rows.isEmpty {
            collector.diagnose(.warning, "the account lists no balances", at: balances.location(in: path))
        }
    }
}
