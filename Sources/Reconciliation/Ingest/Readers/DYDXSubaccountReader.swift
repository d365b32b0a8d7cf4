/// dYdX v4 indexer subaccount (`GET /v4/addresses/{address}/subaccountNumber/{n}`), wrapped as `{"subaccount": …}`
/// (live responses) or bare (the documentation), or the address endpoint's `{"subaccounts": [...]}`.
///
/// `assetPositions` become balances of their symbol; `openPerpetualPositions` become positions of `MARKET-PERP`
/// (`ETH-USD-PERP`). `size` is unsigned and the sign is `side`: a `SHORT` USDC asset position is a negative balance
/// (borrowed quote). Either map may be `null`. The account is `address/subaccountNumber`.
package struct DYDXSubaccountReader: StatementReader {
    package let format = "dydx-subaccount"
    package let summary = "dYdX v4 indexer subaccount JSON: asset positions signed by side, perpetuals as MARKET-PERP"
    package let defaultVenue: String? = "dydx"
    package let inherentKind: InputKind? = .balances

    /// Creates the reader.
    package init() {}

    package func recognizes(_ prefix: ContentPrefix) -> Bool {
        let keys = prefix.topLevelJSONKeys
        guard keys.contains("subaccount") || keys.contains("subaccounts") || keys.contains("address") else {
            return false
        }
        return prefix.contains("\"subaccountNumber\"")
            && (prefix.contains("\"assetPositions\"") || prefix.contains("\"openPerpetualPositions\""))
    }

    package func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError) {
        let document = try ReaderSupport.jsonDocument(source, file: path, options: options)
        var subaccounts: [(JSONElement, String)] = []
        if let wrapped = document["subaccount"] {
            subaccounts = [(wrapped, "subaccount")]
        } else if let list = document["subaccounts"] {
            subaccounts = list.elements.enumerated().map { ($1, "subaccounts[\($0)]") }
        } else if document["address"] != nil {
            subaccounts = [(document, "")]
        }
        guard !subaccounts.isEmpty else {
            throw ReconciliationError(
                .ingest, "expected a dYdX subaccount (`subaccount`, `subaccounts` or `address` at the top)",
                at: document.location(in: path))
        }
        for (subaccount, keyPath) in subaccounts {
            read(subaccount, keyPath: keyPath, path: path, into: collector)
        }
    }

    private func read(_ subaccount: JSONElement, keyPath: String, path: String, into collector: RecordCollector) {
        guard
            let address = ReaderSupport.string(
                in: subaccount, "address", keyPath: keyPath, file: path, into: collector),
            let number = ReaderSupport.string(
                in: subaccount, "subaccountNumber", keyPath: keyPath, file: path, into: collector)
        else { return }
        let account = "\(address)/\(number)"
        let prefix = keyPath.isEmpty ? "" : keyPath + "."
        for (mapName, isPerpetual) in [("assetPositions", false), ("openPerpetualPositions", true)] {
            guard let map = subaccount[mapName], !map.isNull else { continue }
            guard case .object(let positions) = map.kind else {
                collector.diagnose(
                    .error, "expected an object at \(prefix)\(mapName), found \(map.kindName)",
                    at: map.location(in: path))
                continue
            }
            for (name, position) in positions {
                let positionPath = "\(prefix)\(mapName).\(name)"
                if isPerpetual, let status = position["status"]?.text, status != "OPEN" { continue }
                guard
                    let side = ReaderSupport.string(
                        in: position, "side", keyPath: positionPath, file: path, into: collector),
                    let size = ReaderSupport.amount(
                        in: position, "size", keyPath: positionPath, file: path, into: collector),
                    let magnitude = size?.magnitude
                else { continue }
                let signed: Amount
                switch side {
                case "LONG": signed = magnitude
                case "SHORT": signed = magnitude.negated()
                default:
                    collector.diagnose(
                        .error, "unknown side '\(side)' at \(positionPath).side (expected LONG or SHORT)",
                        at: position["side"]?.location(in: path) ?? position.location(in: path))
                    continue
                }
                let symbol =
                    isPerpetual ? (position["market"]?.text ?? name) + "-PERP" : (position["symbol"]?.text ?? name)
                collector.add(
                    RawRecord(account: account, asset: symbol, total: signed, location: position.location(in: path)))
            }
        }
    }
}
