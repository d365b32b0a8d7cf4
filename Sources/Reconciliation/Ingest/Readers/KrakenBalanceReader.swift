/// Kraken spot account balances (`POST /0/private/Balance`): `{"error": [], "result": {"XXBT": "0.0100000000", …}}`,
/// one decimal string per asset code.
///
/// Kraken answers most errors with HTTP 200 and a non-empty `error` array; such a body is refused with Kraken's
/// message, never read as an account without balances. Legacy codes (`XXBT`, `ZUSD`, …) are mapped like the ledgers
/// export's (``AssetAliases/kraken``). A code with a suffix (`XBT.F` Earn flexible, `DOT.S` staked, `ETH2.S`, `.M`, `.B`,
/// `.P`) is a balance held apart from spot: it keeps its suffix after the mapping (`BTC.F`), so it never adds silently
/// to the spot balance; a note on the input says so.
package struct KrakenBalanceReader: StatementReader {
    package let format = "kraken-balance"
    package let summary =
        "Kraken `POST /0/private/Balance` JSON: one balance per asset code (suffixed codes kept apart)"
    package let defaultVenue: String? = "kraken"
    package let inherentKind: InputKind? = .balances

    /// Creates the reader.
    package init() {}

    package func recognizes(_ prefix: ContentPrefix) -> Bool {
        let keys = prefix.topLevelJSONKeys
        return keys == ["error", "result"] && !prefix.contains("\"ledger\"")
            || keys == ["error"] && prefix.contains("\"E")
    }

    package func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        let response = try ReaderSupport.jsonDocument(source, file: path, options: options)
        guard case .object = response.kind, let errors = response["error"], case .array(let messages) = errors.kind
        else {
            throw ReconciliationError(
                .ingest, "expected Kraken's envelope {\"error\": [...], \"result\": {...}}",
                at: response.location(in: path))
        }
        if !messages.isEmpty {
            let text = messages.map { $0.text ?? $0.kindName }.joined(separator: "; ")
            throw ReconciliationError(.ingest, "Kraken answered with error: \(text)", at: errors.location(in: path))
        }
        guard let result = response["result"], case .object(let members) = result.kind else {
            throw ReconciliationError(
                .ingest, "expected an object `result` of asset code → balance", at: response.location(in: path))
        }
        var apart: [String] = []
        for (code, value) in members {
            guard let text = value.text else {
                collector.diagnose(
                    .error, "expected an amount at result.\(code), found \(value.kindName)",
                    at: value.location(in: path))
                continue
            }
            guard
                let amount = ReaderSupport.amount(
                    text, what: "result.\(code)", at: value.location(in: path), into: collector)
            else { continue }
            let parts = code.split(separator: ".", maxSplits: 1).map(String.init)
            let base = AssetAliases.kraken[parts[0].uppercased()] ?? parts[0]
            let asset = parts.count == 2 ? "\(base).\(parts[1])" : base
            if parts.count == 2 { apart.append(code) }
            collector.add(
                RawRecord(
                    account: options.account, asset: asset, total: amount, available: nil, hold: nil,
                    location: value.location(in: path)))
        }
        if !apart.isEmpty {
            collector.diagnose(
                .note,
                "\(apart.joined(separator: ", ")) \(apart.count == 1 ? "is a balance" : "are balances") held apart from "
                    + "spot (Earn, staking): kept as \(apart.count == 1 ? "its own asset" : "their own assets"), "
                    + "suffix and all", at: result.location(in: path))
        }
        if members.isEmpty {
            collector.diagnose(.warning, "the account lists no balances", at: result.location(in: path))
        }
    }
}
