/// One normalized balance from one input: what a ledger export or a statement says a key holds.
///
/// An `entries` input yields one `Balance` per key with the entries summed (`entryCount` of them); a `balances`
/// input yields one per row, so a key written twice shows up twice and becomes a conflict instead of being merged.
package struct Balance: Sendable, Hashable {
    /// Venue, account and asset after normalization.
    package var key: BalanceKey
    /// The balance compared by default: the total.
    package var total: Amount
    /// Where it was read: the row of a balance, or the first entry of a sum.
    package var source: SourceLocation
    /// How many rows were summed into `total` (1 for a balance row).
    package var entryCount: Int
    /// The figures few sources give and the notes, behind one reference and `nil` for most balances: inline they
    /// made a balance 240 bytes instead of 128, with a million balances on each side of a high-cardinality run.
    private var extras: Extras?

    /// The part free to use, when the source reports it.
    package var available: Amount? {
        get { extras?.fields.available }
        set { update { $0.available = newValue } }
    }
    /// The part on hold (open orders, pending withdrawals), when the source reports it.
    package var hold: Amount? {
        get { extras?.fields.hold }
        set { update { $0.hold = newValue } }
    }
    /// The balance the statement opened with, when it says (for continuity across days).
    package var opening: Amount? {
        get { extras?.fields.opening }
        set { update { $0.opening = newValue } }
    }
    /// Findings about this balance that its line shows.
    package var notes: [String] {
        get { extras?.fields.notes ?? [] }
        set { update { $0.notes = newValue } }
    }

    /// Creates a balance.
    package init(
        key: BalanceKey, total: Amount, available: Amount? = nil, hold: Amount? = nil, source: SourceLocation,
        entryCount: Int = 1
    ) {
        self.key = key
        self.total = total
        self.source = source
        self.entryCount = entryCount
        if available != nil || hold != nil {
            extras = Extras(Extras.Fields(available: available, hold: hold))
        }
    }

    private mutating func update(_ change: (inout Extras.Fields) -> Void) {
        var fields = extras?.fields ?? Extras.Fields()
        change(&fields)
        extras = fields == Extras.Fields() ? nil : Extras(fields)
    }

    /// The rarely present part of a balance, immutable and compared by value.
    private final class Extras: Sendable, Hashable {
        struct Fields: Sendable, Hashable {
            var available: Amount?
            var hold: Amount?
            var opening: Amount?
            var notes: [String] = []
        }

        let fields: Fields

        init(_ fields: Fields) {
            self.fields = fields
        }

        static func == (lhs: Extras, rhs: Extras) -> Bool { lhs.fields == rhs.fields }

        func hash(into hasher: inout Hasher) { hasher.combine(fields) }
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
