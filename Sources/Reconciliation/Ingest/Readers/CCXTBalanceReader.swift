/// A CCXT `fetch_balance()` dump: `{info, free: {…}, used: {…}, total: {…}, CODE: {free, used, total}, …}`.
///
/// Numbers are JSON floats (`321.0`, `9.05e-06`, `91281897308368.59`); they are read from their exact text, never
/// through `Double`. The total is `total[CODE]` (else free + used); free is the available part and used the hold.
/// CCXT leaves out empty currencies, so a currency missing from the dump means "not reported": set
/// `missing_means_zero: true` on the input to count it as zero. The venue and account come from the job (`venue:`,
/// `account:`), since a dump does not say which exchange it came from.
package struct CCXTBalanceReader: StatementReader {
    package let format = "ccxt-balance"
    package let summary = "CCXT `fetch_balance()` dump JSON: total (else free + used), numbers read exactly"
    package let inherentKind: InputKind? = .balances
    package let needsAccountSetting = true

    /// Creates the reader.
    package init() {}

    static let reserved: Set<String> = ["info", "free", "used", "total", "debt", "timestamp", "datetime"]

    package func recognizes(_ prefix: ContentPrefix) -> Bool {
        let keys = prefix.topLevelJSONKeys
        return keys.contains("total") && (keys.contains("free") || keys.contains("used"))
    }

    package func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        let document = try ReaderSupport.jsonDocument(source, file: path, options: options)
        guard case .object(let members) = document.kind else {
            throw ReconciliationError(
                .ingest, "expected a fetch_balance() object, found \(document.kindName)",
                at: document.location(in: path))
        }
        if let time = document["timestamp"], let stamp = ReaderSupport.epochMilliseconds(time.text) {
            collector.snapshotTime = stamp
            collector.snapshotLocation = time.location(in: path)
        }
        // Currencies: the keys of `total`, or else the per-currency objects.
        // Currencies: every key of `total`, `free` and `used`, and every per-currency object — a currency in one and
        // not the others is still a currency.
        var codes: [String] = []
        var seen: Set<String> = []
        for name in ["total", "free", "used"] {
            for key in document[name]?.members.map(\.key) ?? [] where seen.insert(key).inserted { codes.append(key) }
        }
        for member in members where !Self.reserved.contains(member.key) && member.value["total"] != nil {
            if seen.insert(member.key).inserted { codes.append(member.key) }
        }
        if codes.isEmpty {
            collector.diagnose(.warning, "the dump reports no currencies", at: document.location(in: path))
        }
        for code in codes {
            let perCurrency = document[code]
            func figure(_ name: String) -> (JSONElement, String)? {
                if let value = document[name]?[code], !value.isNull { return (value, "\(name).\(code)") }
                if let value = perCurrency?[name], !value.isNull { return (value, "\(code).\(name)") }
                return nil
            }
            func amount(_ name: String) -> Amount?? {
                guard let (element, keyPath) = figure(name) else { return .some(nil) }
                guard let text = element.text else {
                    collector.diagnose(
                        .error, "expected a number at \(keyPath), found \(element.kindName)",
                        at: element.location(in: path))
                    return nil
                }
                return ReaderSupport.amount(text, what: keyPath, at: element.location(in: path), into: collector).map {
                    .some($0)
                }
            }
            guard let free = amount("free"), let used = amount("used"), let reported = amount("total") else { continue }
            let location =
                figure("total")?.0.location(in: path) ?? figure("free")?.0.location(in: path)
                ?? document.location(in: path)
            guard let total = reported ?? ReaderSupport.sum([free, used], at: location, into: collector) else {
                continue
            }
            if reported == nil && free == nil && used == nil {
                collector.diagnose(.warning, "\(code): total, free and used are all null; skipped", at: location)
                continue
            }
            if let reported, let free, let used, let sum = try? free.adding(used), sum != reported {
                collector.diagnose(
                    .warning, "\(code): total \(reported) is not free \(free) + used \(used) (= \(sum))", at: location)
            }
            collector.add(RawRecord(asset: code, total: total, available: free, hold: used, location: location))
        }
    }
}
