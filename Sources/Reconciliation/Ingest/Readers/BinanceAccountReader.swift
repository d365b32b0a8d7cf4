/// Binance spot account information (`GET /api/v3/account`): `balances: [{asset, free, locked}]`, strings with 8
/// decimals; total = free + locked.
///
/// The bare REST object and the WebSocket API's envelope (`{id, status, result: {…}, rateLimits}`) are both read; an
/// error response (a status other than 200, or `{code, msg}`) is refused with the venue's message.
///
/// The account is the input's `account:`, else the response's `uid`, else its `accountType` lowercased (`spot`).
package struct BinanceAccountReader: StatementReader {
    package let format = "binance-account"
    package let summary = "Binance `GET /api/v3/account` JSON (REST or WebSocket envelope): free + locked"
    package let defaultVenue: String? = "binance"
    package let inherentKind: InputKind? = .balances

    /// Creates the reader.
    package init() {}

    package func recognizes(_ prefix: ContentPrefix) -> Bool {
        let keys = prefix.topLevelJSONKeys
        if keys == ["code", "msg"] { return true }  // a REST error body: read to report the venue's message
        if keys.contains("balances") { return prefix.contains("\"free\"") && prefix.contains("\"locked\"") }
        // The WebSocket API's envelope: `{id, status, result: {…balances…}, rateLimits}` or `{id, status, error}`.
        return keys.isSuperset(of: ["id", "status"])
            && (keys.contains("result") && prefix.contains("\"balances\"")
                || keys.contains("error") && prefix.contains("\"rateLimits\""))
    }

    package func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        let response = try ReaderSupport.jsonDocument(source, file: path, options: options)
        let (document, prefix) = try Self.account(in: response, file: path)
        guard case .object = document.kind, let balances = document["balances"], case .array(let rows) = balances.kind
        else {
            throw ReconciliationError(
                .ingest, "expected an object with a `\(prefix)balances` array", at: document.location(in: path))
        }
        let account = options.account ?? document["uid"]?.text ?? document["accountType"]?.text?.lowercased()
        if let time = document["updateTime"], let stamp = ReaderSupport.epochMilliseconds(time.text) {
            collector.snapshotTime = stamp
            collector.snapshotLocation = time.location(in: path)
        }
        for (index, row) in rows.enumerated() {
            let keyPath = "\(prefix)balances[\(index)]"
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

    /// The account object of a response — the bare REST object, or the WebSocket API's `result` — with the key path
    /// prefix of its members. An error response (a `status` other than 200, or REST's `{code, msg}`) is refused with
    /// the venue's message.
    static func account(in response: JSONElement, file: String) throws(ReconciliationError) -> (JSONElement, String) {
        let location = response.location(in: file)
        if response["balances"] == nil, let code = response["code"]?.text, let message = response["msg"]?.text {
            throw ReconciliationError(.ingest, "Binance answered with error \(code): \(message)", at: location)
        }
        guard response["balances"] == nil, let status = response["status"] else { return (response, "") }
        guard status.text == "200" else {
            let error = response["error"]
            let code = error?["code"]?.text.map { " (code \($0))" } ?? ""
            throw ReconciliationError(
                .ingest,
                "the Binance response has status \(status.text ?? status.kindName)\(code): "
                    + (error?["msg"]?.text ?? "no error message"), at: location)
        }
        guard let result = response["result"] else {
            throw ReconciliationError(.ingest, "the Binance response has status 200 but no `result`", at: location)
        }
        return (result, "result.")
    }
}
