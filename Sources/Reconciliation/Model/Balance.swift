/// One normalized balance from one input: what a ledger export or a statement says a key holds.
///
/// An `entries` input yields one `Balance` per key with the entries summed (`entryCount` of them); a `balances`
/// input yields one per row, so a key written twice shows up twice and becomes a conflict instead of being merged.
package struct Balance: Sendable, Hashable {
    /// Venue, account and asset after normalization.
    package var key: BalanceKey
    /// The balance compared by default: the total.
    package var total: Amount
    /// The part free to use, when the source reports it.
    package var available: Amount?
    /// The part on hold (open orders, pending withdrawals), when the source reports it.
    package var hold: Amount?
    /// Where it was read: the row of a balance, or the first entry of a sum.
    package var source: SourceLocation
    /// How many rows were summed into `total` (1 for a balance row).
    package var entryCount: Int
    /// The balance the statement opened with, when it says (for continuity across days).
    package var opening: Amount?
    /// Findings about this balance that its line shows.
    package var notes: [String] = []

    /// Creates a balance.
    package init(
        key: BalanceKey, total: Amount, available: Amount? = nil, hold: Amount? = nil, source: SourceLocation,
        entryCount: Int = 1
    ) {
        self.key = key
        self.total = total
        self.available = available
        self.hold = hold
        self.source = source
        self.entryCount = entryCount
    }

    /// The number of decimal places the source wrote the total with (the precision inferred tolerance uses).
    package var precision: Int { total.scale }

    /// The figure named by `figure`, when the source reports it.
    package func amount(_ figure: ComparedFigure) -> Amount? {
        switch figure {
        case .total: total
        case .available: available
        case .hold: hold
        }
    }
}

/// Which figure of a balance is reconciled.
public enum ComparedFigure: String, Sendable, Hashable, CaseIterable, Codable {
    /// The total (the default).
    case total
    /// The available part.
    case available
    /// The part on hold.
    case hold
}
