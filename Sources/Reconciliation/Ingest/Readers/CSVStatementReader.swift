/// The generic CSV format (`format: csv`): columns named in the job map to venue, account, asset and amount (or
/// available + hold).
///
/// For an `entries` input the rows are summed per key on the fly by an ``EntryAggregator`` (no string per row); for a
/// `balances` input every row becomes a record. A bad row is reported with file, line, column and the offending text,
/// and reading goes on so one pass shows every bad row.
package struct CSVStatementReader: StatementReader {
    /// A mapping defaults to the columns `venue`, `account`, `asset`, `amount`; the venue and account must come from
    /// somewhere.
    package func validate(_ options: inout InputOptions) -> String? {
        if options.fields.isEmpty {
            options.fields = FieldMapping(venue: "venue", account: "account", asset: "asset", amount: "amount")
        }
        return mappedFormatProblem(options)
    }

    package let format = "csv"
    package let summary = "any CSV mapped with `columns:` (entries summed, or one balance per row)"

    /// Creates the reader.
    package init() {}

    /// The column names a file needs no mapping for: a header made of these alone (with `asset` and an amount) is
    /// read as generic CSV when no format is named.
    static let plainColumns: Set<String> = [
        "venue", "account", "asset", "amount", "available", "hold", "balance", "time", "date",
    ]

    package func recognizes(_ prefix: ContentPrefix) -> Bool {
        let names = prefix.firstLine.split(separator: ",", omittingEmptySubsequences: false)
            .map { String($0).trimmingCharacters(in: " \"\r").lowercased() }
        return names.count >= 2 && names.allSatisfy(Self.plainColumns.contains) && names.contains("asset")
            && (names.contains("amount") || names.contains("available") || names.contains("hold"))
    }

    /// Column positions resolved against the header.
    struct Columns {
        var venue: Int?
        var account: Int?
        var asset: Int
        var amount: Int?
        var available: Int?
        var hold: Int?
        var time: Int?
        var date: Int?
        var names: [Int: String]
        var width: Int?

        /// The highest position mapped (computed once: it is checked on every row).
        let highest: Int
    }

    package func read(
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
                // A file read with the wrong delimiter has one column holding the others' names.
                var hint = ""
                let separators: [String] = [";", "\t", "|"]
                if header.count == 1, let other = separators.first(where: { header[0].contains($0) }) {
                    let shown = other == "\t" ? "\\t" : other
                    hint =
                        " — the header has one column containing '\(shown)': try \(options.setting("delimiter")) "
                        + "'\(shown)'"
                }
                throw ReconciliationError(
                    .ingest, "column '\(name)' for \(role) not found\(known)\(hint)",
                    at: SourceLocation(file: path, line: 1))
            }
            names[index] = name
            return index
        }
        guard let asset = try position("asset", mapping.asset) else {
            throw ReconciliationError(.ingest, "no asset column is mapped", at: SourceLocation(file: path))
        }
        let venue = try position("venue", mapping.venue)
        let account = try position("account", mapping.account)
        let amount = try position("amount", mapping.amount)
        let available = try position("available", mapping.available)
        let hold = try position("hold", mapping.hold)
        let time = try position("time", mapping.time)
        let date = try position("date", mapping.date)
        let columns = Columns(
            venue: venue, account: account, asset: asset, amount: amount, available: available, hold: hold,
            time: time, date: date, names: names, width: options.hasHeader ? header.count : nil,
            highest: [venue, account, asset, amount, available, hold, time, date].compactMap { $0 }.max() ?? 0)
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
                "invalid amount '\(error.text)' (column \(columns.names[index] ?? "\(index + 1)")): \(error.failure.reason(namingFlags: syntax.namesFlags))",
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
        var window: RowWindow? = columns.time == nil ? nil : try RowWindow(options: options, file: path)
        let (rows, _) = try sumEntries(
            &scanner, columns: columns, syntax: options.amountSyntax, into: &aggregator, collector: collector,
            window: &window, stopAt: nil)
        window?.report(file: path, into: collector)
        collector.countRows(rows)
        let records = aggregator.records(file: path)
        _ = consume aggregator  // its table is freed before the collector indexes the records
        collector.add(contentsOf: records)
    }

    /// How reading a range of entries ended.
    enum RangeEnd {
        /// At the end of the input.
        case end
        /// At a record starting exactly where the next range starts.
        case boundary(lines: Int)
        /// A record runs across where the next range was assumed to start (a quoted line break): the ranges are
        /// wrong and the file must be read in one piece.
        case overran
        /// Too many bad rows to go on.
        case stopped
    }

    /// Sums the entries of `scanner` into `aggregator` — the ingest hot path — until the input ends or, with
    /// `stopAt`, a record starts at or after that file offset. Returns the rows summed and how it ended.
    func sumEntries(
        _ scanner: inout CSVScanner, columns: Columns, syntax: AmountSyntax, into aggregator: inout EntryAggregator,
        collector: RecordCollector, window: inout RowWindow?, stopAt: Int64?
    ) throws(ReconciliationError) -> (rows: Int, end: RangeEnd) {
        var rows = 0
        let empty = UnsafeRawBufferPointer(start: nil, count: 0)
        let hasAvailableOrHold = columns.available != nil || columns.hold != nil
        let amountIndex = hasAvailableOrHold ? -1 : (columns.amount ?? -1)
        let assetIndex = columns.asset
        let venueIndex = columns.venue ?? -1
        let accountIndex = columns.account ?? -1
        let width = columns.width ?? -1
        let highest = columns.highest
        let limit = stopAt ?? Int64.max
        while try scanner.next() {
            if scanner.recordOffset >= limit {
                return (rows, scanner.recordOffset == limit ? .boundary(lines: scanner.line - 1) : .overran)
            }
            let fieldCount = scanner.fieldCount
            guard fieldCount == width || (width < 0 && fieldCount > highest) else {
                _ = rowIsWhole(scanner, columns, path: scanner.displayPath, into: collector)
                if collector.shouldStop { return (rows, .stopped) }
                continue
            }
            if let timeIndex = columns.time, window != nil {
                guard
                    let admitted = window?.admitsTime(
                        scanner.string(timeIndex), at: scanner.location(of: timeIndex), into: collector)
                else {
                    if collector.shouldStop { return (rows, .stopped) }
                    continue
                }
                if !admitted { continue }
            }
            let total: Amount
            var available: Amount?
            var hold: Amount?
            if amountIndex >= 0 {
                // The hot path: one amount per row.
                do {
                    total = try Amount.parse(scanner.field(amountIndex), syntax: syntax)
                } catch {
                    collector.diagnose(
                        .error,
                        "invalid amount '\(error.text)' (column \(columns.names[amountIndex] ?? "")): \(error.failure.reason(namingFlags: syntax.namesFlags))",
                        at: scanner.location(of: amountIndex))
                    if collector.shouldStop { return (rows, .stopped) }
                    continue
                }
            } else {
                guard let parsed = amounts(&scanner, columns, syntax: syntax, into: collector) else {
                    if collector.shouldStop { return (rows, .stopped) }
                    continue
                }
                (total, available, hold) = parsed
            }
            let asset = scanner.field(assetIndex)
            if asset.isEmpty || asset[0] == 0x20 && asset.allSatisfy({ $0 == 0x20 }) {
                collector.diagnose(
                    .error, "empty asset (column \(columns.names[assetIndex] ?? ""))",
                    at: scanner.location(of: assetIndex))
                if collector.shouldStop { return (rows, .stopped) }
                continue
            }
            let venue = venueIndex >= 0 ? scanner.field(venueIndex) : empty
            let account = accountIndex >= 0 ? scanner.field(accountIndex) : empty
            do throws(EntryAggregator.Failure) {
                try aggregator.add(
                    venue: venue, account: account, asset: asset, amount: total, available: available, hold: hold,
                    line: scanner.line, padded: true)
            } catch {
                switch error {
                case .overflow:
                    collector.diagnose(
                        .error, "the sum of entries for this key leaves the exact range (more than 38 digits)",
                        at: scanner.location(of: columns.amount ?? assetIndex))
                case .keyPartTooLong:
                    // The longest of the key's fields: usually a quote left open that swallowed the lines after it.
                    let column =
                        [(venueIndex, venue.count), (accountIndex, account.count), (assetIndex, asset.count)]
                        .max { $0.1 < $1.1 }?.0 ?? assetIndex
                    collector.diagnose(
                        .error,
                        "field of \(scanner.field(column).count) bytes (column \(columns.names[column] ?? "")) is "
                            + "longer than a venue, account or asset may be (\(EntryAggregator.maxKeyPartBytes) "
                            + "bytes); is a quote left open?",
                        at: scanner.location(of: column))
                }
                if collector.shouldStop { return (rows, .stopped) }
                continue
            }
            rows += 1
        }
        return (rows, .end)
    }

    private func readBalances(
        _ scanner: inout CSVScanner, columns: Columns, options: InputOptions, path: String,
        into collector: RecordCollector
    ) throws(ReconciliationError) {
        var window = try RowWindow(options: options, file: path)
        defer { window.report(file: path, into: collector) }
        while try scanner.next() {
            guard rowIsWhole(scanner, columns, path: path, into: collector) else {
                if collector.shouldStop { break }
                continue
            }
            if let index = columns.time {
                guard
                    let admitted = window.admitsTime(
                        scanner.string(index), at: scanner.location(of: index), into: collector)
                else {
                    if collector.shouldStop { break }
                    continue
                }
                if !admitted { continue }
            }
            if let index = columns.date {
                guard
                    let admitted = window.admitsDate(
                        scanner.string(index), at: scanner.location(of: index), into: collector)
                else {
                    if collector.shouldStop { break }
                    continue
                }
                if !admitted { continue }
            }
            guard
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
    var trimmingSpaces: String {
        // Nearly every field has nothing to trim: check the two ends before walking scalars.
        guard let first = utf8.first, let last = utf8.last,
            first == 0x20 || first == 0x09 || last == 0x20 || last == 0x09
        else { return self }
        return trimming { $0 == " " || $0 == "\t" }
    }

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
