/// The generic XML format (`format: xml`) for venues without a reader of their own: `records` is the element path
/// of one record from the root (`Statement/Balances/Balance`, local names, namespaces ignored) and `fields` are paths
/// below it, a last step `@name` reading an attribute: `fields: {asset: Amount/@currency, amount: Amount}`.
///
/// Read with libxml2 as a stream (hardened: no DOCTYPE, no entities, nesting capped); one record is held at a time.
package struct XMLStatementReader: StatementReader {
    package let format = "xml"

    /// An input names the path of one record and the fields in it, and where its venue and account come from.
    package func validate(_ options: inout InputOptions) -> String? { mappedRecordsProblem(format, options) }
    package let summary = "any XML mapped with `records:` and `fields:`"

    /// Creates the reader.
    package init() {}

    package func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        let recordPath = (options.records ?? "").split(separator: "/").map(String.init)
        guard !recordPath.isEmpty else {
            throw ReconciliationError(
                .ingest, "format xml needs `records` (an element path)", at: SourceLocation(file: path))
        }
        let reader = try XMLEventReader(source: source, displayPath: path, maxTextBytes: options.limits.maxRecordBytes)
        var stack: [String] = []
        var builder = XMLTreeBuilder()
        var found = 0
        let fields = options.fields
        var window = try RowWindow(options: options, file: path)
        defer { window.report(file: path, into: collector) }
        try reader.readEvents { event in
            if builder.isBuilding {
                if let record = builder.feed(event) {
                    stack.removeLast()
                    found += 1
                    read(record, fields: fields, path: path, options: options, window: &window, into: collector)
                }
                return
            }
            switch event {
            case .start(let name, _, let attributes, let line):
                stack.append(name)
                if stack == recordPath { builder.begin(name: name, attributes: attributes, line: line) }
            case .end:
                stack.removeLast()
            case .text:
                break
            }
        }
        if found == 0 {
            collector.diagnose(
                .warning, "no <\(recordPath.joined(separator: "/"))> records", at: SourceLocation(file: path))
        }
    }

    private func read(
        _ record: XMLNode, fields: FieldMapping, path: String, options: InputOptions, window: inout RowWindow,
        into collector: RecordCollector
    ) {
        let location = SourceLocation(file: path, line: record.line)
        func text(_ field: String?, _ role: String) -> String?? {
            guard let field else { return .some(nil) }
            guard let value = record.value(at: field) else {
                collector.diagnose(.error, "record has no \(field) (the \(role))", at: location)
                return nil
            }
            return .some(value)
        }
        func amount(_ field: String?, _ role: String) -> Amount?? {
            guard let field else { return .some(nil) }
            guard let value = text(field, role), let written = value else { return nil }
            return ReaderSupport.amount(
                written, what: field, at: location, syntax: options.amountSyntax, into: collector
            )
            .map { .some($0) }
        }
        if fields.time != nil {
            guard let time = text(fields.time, "time"), let written = time,
                let admitted = window.admitsTime(written, at: location, into: collector), admitted
            else { return }
        }
        if fields.date != nil {
            guard let date = text(fields.date, "date"), let written = date,
                let admitted = window.admitsDate(written, at: location, into: collector), admitted
            else { return }
        }
        guard let venue = text(fields.venue, "venue"), let account = text(fields.account, "account"),
            let asset = text(fields.asset, "asset"), let code = asset,
            let total = amount(fields.amount, "amount"), let available = amount(fields.available, "available"),
            let hold = amount(fields.hold, "hold"),
            let figure = total ?? ReaderSupport.sum([available, hold], at: location, into: collector)
        else { return }
        collector.add(
            RawRecord(
                venue: venue, account: account, asset: code, total: figure, available: available, hold: hold,
                location: location))
    }
}
