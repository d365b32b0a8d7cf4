/// Coinbase retail "Transaction history" CSV (not documented by Coinbase): a preamble (`Transactions`,
/// `User,<name>,<id>`, notes) before the header, a header that changed over the years, and no balance column — so it
/// is an `entries` source: every row is a movement of `Asset` by `Quantity Transacted`.
///
/// Known header versions are matched exactly; any other header is an error naming what was found, never a guess.
/// Older versions write quantities unsigned, so the direction comes from the transaction type; newer ones sign them,
/// but a `Convert` row still shows the source quantity positive, so the type decides wherever it is known. A
/// `Convert` also credits the target asset named in its notes (`Converted 0.1 BTC to 156.1 XRP`). The account is the
/// user id from the preamble unless the input sets `account:`.
public struct CoinbaseTransactionsReader: StatementReader {
    public let format = "coinbase-transactions"
    public let defaultVenue: String? = "coinbase"
    public let inherentKind: InputKind? = .entries

    /// A header version: its name and its exact columns.
    struct Version {
        let name: String
        let columns: [String]
        /// Whether quantities carry their own sign.
        let signed: Bool
    }

    static let versions = [
        Version(
            name: "2018 tax transactions report",
            columns: [
                "Timestamp", "Transaction Type", "Asset", "Quantity Transacted", "USD Spot Price at Transaction",
                "USD Amount Transacted (Inclusive of Coinbase Fees)", "Address", "Notes",
            ], signed: false),
        Version(
            name: "2020 USD",
            columns: [
                "Timestamp", "Transaction Type", "Asset", "Quantity Transacted", "USD Spot Price at Transaction",
                "USD Subtotal", "USD Total (inclusive of fees)", "USD Fees", "Notes",
            ], signed: false),
        Version(
            name: "2021 spot price currency",
            columns: [
                "Timestamp", "Transaction Type", "Asset", "Quantity Transacted", "Spot Price Currency",
                "Spot Price at Transaction", "Subtotal", "Total (inclusive of fees and/or spread)",
                "Fees and/or Spread",
                "Notes",
            ], signed: false),
        Version(
            name: "2024 with ID and signed quantities",
            columns: [
                "ID", "Timestamp", "Transaction Type", "Asset", "Quantity Transacted", "Price Currency",
                "Price at Transaction", "Subtotal", "Total (inclusive of fees and/or spread)", "Fees and/or Spread",
                "Notes",
            ], signed: true),
    ]

    /// Transaction types that add to the asset.
    static let credits: Set<String> = [
        "buy", "receive", "deposit", "staking income", "rewards income", "coinbase earn", "learning reward",
        "inflation reward", "incentives rewards payout", "advanced trade buy", "pro withdrawal", "exchange withdrawal",
        "retail staking transfer", "retail eth2 deprecation",
    ]
    /// Transaction types that take from the asset.
    static let debits: Set<String> = [
        "sell", "send", "withdrawal", "advanced trade sell", "pro deposit", "exchange deposit", "convert",
        "retail unstaking transfer",
    ]

    /// Creates the reader.
    public init() {}

    public func recognizes(_ prefix: ContentPrefix) -> Bool {
        prefix.text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).prefix(12).contains { line in
            line.hasPrefix("Timestamp,Transaction Type,") || line.hasPrefix("ID,Timestamp,Transaction Type,")
        }
    }

    public func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        var scanner = CSVScanner(source: source, displayPath: path, maxRecordBytes: options.limits.maxRecordBytes)
        var user: String?
        var header: [String] = []
        // The preamble: anything before the header line, with the user id on a `User,<name>,<id>` line.
        while try scanner.next() {
            let fields = (0..<scanner.fieldCount).map { scanner.string($0).trimmingSpaces }
            if fields.first == "User", fields.count >= 3, !fields[2].isEmpty { user = fields[2] }
            if fields.first == "Timestamp" || (fields.first == "ID" && fields.count > 1 && fields[1] == "Timestamp") {
                header = fields
                break
            }
            if scanner.line > 50 { break }
        }
        guard !header.isEmpty else {
            throw ReconciliationError(
                .ingest,
                "no transaction history header (a line starting `Timestamp,Transaction Type` or `ID,Timestamp`)",
                at: SourceLocation(file: path))
        }
        let headerLine = scanner.line
        guard let version = Self.versions.first(where: { $0.columns == header }) else {
            throw ReconciliationError(
                .ingest,
                "unknown Coinbase transaction history header version: \(header.joined(separator: ",")); known versions: "
                    + Self.versions.map(\.name).joined(separator: "; "),
                at: SourceLocation(file: path, line: headerLine))
        }
        let type = header.firstIndex(of: "Transaction Type") ?? 0
        let asset = header.firstIndex(of: "Asset") ?? 0
        let quantity = header.firstIndex(of: "Quantity Transacted") ?? 0
        let notes = header.firstIndex(of: "Notes") ?? 0
        var rows = 0
        while try ReaderSupport.nextRow(&scanner, width: header.count, file: path, into: collector) {
            rows += 1
            let location = SourceLocation(file: path, line: scanner.line)
            let kind = scanner.string(type).trimmingSpaces
            let code = scanner.string(asset).trimmingSpaces
            guard
                let written = ReaderSupport.amount(
                    scanner.string(quantity), what: "column Quantity Transacted", at: scanner.location(of: quantity),
                    into: collector)
            else { continue }
            let lowered = kind.lowercased()
            let signed: Amount
            if Self.credits.contains(lowered) {
                signed = written.magnitude
            } else if Self.debits.contains(lowered) {
                signed = written.magnitude.negated()
            } else if version.signed {
                signed = written
                collector.diagnose(
                    .warning, "unknown transaction type '\(kind)'; taking the quantity's own sign",
                    at: scanner.location(of: type))
            } else {
                collector.diagnose(
                    .error,
                    "unknown transaction type '\(kind)'; this header version writes quantities unsigned, so the "
                        + "direction cannot be told", at: scanner.location(of: type))
                continue
            }
            collector.add(RawRecord(account: user, asset: code, total: signed, location: location))
            if lowered == "convert" {
                let note = scanner.string(notes)
                guard let (target, amount) = Self.conversionTarget(note) else {
                    collector.diagnose(
                        .error, "cannot tell what the conversion produced from its notes '\(note)'",
                        at: scanner.location(of: notes))
                    continue
                }
                collector.add(RawRecord(account: user, asset: target, total: amount, location: location))
            }
        }
        if rows == 0 {
            collector.diagnose(.warning, "the history lists no transactions", at: SourceLocation(file: path))
        }
    }

    /// `Converted 0.00363125 BTC to 156.145683 XRP` → (XRP, 156.145683).
    static func conversionTarget(_ note: String) -> (String, Amount)? {
        let words = note.split(separator: " ").map(String.init)
        guard let to = words.firstIndex(of: "to"), to + 2 < words.count else { return nil }
        let quantity = words[to + 1]
        let asset = words[to + 2].trimmingCharacters(in: ".")
        guard let amount = try? Amount.parse(quantity, syntax: AmountSyntax(groupingSeparator: UInt8(ascii: ",")))
        else {
            return nil
        }
        return (asset, amount)
    }
}

extension String {
    /// The string without leading and trailing characters from `set`.
    func trimmingCharacters(in set: String) -> String {
        let scalars = Set(set.unicodeScalars)
        let view = unicodeScalars
        guard let first = view.firstIndex(where: { !scalars.contains($0) }),
            let last = view.lastIndex(where: { !scalars.contains($0) })
        else { return "" }
        return String(view[first...last])
    }
}
