/// The generic JSON format (`format: json`) for venues without a reader of their own: the job names the path of one
/// record (`records: data.balances[*]`) and, relative to it, the fields (`fields: {asset: ccy, amount: total.value}`).
///
/// `records` steps: a member name, `[*]` for every element of an array, `*` for every member of an object (whose name
/// is then the field `$key`, e.g. `{"BTC": "1.5"}` maps with `records: total.*`, `fields: {asset: $key, amount: $value}`).
/// A file of several top-level values (JSON Lines) is read value by value. Only one record is held at a time.
package struct JSONStatementReader: StatementReader {
    package let format = "json"

    /// An input names the path of one record and the fields in it, and where its venue and account come from.
    package func validate(_ options: inout InputOptions) -> String? { mappedRecordsProblem(format, options) }
    package let summary = "any JSON mapped with `records:` and `fields:`"

    /// Creates the reader.
    package init() {}

    package func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        let fields = options.fields
        var found = 0
        var window = try RowWindow(options: options, file: path)
        defer { window.report(file: path, into: collector) }
        try ReaderSupport.forEachJSONRecord(
            source, path: path, file: path, records: options.records ?? "", options: options
        ) { record in
            found += 1
            let element = record.element
            func text(_ field: String?, role: String) -> String?? {
                guard let field else { return .some(nil) }
                if field == "$key" { return .some(record.memberKey) }
                if field == "$value" { return .some(element.text) }
                return ReaderSupport.string(in: element, field, keyPath: record.keyPath, file: path, into: collector)
                    .map { .some($0) }
            }
            func amount(_ field: String?) -> Amount?? {
                guard let field else { return .some(nil) }
                if field == "$value" {
                    guard let value = element.text else {
                        collector.diagnose(
                            .error, "expected an amount at \(record.keyPath), found \(element.kindName)",
                            at: element.location(in: path))
                        return nil
                    }
                    return ReaderSupport.amount(
                        value, what: record.keyPath, at: element.location(in: path), syntax: options.amountSyntax,
                        into: collector
                    ).map { .some($0) }
                }
                return ReaderSupport.amount(
                    in: element, field, keyPath: record.keyPath, file: path, syntax: options.amountSyntax,
                    into: collector)
            }
            let location = element.location(in: path)
            if fields.time != nil {
                guard let time = text(fields.time, role: "time"), let written = time,
                    let admitted = window.admitsTime(written, at: location, into: collector), admitted
                else { return }
            }
            if fields.date != nil {
                guard let date = text(fields.date, role: "date"), let written = date,
                    let admitted = window.admitsDate(written, at: location, into: collector), admitted
                else { return }
            }
            guard let venue = text(fields.venue, role: "venue"), let account = text(fields.account, role: "account"),
                let asset = text(fields.asset, role: "asset"), let assetCode = asset,
                let amountValue = amount(fields.amount), let available = amount(fields.available),
                let hold = amount(fields.hold),
                let total = amountValue
                    ?? ReaderSupport.sum([available, hold], at: element.location(in: path), into: collector)
            else { return }
            collector.add(
                RawRecord(
                    venue: venue, account: account, asset: assetCode, total: total, available: available, hold: hold,
                    location: element.location(in: path)))
        }
        if found == 0 {
            collector.diagnose(.warning, "no records at `\(options.records ?? "")`", at: SourceLocation(file: path))
        }
    }
}
