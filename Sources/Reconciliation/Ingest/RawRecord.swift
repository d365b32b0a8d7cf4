/// A balance as a reader found it, before normalization: codes as the source wrote them, venue and account possibly
/// left to the input's fixed settings.
package struct RawRecord: Sendable, Hashable {
    /// The venue named in the data, if the format carries one.
    package var venue: String?
    /// The account named in the data, if the format carries one.
    package var account: String?
    /// The asset code as written.
    package var asset: String
    /// The total (for an entries input: the sum of the entries so far).
    package var total: Amount
    /// The available part, when reported.
    package var available: Amount?
    /// The part on hold, when reported.
    package var hold: Amount?
    /// Where it was read (the first entry of a sum).
    package var location: SourceLocation
    /// How many rows make up `total`.
    package var entryCount: Int
    /// The balance the statement opened with (camt `OPBD`/`PRCD`; a running balance before its first movement of
    /// the run), for continuity checks.
    package var opening: Amount?
    /// Findings about this balance that its line should show (a statement whose entries do not add up).
    package var notes: [String] = []

    /// Creates a record.
    package init(
        venue: String? = nil, account: String? = nil, asset: String, total: Amount, available: Amount? = nil,
        hold: Amount? = nil, location: SourceLocation, entryCount: Int = 1
    ) {
        self.venue = venue
        self.account = account
        self.asset = asset
        self.total = total
        self.available = available
        self.hold = hold
        self.location = location
        self.entryCount = entryCount
    }
}

/// Whether an input lists movements to be summed or one balance per key.
public enum InputKind: String, Sendable, Hashable, CaseIterable, Codable {
    /// Movements: summed per key.
    case entries
    /// Balances: one row per key; a key written twice is a conflict, never summed or overwritten.
    case balances
    /// Known, explained breaks (a reference file).
    case acknowledgements
    /// Prices in the reporting currency (a reference file).
    case prices
    /// Holidays (a reference file).
    case calendar

    /// The kinds an input of the books can be (`kind:` in a job).
    public static let bookKinds: [InputKind] = [.entries, .balances]
}
