/// Turns raw records into balances: venue and account filled in from the input's settings, codes trimmed and cased,
/// asset aliases and account mapping applied, and (for `entries`) sums merged per normalized key.
///
/// Venues are lowercased and assets uppercased so `Kraken`/`kraken` and `btc`/`BTC` meet; accounts are kept as
/// written (trimmed), because account ids are case-sensitive at many venues.
package struct Normalizer: Sendable {
    /// The venue every record gets when set (it replaces a venue column).
    package var venue: String?
    /// The account a record gets when the data names none.
    package var account: String?
    /// The venue a record gets when neither the input nor the data names one (the format's venue).
    package var defaultVenue: String?
    /// Asset code → asset, keys uppercased. Input aliases override job aliases, which override the format's.
    package var assetAliases: [String: String]
    /// Statement account id → ledger account.
    package var accountMap: [String: String]
    /// How messages name the input's settings (`` `venue:` `` or `--venue`).
    package var setting: @Sendable (String) -> String = { "`\($0):`" }

    /// Creates a normalizer; `jobAliases` and then `inputAliases` are layered over the format's `formatAliases`.
    package init(
        venue: String? = nil, account: String? = nil, formatAliases: [String: String] = [:],
        jobAliases: [String: String] = [:], inputAliases: [String: String] = [:], accountMap: [String: String] = [:]
    ) {
        self.venue = venue
        self.account = account
        var aliases: [String: String] = [:]
        for (code, asset) in formatAliases { aliases[code.uppercased()] = asset.uppercased() }
        for (code, asset) in jobAliases { aliases[code.uppercased()] = asset.uppercased() }
        for (code, asset) in inputAliases { aliases[code.uppercased()] = asset.uppercased() }
        self.assetAliases = aliases
        self.accountMap = accountMap
    }

    /// The normalized key of a raw record, or why it has none.
    package func key(of record: RawRecord) -> Result<BalanceKey, Diagnostic> {
        guard let rawVenue = venue ?? record.venue ?? defaultVenue, !rawVenue.trimmingSpaces.isEmpty else {
            return .failure(
                Diagnostic(
                    .error, "no venue: the data names none; set \(setting("venue"))", at: record.location))
        }
        guard let rawAccount = record.account ?? account, !rawAccount.trimmingSpaces.isEmpty else {
            return .failure(
                Diagnostic(
                    .error, "no account: the data names none; set \(setting("account"))", at: record.location))
        }
        let venueName = rawVenue.trimmingSpaces.lowercased()
        let accountID = rawAccount.trimmingSpaces
        let code = record.asset.trimmingSpaces.uppercased()
        // Empty maps are not asked: a lookup hashes the string even then, and this runs for every record.
        let asset = assetAliases.isEmpty ? code : assetAliases[code] ?? code
        let mapped = accountMap.isEmpty ? accountID : accountMap[accountID] ?? accountID
        return .success(BalanceKey(venue: venueName, account: mapped, asset: asset))
    }

    /// The position a key already has, or `nil` after giving it `next`: one lookup a record (asking, then storing,
    /// hashed each new key twice).
    private static func position(of slot: inout Int?, next: Int) -> Int? {
        if let position = slot { return position }
        slot = next
        return nil
    }

    /// Normalizes every record; records that cannot be keyed become error diagnostics.
    package func balances(from records: [RawRecord], kind: InputKind, into collector: RecordCollector) -> [Balance] {
        var balances: [Balance] = []
        balances.reserveCapacity(records.count)
        var positions: [BalanceKey: Int] = [:]
        // Sized once: grown by doubling, its rehashing was an eighth of a 1.3M-key ledger's ingest.
        if kind == .entries { positions.reserveCapacity(records.count) }
        // One error per cause, not per row: the first place, and how many records share it.
        var unkeyed: [String: (first: SourceLocation, count: Int)] = [:]
        var causes: [String] = []
        defer {
            for cause in causes {
                guard let (first, count) = unkeyed[cause] else { continue }
                collector.diagnose(
                    .error, count == 1 ? cause : "\(cause) (\(count) records; the first is here)", at: first)
            }
        }
        for record in records {
            let key: BalanceKey
            switch self.key(of: record) {
            case .success(let normalized): key = normalized
            case .failure(let diagnostic):
                if let seen = unkeyed[diagnostic.message] {
                    unkeyed[diagnostic.message] = (seen.first, seen.count + 1)
                } else {
                    unkeyed[diagnostic.message] = (record.location, 1)
                    causes.append(diagnostic.message)
                }
                continue
            }
            var balance = Balance(
                key: key, total: record.total, available: record.available, hold: record.hold, source: record.location,
                entryCount: record.entryCount)
            balance.opening = record.opening
            balance.notes = record.notes
            guard kind == .entries, let position = Self.position(of: &positions[key], next: balances.count) else {
                balances.append(balance)
                continue
            }
            // Two raw codes that mean the same key (` btc` and `BTC`, `XXBT` and `XBT`): their entries add up.
            var merged = balances[position]
            do {
                try merged.add(balance)
            } catch {
                collector.diagnose(.error, "the sum of entries for \(key) leaves the exact range", at: record.location)
                continue
            }
            merged.entryCount += balance.entryCount
            if balance.source < merged.source { merged.source = balance.source }
            balances[position] = merged
        }
        return balances
    }
}
