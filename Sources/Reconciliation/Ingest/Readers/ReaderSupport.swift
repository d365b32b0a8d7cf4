/// Helpers every reader shares: amounts read from text with errors reported at their place, JSON records walked at a
/// path, CSV headers resolved by name.
enum ReaderSupport {
    /// An amount from text; reports `invalid amount '…' at WHERE: reason` and returns `nil` when it is not one.
    static func amount(
        _ text: String, what: String, at location: SourceLocation, syntax: AmountSyntax = .standard,
        into collector: RecordCollector
    ) -> Amount? {
        do {
            return try Amount.parse(text, syntax: syntax)
        } catch {
            collector.diagnose(
                .error,
                "invalid amount '\(error.text)' (\(what)): \(error.failure.reason(namingFlags: syntax.namesFlags))",
                at: location)
            return nil
        }
    }

    /// An amount from a JSON string or number at `path` below `record`; `nil` after reporting when absent (if
    /// `required`) or invalid. Numbers are read from their exact text.
    static func amount(
        in record: JSONElement, _ path: String, keyPath: String, file: String, required: Bool = true,
        syntax: AmountSyntax = .standard, into collector: RecordCollector
    ) -> Amount?? {
        let fullPath = keyPath.isEmpty ? path : keyPath + "." + path
        guard let element = record.value(at: path), !element.isNull else {
            if required {
                collector.diagnose(.error, "missing amount \(fullPath)", at: record.location(in: file))
                return nil
            }
            return .some(nil)
        }
        guard let text = element.text else {
            collector.diagnose(
                .error, "expected an amount at \(fullPath), found \(element.kindName)", at: element.location(in: file))
            return nil
        }
        guard let value = amount(text, what: fullPath, at: element.location(in: file), syntax: syntax, into: collector)
        else { return nil }
        return .some(value)
    }

    /// A string at `path` below `record`, or `nil` after reporting (when `required`).
    static func string(
        in record: JSONElement, _ path: String, keyPath: String, file: String, required: Bool = true,
        into collector: RecordCollector
    ) -> String? {
        let fullPath = keyPath.isEmpty ? path : keyPath + "." + path
        guard let element = record.value(at: path), !element.isNull else {
            if required { collector.diagnose(.error, "missing \(fullPath)", at: record.location(in: file)) }
            return nil
        }
        switch element.kind {
        case .string(let text), .number(let text): return text
        default:
            collector.diagnose(
                .error, "expected text at \(fullPath), found \(element.kindName)", at: element.location(in: file))
            return nil
        }
    }

    /// An instant from Unix milliseconds written as a whole number (`1764021600000`).
    static func epochMilliseconds(_ text: String?) -> Timestamp? {
        guard let text, !text.isEmpty, text.utf8.allSatisfy({ (0x30...0x39).contains($0) }), text.count <= 16,
            let value = Int64(text)
        else { return nil }
        return Timestamp(seconds: value / 1000, nanoseconds: Int(value % 1000) * 1_000_000)
    }

    /// Seconds since 1970 with an optional fraction (`1688464484.1787`, Kraken's ledger times), exactly.
    static func epochSeconds(_ text: String?) -> Timestamp? {
        guard let text, !text.isEmpty else { return nil }
        let parts = text.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count <= 2, let whole = parts.first, !whole.isEmpty, whole.count <= 12,
            whole.utf8.allSatisfy({ (0x30...0x39).contains($0) }), let seconds = Int64(whole)
        else { return nil }
        var nanoseconds = 0
        if parts.count == 2 {
            let fraction = parts[1]
            guard !fraction.isEmpty, fraction.count <= 9, fraction.utf8.allSatisfy({ (0x30...0x39).contains($0) }),
                let value = Int(fraction)
            else { return nil }
            nanoseconds = value * Int(pow10(9 - fraction.count))
        }
        return Timestamp(seconds: seconds, nanoseconds: nanoseconds)
    }

    private static func pow10(_ exponent: Int) -> Int64 {
        (0..<exponent).reduce(Int64(1)) { value, _ in value * 10 }
    }

    /// Walks the JSON records at `path` of a file, with the parser's limits taken from the options.
    static func forEachJSONRecord(
        _ source: any ByteSource, path: String, file: String, records: String, options: InputOptions,
        _ body: (JSONStreamParser.Record) throws(ReconciliationError) -> Void
    ) throws(ReconciliationError) {
        guard let steps = JSONStreamParser.path(records) else {
            throw ReconciliationError(.ingest, "invalid record path '\(records)'", at: SourceLocation(file: file))
        }
        var parser = JSONStreamParser(source: source, displayPath: file, maxValueBytes: options.limits.maxRecordBytes)
        try parser.forEachRecord(at: steps, body)
    }

    /// The whole JSON document of a file.
    static func jsonDocument(_ source: any ByteSource, file: String, options: InputOptions) throws(ReconciliationError)
        -> JSONElement
    {
        var parser = JSONStreamParser(source: source, displayPath: file, maxValueBytes: options.limits.maxRecordBytes)
        return try parser.document()
    }

    /// `available + hold`, reported as an error when it leaves the exact range.
    static func sum(_ parts: [Amount?], at location: SourceLocation, into collector: RecordCollector) -> Amount? {
        var total = Amount.zero
        for part in parts.compactMap({ $0 }) {
            do {
                total = try total.adding(part)
            } catch {
                collector.diagnose(.error, "the sum leaves the exact range (\(error))", at: location)
                return nil
            }
        }
        return total
    }

    /// The first line of a CSV file as its header (names trimmed) and the positions of its columns; `required` names
    /// must be among them.
    static func csvHeader(
        _ scanner: inout CSVScanner, required: [String], file: String
    ) throws(ReconciliationError) -> (names: [String], columns: [String: Int]) {
        guard try scanner.next() else {
            throw ReconciliationError(.ingest, "the file is empty (no header line)", at: SourceLocation(file: file))
        }
        let names = (0..<scanner.fieldCount).map { scanner.string($0).trimmingSpaces }
        return (names, try columns(names, required: required, file: file, line: scanner.line))
    }

    /// Moves to the next row of `width` fields, reporting each ragged row on the way. `false` at the end of the file,
    /// or once the collector has too many errors to read on.
    static func nextRow(
        _ scanner: inout CSVScanner, width: Int, file: String, into collector: RecordCollector
    ) throws(ReconciliationError) -> Bool {
        while !collector.shouldStop, try scanner.next() {
            if scanner.fieldCount == width { return true }
            collector.diagnose(
                .error, "expected \(width) fields as in the header, found \(scanner.fieldCount)",
                at: SourceLocation(file: file, line: scanner.line))
        }
        return false
    }

    /// The time in field `index` (column `name`); reports `invalid time '…'` and returns `nil` when it is not one.
    static func timestamp(
        _ scanner: inout CSVScanner, _ index: Int, name: String, into collector: RecordCollector
    ) -> Timestamp? {
        let text = scanner.string(index)
        guard let time = Timestamp(text) else {
            collector.diagnose(.error, "invalid time '\(text)' (column \(name))", at: scanner.location(of: index))
            return nil
        }
        return time
    }

    /// Column positions of a CSV header by name; missing required names are one error listing them.
    static func columns(
        _ header: [String], required: [String], file: String, line: Int = 1
    ) throws(ReconciliationError) -> [String: Int] {
        var positions: [String: Int] = [:]
        for (index, name) in header.enumerated() where positions[name] == nil { positions[name] = index }
        let missing = required.filter { positions[$0] == nil }
        if !missing.isEmpty {
            throw ReconciliationError(
                .ingest,
                "missing column\(missing.count == 1 ? "" : "s") \(missing.map { "'\($0)'" }.joined(separator: ", ")) "
                    + "(the header has: \(header.joined(separator: ", ")))",
                at: SourceLocation(file: file, line: line))
        }
        return positions
    }
}
