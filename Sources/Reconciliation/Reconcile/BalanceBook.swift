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
        case balance(Balance, inputs: CompactList<Int>, sources: CompactList<SourceLocation>)
        /// More than one balance for the key: nothing is chosen.
        case conflict([Contribution])
        /// Entries of several inputs whose sum leaves the exact range: nothing is summed.
        case unsummable([Contribution])
    }

    /// The balances as each input handed them over (shared with the input's outcome, not copied), the input number
    /// and its kind: one batch per `add`.
    private var batches: [(balances: [Balance], input: Int, kind: InputKind)] = []
    /// Where each key's balances are in `batches`. Nearly every key has one, held inline: a book of a million keys
    /// is a dictionary of small references, not a million arrays of copied balances (≈ 330 bytes per key before).
    private var slots: [BalanceKey: Slot] = [:]
    /// Every (venue, account) pair each input reported, for `missing_means_zero`.
    package private(set) var coverage: [Int: Set<VenueAccount>] = [:]

    /// A balance's place: its batch and its position there.
    fileprivate struct Reference: Hashable, Sendable {
        let batch: Int32
        let position: Int32
    }

    /// One balance for a key, or several (which the figure adds up or reports as a conflict).
    fileprivate enum Slot: Sendable {
        case one(Reference)
        case many([Reference])
    }

    /// A venue and an account.
    package struct VenueAccount: Sendable, Hashable {
        /// The venue.
        package let venue: String
        /// The account.
        package let account: String
    }

    /// Creates an empty book.
    package init() {}

    /// Adds the balances of input number `input`. `tracksCoverage` records which venue/account pairs it reported, for
    /// ``covers(_:input:)`` — needed only for an input whose omissions mean zero (a hash of every balance otherwise:
    /// 0.7 s at 1.5M keys).
    package mutating func add(_ balances: [Balance], input: Int, kind: InputKind, tracksCoverage: Bool = true) {
        precondition(batches.count < Int32.max && balances.count < Int32.max, "a book holds at most 2^31 balances")
        let batch = Int32(batches.count)
        batches.append((balances, input, kind))
        slots.reserveCapacity(slots.count + balances.count)
        var covered = coverage[input] ?? []
        for (position, balance) in balances.enumerated() {
            // One lookup a balance: the slot is changed in place (reading it, then storing, hashed each key twice).
            Self.place(Reference(batch: batch, position: Int32(position)), in: &slots[balance.key])
            if tracksCoverage { covered.insert(VenueAccount(venue: balance.key.venue, account: balance.key.account)) }
        }
        if tracksCoverage { coverage[input] = covered }
    }

    private static func place(_ reference: Reference, in slot: inout Slot?) {
        switch slot {
        case nil: slot = .one(reference)
        case .one(let first): slot = .many([first, reference])
        case .many(var references):
            slot = nil  // the array's only reference, so appending does not copy it
            references.append(reference)
            slot = .many(references)
        }
    }

    /// Every key on this side.
    package var keys: some Collection<BalanceKey> {
        precondition(!indexReleased, "a book's keys are asked after its index was released")
        return slots.keys
    }

    /// Where a key's balances are in this book, found once: ``figure(at:)`` reads them without hashing the key again
    /// (the join of 1.3M keys spent two fifths of its time in the books' lookups).
    package struct Place: Sendable {
        fileprivate let slot: Slot
    }

    /// Every key on this side with its place.
    package var places: some Collection<(key: BalanceKey, place: Place)> {
        precondition(!indexReleased, "a book's keys are asked after its index was released")
        return slots.lazy.map { (key: $0.key, place: Place(slot: $0.value)) }
    }

    /// Whether this side has anything for `key`.
    package func contains(_ key: BalanceKey) -> Bool {
        precondition(!indexReleased, "a book's keys are asked after its index was released")
        return slots[key] != nil
    }

    /// Where `key`'s balances are in this book, when it has any.
    package func place(for key: BalanceKey) -> Place? {
        precondition(!indexReleased, "a book's keys are asked after its index was released")
        return slots[key].map { Place(slot: $0) }
    }

    /// Frees the index by key (a dictionary of a million keys, 134 MB at 1.3M) once every key's place has been
    /// taken (``places``, ``place(for:)``): the lines are made from the places, and this book then answers only
    /// ``figure(at:)`` and ``covers(_:input:)``.
    package mutating func releaseIndex() {
        slots = [:]
        indexReleased = true
    }

    private var indexReleased = false

    private func contribution(_ reference: Reference) -> Contribution {
        let batch = batches[Int(reference.batch)]
        return Contribution(balance: batch.balances[Int(reference.position)], input: batch.input, kind: batch.kind)
    }

    /// What this side says about `key`.
    package func figure(for key: BalanceKey) -> Figure {
        place(for: key).map(figure(at:)) ?? .absent
    }

    /// What this side says about the key at `place` (from ``places``).
    package func figure(at place: Place) -> Figure {
        switch place.slot {
        case .one(let reference):
            let only = contribution(reference)
            return .balance(
                only.balance, inputs: CompactList(single: only.input), sources: CompactList(single: only.balance.source)
            )
        case .many(let references):
            return figure(references.map(contribution))
        }
    }

    private func figure(_ parts: [Contribution]) -> Figure {
        let first = parts[0]
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
        return .balance(total, inputs: CompactList(parts.map(\.input).sorted()), sources: CompactList(sources))
    }

    /// Whether input `input` reported anything for the key's venue and account (`false` for an input added without
    /// tracking coverage).
    package func covers(_ key: BalanceKey, input: Int) -> Bool {
        coverage[input]?.contains(VenueAccount(venue: key.venue, account: key.account)) ?? false
    }
}
