/// Coinbase retail "Transaction history" CSV (not documented by Coinbase): a preamble (`Transactions`,
/// `User,<name>,<id>`, notes, blank lines) before the header, a header that changed over the years, and — except in
/// the old per-wallet export — no balance column, so it is an `entries` source: every row is a movement of `Asset` by
/// `Quantity Transacted`.
///
/// Headers are matched by the columns a version requires (by name, in any order, extra columns allowed; a fiat prefix
/// such as `USD `, `CAD ` or `EUR ` on price and amount columns is matched as a pattern), most specific version first.
/// A header that matches none is an error naming the columns the closest version still lacks — never a guess.
///
/// Direction: the 2024 and later headers sign `Quantity Transacted`, and there the written sign wins; a known type
/// written against its usual direction is taken as written and reported once per type. Older headers write
/// quantities unsigned, so the transaction type decides, and a type without a fixed direction (a staking transfer
/// between wallets), an unknown type, or a negative quantity on a crediting type is an error. A `Convert` debits its
/// source asset by the quantity's magnitude (whatever sign is written) and credits the target named in its notes
/// (`Converted 0.1 BTC to 156.1 XRP`). The old per-wallet export has a running balance: its closing balance per
/// currency is the last row in time order.
///
/// The account is the user id from the preamble, else the input's `account:`.
package struct CoinbaseTransactionsReader: StatementReader {
    package let format = "coinbase-transactions"
    package let summary = "Coinbase retail transaction history CSV (every header version): movements summed"
    package let defaultVenue: String? = "coinbase"
    package let inherentKind: InputKind? = .entries

    /// A header version: its name, the year it appeared, and the columns that identify it.
    struct Version {
        let name: String
        /// Columns (fiat prefixes removed) every header of this version has, beyond the ones all versions share.
        let columns: [String]
        /// Whether quantities carry their own sign.
        let signed: Bool
        /// Whether rows carry a running balance (the per-wallet export) instead of a transaction type.
        var runningBalance = false
    }

    /// Columns every transaction-history version has.
    static let sharedColumns = ["Timestamp", "Transaction Type", "Asset", "Quantity Transacted", "Notes"]

    /// The versions, most specific first (a header is read as the first version whose columns it has).
    static let versions = [
        Version(
            name: "2025–26 with sender and recipient addresses",
            columns: [
                "ID", "Price Currency", "Price at Transaction", "Subtotal", "Total (inclusive of fees and/or spread)",
                "Fees and/or Spread", "Sender Address", "Recipient Address",
            ], signed: true),
        Version(
            name: "2024 with ID and signed quantities",
            columns: [
                "ID", "Price Currency", "Price at Transaction", "Subtotal", "Total (inclusive of fees and/or spread)",
                "Fees and/or Spread",
            ], signed: true),
        Version(
            name: "2022–23 spot price currency, fees and/or spread",
            columns: [
                "Spot Price Currency", "Spot Price at Transaction", "Subtotal",
                "Total (inclusive of fees and/or spread)", "Fees and/or Spread",
            ], signed: false),
        Version(
            name: "2021–22 spot price currency",
            columns: [
                "Spot Price Currency", "Spot Price at Transaction", "Subtotal", "Total (inclusive of fees)", "Fees",
            ], signed: false),
        Version(
            name: "2019–20 fiat-prefixed columns",
            columns: ["Spot Price at Transaction", "Subtotal", "Total (inclusive of fees)", "Fees"], signed: false),
        Version(
            name: "2018 tax transactions report",
            columns: ["Amount Transacted (Inclusive of Coinbase Fees)", "Address"], signed: false),
    ]

    /// The 2015–17 per-wallet export: `Timestamp,Balance,Amount,Currency,To,Notes,…` with a running balance.
    static let walletExport = Version(
        name: "2015–17 per-wallet export with a running balance",
        columns: ["Timestamp", "Balance", "Amount", "Currency"], signed: true, runningBalance: true)

    /// Columns that some versions prefix with the fiat currency they are priced in (`CAD Spot Price at Transaction`).
    static let pricedColumns: Set<String> = [
        "Spot Price at Transaction", "Subtotal", "Total (inclusive of fees)", "Fees",
        "Amount Transacted (Inclusive of Coinbase Fees)", "Total (inclusive of fees and/or spread)",
        "Fees and/or Spread", "Price at Transaction",
    ]

    /// Which way a transaction type moves its asset.
    enum Direction {
        case credit, debit
        /// Between two of the user's wallets (staking): no fixed direction, only a written sign can tell.
        case transfer
    }

    static let directions: [String: Direction] = {
        var table: [String: Direction] = [:]
        for type in [
            "buy", "receive", "deposit", "staking income", "rewards income", "coinbase earn", "learning reward",
            "inflation reward", "incentives rewards payout", "advanced trade buy", "pro withdrawal",
            "exchange withdrawal", "retail eth2 deprecation",
        ] { table[type] = .credit }
        for type in [
            "sell", "send", "withdrawal", "advanced trade sell", "pro deposit", "exchange deposit",
        ] { table[type] = .debit }
        for type in ["retail staking transfer", "retail unstaking transfer"] { table[type] = .transfer }
        return table
    }()

    /// Creates the reader.
    package init() {}

    package func recognizes(_ prefix: ContentPrefix) -> Bool {
        prefix.text.split(whereSeparator: { $0 == "\n" || $0 == "\r\n" }).prefix(20).contains { line in
            line.hasPrefix("Timestamp,Transaction Type,") || line.hasPrefix("ID,Timestamp,Transaction Type,")
                || line.hasPrefix("Timestamp,Balance,Amount,Currency,")
        }
    }

    /// A header's column names with any fiat prefix removed from priced columns.
    static func normalizedColumns(_ header: [String]) -> [String] {
        header.map { name in
            let scalars = Array(name.unicodeScalars)
            guard scalars.count > 4, scalars[0..<3].allSatisfy({ ("A"..."Z").contains($0) }), scalars[3] == " "
            else { return name }
            let rest = String(String.UnicodeScalarView(scalars[4...]))
            return pricedColumns.contains(rest) ? rest : name
        }
    }

    /// The version a header is, or the error naming what the closest version lacks.
    static func version(of header: [String], file: String, line: Int) throws(ReconciliationError) -> Version {
        let names = Set(normalizedColumns(header))
        let candidates = versions.map { ($0, sharedColumns + $0.columns) } + [(walletExport, walletExport.columns)]
        if let (version, _) = candidates.first(where: { $0.1.allSatisfy(names.contains) }) { return version }
        // The closest version: the fewest of its columns missing, the newer on a tie.
        var closest: (Version, [String])?
        var fewest = Int.max
        for candidate in candidates {
            let missing = candidate.1.filter { !names.contains($0) }.count
            if missing < fewest { (closest, fewest) = (candidate, missing) }
        }
        let missing = closest.map { $0.1.filter { !names.contains($0) } } ?? []
        throw ReconciliationError(
            .ingest,
            "unknown Coinbase transaction history header: \(header.joined(separator: ",")); the closest version, "
                + "\(closest?.0.name ?? "?"), also needs "
                + missing.map { "'\($0)'" }.joined(separator: ", ")
                + "; known versions: " + candidates.map(\.0.name).joined(separator: "; "),
            at: SourceLocation(file: file, line: line))
    }

    package func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        var scanner = CSVScanner(source: source, displayPath: path, maxRecordBytes: options.limits.maxRecordBytes)
        var user: String?
        var header: [String] = []
        // The preamble: anything before the header line, with the user id on a `User,<name>,<id>` line. Spreadsheets
        // pad it with empty cells (`Transactions,,,,`) and blank lines.
        while try scanner.next() {
            let fields = Self.unpadded(&scanner)
            if fields.first == "User", fields.count >= 3, !fields[2].isEmpty { user = fields[2] }
            if fields.count >= 3 && fields.contains("Timestamp") {
                header = fields
                break
            }
            if scanner.line > 50 { break }
        }
        guard !header.isEmpty else {
            throw ReconciliationError(
                .ingest,
                "no transaction history header (a line with a `Timestamp` column) in the first 50 lines",
                at: SourceLocation(file: path))
        }
        let headerLine = scanner.line
        let version = try Self.version(of: header, file: path, line: headerLine)
        if user == nil && options.account == nil {
            throw ReconciliationError(
                .ingest,
                "the file names no user id (no `User,<name>,<id>` line before the header): set "
                    + options.setting("account"),
                at: SourceLocation(file: path, line: headerLine))
        }
        let columns = Dictionary(
            Self.normalizedColumns(header).enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        if version.runningBalance {
            try readWalletExport(
                &scanner, columns: columns, width: header.count, user: user, path: path, options: options,
                into: collector)
        } else {
            try readHistory(
                &scanner, version: version, columns: columns, width: header.count, user: user, path: path,
                options: options, into: collector)
        }
    }

    /// Type names whose rows were written against the type's usual direction, with the first line and a count.
    private struct Disagreements {
        var byType: [String: (first: SourceLocation, count: Int)] = [:]
        var order: [String] = []

        mutating func note(_ type: String, at location: SourceLocation) {
            if let seen = byType[type] {
                byType[type] = (seen.first, seen.count + 1)
            } else {
                byType[type] = (location, 1)
                order.append(type)
            }
        }
    }

    private func readHistory(
        _ scanner: inout CSVScanner, version: Version, columns: [String: Int], width: Int, user: String?,
        path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        let type = columns["Transaction Type"] ?? 0
        let asset = columns["Asset"] ?? 0
        let quantity = columns["Quantity Transacted"] ?? 0
        let notes = columns["Notes"] ?? 0
        let time = columns["Timestamp"] ?? 0
        var rows = 0
        var disagreements = Disagreements()
        var window = try RowWindow(options: options, file: path)
        defer { window.report(file: path, into: collector) }
        while try Self.nextRow(&scanner, width: width, file: path, into: collector) {
            rows += 1
            // Rows after the cutoff are not part of the run's balance.
            if options.cutoff != nil {
                guard let when = ReaderSupport.timestamp(&scanner, time, name: "Timestamp", into: collector) else {
                    continue
                }
                if !window.admits(when) { continue }
            }
            let location = SourceLocation(file: path, line: scanner.line)
            let kind = scanner.string(type).trimmingSpaces
            let code = scanner.string(asset).trimmingSpaces
            guard
                let written = ReaderSupport.amount(
                    scanner.string(quantity), what: "column Quantity Transacted", at: scanner.location(of: quantity),
                    syntax: options.amountSyntax, into: collector)
            else { continue }
            let lowered = kind.lowercased()
            if lowered == "convert" {
                readConversion(
                    &scanner, asset: code, quantity: written, notes: notes, user: user, at: location, into: collector)
                continue
            }
            let direction = Self.directions[lowered]
            let signed: Amount
            if version.signed {
                signed = written
                if let direction, direction != .transfer, written != .zero,
                    written.isNegative != (direction == .debit)
                {
                    disagreements.note(kind, at: scanner.location(of: quantity))
                }
            } else {
                switch direction {
                case .credit? where written.isNegative:
                    collector.diagnose(
                        .error,
                        "'\(kind)' adds to the asset but its quantity is written negative (\(written)); this header "
                            + "version writes quantities unsigned, so the direction cannot be told",
                        at: scanner.location(of: quantity))
                    continue
                case .credit?: signed = written.magnitude
                case .debit?: signed = written.magnitude.negated()
                case .transfer?:
                    collector.diagnose(
                        .error,
                        "'\(kind)' moves the asset between the user's wallets and this header version writes "
                            + "quantities unsigned, so the direction cannot be told",
                        at: scanner.location(of: type))
                    continue
                case nil:
                    collector.diagnose(
                        .error,
                        "unknown transaction type '\(kind)'; this header version writes quantities unsigned, so the "
                            + "direction cannot be told", at: scanner.location(of: type))
                    continue
                }
            }
            collector.add(RawRecord(account: user, asset: code, total: signed, location: location))
        }
        for kind in disagreements.order {
            guard let (first, count) = disagreements.byType[kind] else { continue }
            let usual = Self.directions[kind.lowercased()] == .debit ? "takes from" : "adds to"
            collector.diagnose(
                .warning,
                "'\(kind)' usually \(usual) the asset, but \(count) row\(count == 1 ? " is" : "s are") written with "
                    + "the other sign; this header version signs quantities, so the written sign was taken",
                at: first)
        }
        if rows == 0 {
            collector.diagnose(.warning, "the history lists no transactions", at: SourceLocation(file: path))
        }
    }

    /// A `Convert` row: the row's asset is debited by the quantity's magnitude, the target named in the notes
    /// credited. The notes must name the row's asset as the source.
    private func readConversion(
        _ scanner: inout CSVScanner, asset: String, quantity: Amount, notes: Int, user: String?,
        at location: SourceLocation, into collector: RecordCollector
    ) {
        let note = scanner.string(notes)
        guard let conversion = Self.conversion(note) else {
            collector.diagnose(
                .error, "cannot tell what the conversion produced from its notes '\(note)'",
                at: scanner.location(of: notes))
            return
        }
        guard conversion.source.asset.uppercased() == asset.uppercased() else {
            collector.diagnose(
                .error,
                "the notes convert \(conversion.source.asset), but the row's asset is \(asset): which asset left "
                    + "cannot be told", at: scanner.location(of: notes))
            return
        }
        if conversion.source.quantity.magnitude != quantity.magnitude {
            collector.diagnose(
                .warning,
                "the notes convert \(conversion.source.quantity) \(asset), the row's quantity is \(quantity); the "
                    + "row's quantity was taken", at: scanner.location(of: notes))
        }
        collector.add(RawRecord(account: user, asset: asset, total: quantity.magnitude.negated(), location: location))
        collector.add(
            RawRecord(
                account: user, asset: conversion.target.asset, total: conversion.target.quantity, location: location)
        )
    }

    private func readWalletExport(
        _ scanner: inout CSVScanner, columns: [String: Int], width: Int, user: String?, path: String,
        options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        let time = columns["Timestamp"] ?? 0
        let balance = columns["Balance"] ?? 0
        let amount = columns["Amount"] ?? 0
        let currency = columns["Currency"] ?? 0
        var statement = RunningBalanceStatement(options: options)
        while try Self.nextRow(&scanner, width: width, file: path, into: collector) {
            guard let when = ReaderSupport.timestamp(&scanner, time, name: "Timestamp", into: collector),
                let moved = ReaderSupport.amount(
                    scanner.string(amount), what: "column Amount", at: scanner.location(of: amount), into: collector),
                let running = ReaderSupport.amount(
                    scanner.string(balance), what: "column Balance", at: scanner.location(of: balance),
                    into: collector)
            else { continue }
            let code = scanner.string(currency).trimmingSpaces
            statement.add(
                unit: RunningBalanceStatement.Unit(account: "", asset: code), label: code, time: when, movement: moved,
                balance: running, line: scanner.line)
            collector.countRows(1)
        }
        let closing = statement.closing(file: path, into: collector)
        if closing.isEmpty {
            collector.diagnose(.warning, "the export lists no transactions", at: SourceLocation(file: path))
        }
        for (unit, row, _) in closing {
            let location = SourceLocation(file: path, line: row.line)
            // The closing balance stands for the whole wallet: a second export of it in the same input would add up.
            guard collector.claimClosingBalance(account: user, asset: unit.asset, at: location) else { continue }
            collector.add(
                RawRecord(account: user, asset: unit.asset, total: row.balance, location: location),
                countingRows: false)
        }
    }

    /// The fields of the current row without the empty cells a spreadsheet adds at the end.
    static func unpadded(_ scanner: inout CSVScanner) -> [String] {
        var fields = (0..<scanner.fieldCount).map { scanner.string($0).trimmingSpaces }
        while fields.last?.isEmpty == true { fields.removeLast() }
        return fields
    }

    /// Moves to the next row with at least `width` fields (cells past the header's width must be empty padding);
    /// rows of nothing but empty cells are skipped, other ragged rows reported.
    static func nextRow(
        _ scanner: inout CSVScanner, width: Int, file: String, into collector: RecordCollector
    ) throws(ReconciliationError) -> Bool {
        while !collector.shouldStop, try scanner.next() {
            if scanner.fieldCount == width { return true }
            if (0..<scanner.fieldCount).allSatisfy({ scanner.field($0).isEmpty }) { continue }
            if scanner.fieldCount > width && (width..<scanner.fieldCount).allSatisfy({ scanner.field($0).isEmpty }) {
                return true
            }
            collector.diagnose(
                .error, "expected \(width) fields as in the header, found \(scanner.fieldCount)",
                at: SourceLocation(file: file, line: scanner.line))
        }
        return false
    }

    /// `Converted 0.00363125 BTC to 156.145683 XRP` → source (BTC, 0.00363125), target (XRP, 156.145683).
    static func conversion(_ note: String) -> (
        source: (asset: String, quantity: Amount), target: (asset: String, quantity: Amount)
    )? {
        let words = note.split(separator: " ").map(String.init)
        var syntax = AmountSyntax(groupingSeparator: UInt8(ascii: ","))
        syntax.allowsExponent = false
        // Quantities are plain positive decimals (`1,750.5`); codes are letters and digits (`USDC`, `1INCH`).
        func quantity(_ text: String) -> Amount? {
            guard text.first?.isNumber == true, let value = try? Amount.parse(text, syntax: syntax), value > .zero
            else { return nil }
            return value
        }
        func code(_ text: String) -> String? {
            let trimmed = text.trimmingCharacters(in: ".,;:")
            guard !trimmed.isEmpty,
                trimmed.unicodeScalars.allSatisfy({ $0.properties.isAlphabetic || ("0"..."9").contains($0) })
            else { return nil }
            return trimmed
        }
        guard let to = words.firstIndex(of: "to"), to >= 2, to + 2 < words.count,
            let sourceQuantity = quantity(words[to - 2]), let sourceAsset = code(words[to - 1]),
            let targetQuantity = quantity(words[to + 1]), let targetAsset = code(words[to + 2])
        else { return nil }
        return ((sourceAsset, sourceQuantity), (targetAsset, targetQuantity))
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
