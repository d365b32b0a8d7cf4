/// One side of the reconciliation (ledger or statement): every balance from every input of that side, by key.
///
/// Nothing is merged blindly: entries inputs add up, but a key reported as a balance more than once on a side (two
/// statement pages that overlap, a duplicated row, a balance and an entries sum) is kept whole and becomes a conflict.
package struct BalanceBook: Sendable {
    /// One input's balance for a key.
    package struct Contribution: Sendable, Hashable {
        /// The balance.
        package let balance: Balance
        /// Which input of this side it came from (its position in the job).
        package let input: Int
        /// Whether that input lists entries or balances.
        package let kind: InputKind
    }

    /// What a side says about one key.
    package enum Figure: Sendable, Hashable {
        /// Nothing.
        case absent
        /// One balance (an entries sum over several inputs counts as one), the inputs it came from and where.
        case balance(Balance, inputs: [Int], sources: [SourceLocation])
        /// More than one balance for the key: nothing is chosen.
        case conflict([Contribution])
        /// Entries of several inputs whose sum leaves the exact range: nothing is summed.
        case unsummable([Contribution])
    }

    /// The contributions per key.
    package private(set) var contributions: [BalanceKey: [Contribution]] = [:]
    /// Every (venue, account) pair each input reported, for `missing_means_zero`.
    package private(set) var coverage: [Int: Set<VenueAccount>] = [:]

    /// A venue and an account.
    package struct VenueAccount: Sendable, Hashable {
        /// The venue.
        package let venue: String
        /// The account.
        package let account: String
    }

    /// Creates an empty book.
    package init() {}

    /// Adds the balances of input number `input`.
    package mutating func add(_ balances: [Balance], input: Int, kind: InputKind) {
        var covered = coverage[input] ?? []
        for balance in balances {
            contributions[balance.key, default: []].append(Contribution(balance: balance, input: input, kind: kind))
            covered.insert(VenueAccount(venue: balance.key.venue, account: balance.key.account))
        }
        coverage[input] = covered
    }

    /// Every key on this side.
    package var keys: Dictionary<BalanceKey, [Contribution]>.Keys { contributions.keys }

    /// What this side says about `key`.
    package func figure(for key: BalanceKey) -> Figure {
        guard let parts = contributions[key], let first = parts.first else { return .absent }
        if parts.count == 1 {
            return .balance(first.balance, inputs: [first.input], sources: [first.balance.source])
        }
        guard parts.allSatisfy({ $0.kind == .entries }) else {
            return .conflict(parts.sorted { ($0.balance.source, $0.input) < ($1.balance.source, $1.input) })
        }
        // Entries from several inputs (a ledger split into files) add up.
        var total = first.balance
        for part in parts.dropFirst() {
            do {
                try total.add(part.balance)
            } catch {
                return .unsummable(parts.sorted { ($0.balance.source, $0.input) < ($1.balance.source, $1.input) })
            }
            total.entryCount += part.balance.entryCount
        }
        let sources = parts.map(\.balance.source).sorted()
        total.source = sources[0]
        return .balance(total, inputs: parts.map(\.input).sorted(), sources: sources)
    }

    /// Whether input `input` reported anything for the key's venue and account.
    package func covers(_ key: BalanceKey, input: Int) -> Bool {
        coverage[input]?.contains(VenueAccount(venue: key.venue, account: key.account)) ?? false
    }
}
