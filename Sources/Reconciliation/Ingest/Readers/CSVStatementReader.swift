/// The generic CSV format (`format: csv`): columns named in the job map to venue, account, asset and amount (or
/// available + hold).
///
/// For an `entries` input the rows are summed per key on the fly by an ``EntryAggregator`` (no string per row); for a
/// `balances` input every row becomes a record. A bad row is reported with file, line, column and the offending text,
/// and reading goes on so one pass shows every bad row.
public struct CSVStatementReader: StatementReader {
    public let format = "csv"

    /// Creates the reader.
    public init() {}

    /// Column positions resolved against the header.
    struct Columns {
        var venue: Int?
        var account: Int?
        var asset: Int
        var amount: Int?
        var available: Int?
        var hold: Int?
        var names: [Int: String]
        var width: Int?

        var highest: Int { [venue, account, asset, amount, available, hold].compactMap { $0 }.max() ?? 0 }
    }

    public func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        var scanner = CSVScanner(
            source: source, displayPath: path, delimiter: options.delimiter,
            maxRecordBytes: options.limits.maxRecordBytes)
        let columns = try resolveColumns(&scanner, options: options, path: path)
        if options.kind == .entries {
            try readEntries(&scanner, columns: columns, options: options, path: path, into: collector)
        } else {
            try readBalances(&scanner, columns: columns, options: options, path: path, into: collector)
        }
    }

    /// Maps the job's column names (or 1-based numbers without a header) to positions.
    func resolveColumns(_ scanner: inout CSVScanner, options: InputOptions, path: String) throws(ReconciliationError)
        -> Columns
    {
        let mapping = options.fields
        var header: [String] = []
        if options.hasHeader {
            guard try scanner.next() else {
                throw ReconciliationError(.ingest, "the file is empty (no header line)", at: SourceLocation(file: path))
            }
            header = (0..<scanner.fieldCount).map { scanner.string($0).trimmingSpaces }
        }
        var names: [Int: String] = [:]
        func position(_ role: String, _ name: String?) throws(ReconciliationError) -> Int? {
            guard let name else { return nil }
            let index: Int?
            if options.hasHeader {
                index =
                    header.firstIndex(of: name)
                    ?? header.indices.filter({ header[$0].lowercased() == name.lowercased() }).onlyElement
            } else {
                index = Int(name).map { $0 - 1 }
            }
            guard let index, index >= 0 else {
                let known = options.hasHeader ? " (the header has: \(header.joined(separator: ", ")))" : ""
                throw ReconciliationError(
                    .ingest, "column '\(name)' for \(role) not found\(known)", at: SourceLocation(file: path, line: 1))
            }
            names[index] = name
            return index
        }
        guard let asset = try position("asset", mapping.asset) else {
            throw ReconciliationError(.ingest, "no asset column is mapped", at: SourceLocation(file: path))
        }
        let columns = Columns(
            venue: try position("venue", mapping.venue), account: try position("account", mapping.account),
            asset: asset, amount: try position("amount", mapping.amount),
            available: try position("available", mapping.available), hold: try position("hold", mapping.hold),
            names: names, width: options.hasHeader ? header.count : nil)
        guard columns.amount != nil || columns.available != nil || columns.hold != nil else {
            throw ReconciliationError(
                .ingest, "no amount column is mapped (map `amount`, or `available` and `hold`)",
                at: SourceLocation(file: path))
        }
        return columns
    }

    /// Checks the row's width; reports and skips a ragged row.
    private func rowIsWhole(
        _ scanner: borrowing CSVScanner, _ columns: Columns, path: String, into collector: RecordCollector
    )
        -> Bool
    {
        if let width = columns.width, scanner.fieldCount != width {
            collector.diagnose(
                .error, "expected \(width) fields as in the header, found \(scanner.fieldCount)",
                at: SourceLocation(file: path, line: scanner.line))
            return false
        }
        if scanner.fieldCount <= columns.highest {
            collector.diagnose(
                .error, "expected at least \(columns.highest + 1) fields, found \(scanner.fieldCount)",
                at: SourceLocation(file: path, line: scanner.line))
            return false
        }
        return true
    }

    private func amount(
        _ scanner: inout CSVScanner, _ index: Int?, _ columns: Columns, syntax: AmountSyntax,
        into collector: RecordCollector
    ) -> Amount?? {
        guard let index else { return .some(nil) }
        do {
            return .some(try Amount.parse(scanner.field(index), syntax: syntax))
        } catch {
            collector.diagnose(
                .error,
                "invalid amount '\(error.text)' (column \(columns.names[index] ?? "\(index + 1)")): \(error.failure.reason)",
                at: scanner.location(of: index))
            return nil
        }
    }

    /// The total, available and hold of the current row, or `nil` after reporting a bad amount.
    private func amounts(
        _ scanner: inout CSVScanner, _ columns: Columns, syntax: AmountSyntax, into collector: RecordCollector
    ) -> (total: Amount, available: Amount?, hold: Amount?)? {
        guard let total = amount(&scanner, columns.amount, columns, syntax: syntax, into: collector),
            let available = amount(&scanner, columns.available, columns, syntax: syntax, into: collector),
            let hold = amount(&scanner, columns.hold, columns, syntax: syntax, into: collector)
        else { return nil }
        if let total { return (total, available, hold) }
        do {
            return (try (available ?? .zero).adding(hold ?? .zero), available, hold)
        } catch {
            collector.diagnose(.error, "available + hold \(error)", at: scanner.location(of: columns.asset))
            return nil
        }
    }

    private func readEntries(
        _ scanner: inout CSVScanner, columns: Columns, options: InputOptions, path: String,
        into collector: RecordCollector
    ) throws(ReconciliationError) {
        var aggregator = EntryAggregator()
        var rows = 0
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        let syntax = options.amountSyntax
        let hasAvailableOrHold = columns.available != nil || columns.hold != nil
        while try scanner.next() {
            guard rowIsWhole(scanner, columns, path: path, into: collector) else {
                if collector.shouldStop { break }
                continue
            }
            let total: Amount
            var available: Amount?
            var hold: Amount?
            if let amountColumn = columns.amount, !hasAvailableOrHold {
                // The hot path: one amount per row.
                do {
                    total = try Amount.parse(scanner.field(amountColumn), syntax: syntax)
                } catch {
                    collector.diagnose(
                        .error,
                        "invalid amount '\(error.text)' (column \(columns.names[amountColumn] ?? "")): \(error.failure.reason)",
                        at: scanner.location(of: amountColumn))
                    if collector.shouldStop { break }
                    continue
                }
            } else {
                guard let parsed = amounts(&scanner, columns, syntax: syntax, into: collector) else {
                    if collector.shouldStop { break }
                    continue
                }
                (total, available, hold) = parsed
            }
            let asset = scanner.field(columns.asset)
            if asset.isEmpty || asset.allSatisfy({ $0 == 0x20 }) {
                collector.diagnose(
                    .error, "empty asset (column \(columns.names[columns.asset] ?? ""))",
                    at: scanner.location(of: columns.asset))
                if collector.shouldStop { break }
                continue
            }
            let venue = columns.venue.map { scanner.field($0) } ?? empty
            let account = columns.account.map { scanner.field($0) } ?? empty
            do {
                try aggregator.add(
                    venue: venue, account: account, asset: asset, amount: total, available: available, hold: hold,
                    line: scanner.line)
            } catch {
                collector.diagnose(
                    .error, "the sum of entries for this key leaves the exact range (more than 38 digits)",
                    at: scanner.location(of: columns.amount ?? columns.asset))
                if collector.shouldStop { break }
                continue
            }
            rows += 1
        }
        collector.countRows(rows)
        for record in aggregator.records(file: path) {
            collector.add(record, countingRows: false)
        }
    }

    private func readBalances(
        _ scanner: inout CSVScanner, columns: Columns, options: InputOptions, path: String,
        into collector: RecordCollector
    ) throws(ReconciliationError) {
        while try scanner.next() {
            guard rowIsWhole(scanner, columns, path: path, into: collector),
                let (total, available, hold) = amounts(&scanner, columns, syntax: options.amountSyntax, into: collector)
            else {
                if collector.shouldStop { break }
                continue
            }
            let asset = scanner.string(columns.asset).trimmingSpaces
            guard !asset.isEmpty else {
                collector.diagnose(
                    .error, "empty asset (column \(columns.names[columns.asset] ?? ""))",
                    at: scanner.location(of: columns.asset))
                if collector.shouldStop { break }
                continue
            }
            collector.add(
                RawRecord(
                    venue: columns.venue.map { scanner.string($0) },
                    account: columns.account.map { scanner.string($0) },
                    asset: asset, total: total, available: available, hold: hold,
                    location: SourceLocation(file: path, line: scanner.line)))
        }
    }
}

extension String {
    /// The string without leading and trailing spaces and tabs.
    var trimmingSpaces: String { trimming { $0 == " " || $0 == "\t" } }

    /// The string without leading and trailing spaces, tabs and line breaks.
    var trimmingWhitespace: String { trimming { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" } }

    private func trimming(_ drop: (Unicode.Scalar) -> Bool) -> String {
        let scalars = unicodeScalars
        guard let first = scalars.firstIndex(where: { !drop($0) }), let last = scalars.lastIndex(where: { !drop($0) })
        else { return "" }
        return String(scalars[first...last])
    }
}

extension Collection {
    /// The element when there is exactly one.
    var onlyElement: Element? { count == 1 ? first : nil }
}
