import Dispatch
import Foundation

/// How the reconciler treats one input's side of a key.
package struct InputPolicy: Sendable, Hashable {
    /// What the input is called in notes (its path or name).
    package var label: String
    /// Whether a key this input does not report (for a venue and account it does report) counts as zero rather than
    /// absent — for sources such as CCXT dumps that leave out empty currencies.
    package var missingMeansZero: Bool
    /// Which figure to compare when both sides report it.
    package var compare: ComparedFigure?

    /// Creates a policy.
    package init(label: String, missingMeansZero: Bool = false, compare: ComparedFigure? = nil) {
        self.label = label
        self.missingMeansZero = missingMeansZero
        self.compare = compare
    }
}

/// The full outer join of the two books, one line per key, each classified under the tolerance policy.
///
/// Pure: books in, result out. The result depends only on the books and policies, never on input order, the clock or
/// hash-map iteration order.
package struct Reconciler: Sendable {
    /// Tolerances.
    package var tolerance: TolerancePolicy
    /// Policies of the ledger inputs, by input number.
    package var ledgerPolicies: [Int: InputPolicy]
    /// Policies of the statement inputs, by input number.
    package var statementPolicies: [Int: InputPolicy]
    /// Prices in the reporting currency, when the job values differences.
    package var valuation: Valuation?

    /// Creates a reconciler.
    package init(
        tolerance: TolerancePolicy = .exact, ledgerPolicies: [Int: InputPolicy] = [:],
        statementPolicies: [Int: InputPolicy] = [:], valuation: Valuation? = nil
    ) {
        self.tolerance = tolerance
        self.ledgerPolicies = ledgerPolicies
        self.statementPolicies = statementPolicies
        self.valuation = valuation
    }

    /// Classifies every key of either book. The books' indexes by key are released once every key's places are taken
    /// (given books the caller no longer holds, that frees them before the lines are made).
    package func reconcile(ledger: consuming BalanceBook, statement: consuming BalanceBook) -> ReconciliationResult {
        let (sorted, ledgerPlaces, statementPlaces) = join(&ledger, &statement)
        let ledger = ledger
        let statement = statement
        // The keys are independent: a large run makes its lines on every core, each thread initializing its own
        // part of the one result array (1.5M keys took 4 s on one core; concatenating parts would double the lines'
        // memory). Small runs stay on the calling thread.
        let parts = sorted.count < keysPerThread ? 1 : max(1, min(workers, sorted.count / keysPerThread))
        let lines = [ReconciliationLine](unsafeUninitializedCapacity: sorted.count) { buffer, initialized in
            let output = UnsafeOutput(buffer: buffer)
            let make: @Sendable (Int) -> Void = { part in
                var sources: [String] = []
                for position in Parallel.range(part, of: parts, count: sorted.count) {
                    // Changed in place and moved into the result: passed along by value, each step copied the line.
                    var line = line(
                        for: sorted[position], ledger: ledgerPlaces[position].map(ledger.figure(at:)) ?? .absent,
                        statement: statementPlaces[position].map(statement.figure(at:)) ?? .absent,
                        books: (ledger, statement))
                    value(&line)
                    share(&line, &sources)
                    output.buffer.initializeElement(at: position, to: line)
                }
            }
            if parts == 1 { make(0) } else { DispatchQueue.concurrentPerform(iterations: parts, execute: make) }
            initialized = sorted.count
        }
        return ReconciliationResult(sortedLines: lines)
    }

    /// Every key of either book once, sorted once (the lines are made in key order), with its place in each book
    /// that has it: the figures are then read without looking the key up again, and the books' indexes can go before
    /// the lines are made. The lookups (each ledger key in the statement's book, each statement key in the ledger's)
    /// are made on every core. Each book's index is released as soon as it has answered, before the keys are sorted.
    private func join(
        _ ledger: inout BalanceBook, _ statement: inout BalanceBook
    ) -> (keys: [BalanceKey], ledger: [BalanceBook.Place?], statement: [BalanceBook.Place?]) {
        var keys: [BalanceKey] = []
        var ledgerPlaces: [BalanceBook.Place?] = []
        let count = max(ledger.keys.count, statement.keys.count)  // the sides mostly share their keys
        keys.reserveCapacity(count)
        ledgerPlaces.reserveCapacity(count)
        for (key, place) in ledger.places {
            keys.append(key)
            ledgerPlaces.append(place)
        }
        // (The lookups' copies of a book end with their scopes, so releasing the index frees it.)
        var statementPlaces: [BalanceBook.Place?]
        let statementSide: [(key: BalanceKey, place: BalanceBook.Place)]
        do {
            let book = statement
            statementPlaces = lookUp(keys) { book.place(for: $0) }
            statementSide = Array(book.places)
        }
        statement.releaseIndex()
        let inLedger: [Bool]
        do {
            let book = ledger
            inLedger = lookUp(statementSide.map(\.key)) { book.contains($0) }
        }
        ledger.releaseIndex()
        for (entry, shared) in zip(statementSide, inLedger) where !shared {
            keys.append(entry.key)
            ledgerPlaces.append(nil)
            statementPlaces.append(entry.place)
        }
        let order = KeyOrder.order(keys)
        return (order.map { keys[$0] }, order.map { ledgerPlaces[$0] }, order.map { statementPlaces[$0] })
    }

    /// `find` of every key, in order, made on every core for many keys (split as the lines are).
    private func lookUp<Found: Sendable>(_ keys: [BalanceKey], _ find: @Sendable (BalanceKey) -> Found) -> [Found] {
        let parts = keys.count < keysPerThread ? 1 : max(1, min(workers, keys.count / keysPerThread))
        return Parallel.map(keys.count, parts: parts) { range in keys[range].map(find) }
    }

    /// How many threads make lines at most.
    package var workers = ProcessInfo.processInfo.activeProcessorCount
    /// Below this many keys per thread the lines are made on the calling thread (set by tests to split small runs).
    package var keysPerThread = 50_000

    /// The result's storage, written by several threads at disjoint positions.
    private struct UnsafeOutput: @unchecked Sendable {
        let buffer: UnsafeMutableBufferPointer<ReconciliationLine>
    }

    /// The line with its tolerance source replaced by an equal one already stored: a handful of distinct sources, one
    /// stored copy each (not one per line), found by a scan of the few seen (hashing each line's source into a set
    /// cost 0.6 s at 1.5M keys).
    private func share(_ line: inout ReconciliationLine, _ sources: inout [String]) {
        guard let tolerance = line.tolerance else { return }
        // Equal bytes, not equal strings: a source names the venue or asset, and two spellings of one text
        // (café precomposed or not) are two sources.
        // (`memcmp` after the lengths: the generic byte-wise comparison was 1.3 % of a 1.5M-key run.)
        let source = tolerance.source
        let length = source.utf8.count
        if let shared = sources.first(where: { $0.utf8.count == length && BalanceKey.order($0, source) == 0 }) {
            line.tolerance = AppliedTolerance(value: tolerance.value, source: shared)
            return
        }
        if sources.count < 64 { sources.append(tolerance.source) }
    }

    /// Values the line's difference in the reporting currency, when the job values differences.
    func value(_ line: inout ReconciliationLine) {
        guard let valuation else { return }
        line.valued = true
        guard let difference = line.difference else { return }
        switch valuation.value(of: difference, asset: line.key.asset) {
        case .noPrice:
            let note = "no price for \(line.key.asset)"
            if !difference.isZero && !line.notes.contains(where: { $0.hasSuffix(note) }) { line.notes.append(note) }
        case .outOfRange:
            line.notes.append("the difference's value in \(valuation.currency) has more than 38 digits: not valued")
        case .value(let value, let exact):
            line.differenceValue = value
            if !exact { line.notes.append("difference value cut toward zero at the 38th digit") }
        }
    }

    private func line(
        for key: BalanceKey, ledger: BalanceBook.Figure, statement: BalanceBook.Figure,
        books: (ledger: BalanceBook, statement: BalanceBook)
    ) -> ReconciliationLine {
        if case .conflict(let parts) = ledger {
            return conflictLine(key, side: "ledger", parts, other: statement, otherIsLedger: false)
        }
        if case .conflict(let parts) = statement {
            return conflictLine(key, side: "statement", parts, other: ledger, otherIsLedger: true)
        }
        if case .unsummable(let parts) = ledger {
            return conflictLine(key, side: "ledger", parts, other: statement, otherIsLedger: false, unsummable: true)
        }
        if case .unsummable(let parts) = statement {
            return conflictLine(key, side: "statement", parts, other: ledger, otherIsLedger: true, unsummable: true)
        }

        var notes: [String] = []
        var ledgerBalance: Balance?
        var ledgerInputs: CompactList<Int> = []
        var ledgerSources: CompactList<SourceLocation> = []
        if case .balance(let balance, let inputs, let sources) = ledger {
            (ledgerBalance, ledgerInputs, ledgerSources) = (balance, inputs, sources)
        }
        var statementBalance: Balance?
        var statementInputs: CompactList<Int> = []
        var statementSources: CompactList<SourceLocation> = []
        if case .balance(let balance, let inputs, let sources) = statement {
            (statementBalance, statementInputs, statementSources) = (balance, inputs, sources)
        }

        // Which figure: the statement input's choice, else the ledger input's, else the total.
        let requested =
            statementInputs.lazy.compactMap { statementPolicies[$0]?.compare }.first
            ?? ledgerInputs.lazy.compactMap { ledgerPolicies[$0]?.compare }.first ?? .total
        var figure = requested
        if requested != .total {
            let missingOn = [("ledger", ledgerBalance), ("statement", statementBalance)]
                .filter { $0.1 != nil && $0.1?.amount(requested) == nil }.map(\.0)
            if !missingOn.isEmpty {
                figure = .total
                notes.append(
                    "compared total: the \(missingOn.joined(separator: " and ")) does not report \(requested.rawValue)")
            }
        }
        var ledgerAmount = ledgerBalance?.amount(figure)
        var statementAmount = statementBalance?.amount(figure)
        // Inferred tolerance works from the precision the statement is written in: a venue rounds to what it prints,
        // so its last printed digit says how exact its figure is. (The ledger's, when only the ledger reports the key
        // and an input counts the statement's absence as zero.)
        let precision = statementAmount?.scale ?? ledgerAmount?.scale ?? 0

        // An absent side counts as zero where an input of that side says omissions mean zero.
        if ledgerAmount == nil, let policy = zeroPolicy(for: key, in: ledgerPolicies, book: books.ledger) {
            ledgerAmount = .zero
            notes.append("ledger has no balance; counted as zero (missing_means_zero on \(policy.label))")
        }
        if statementAmount == nil, let policy = zeroPolicy(for: key, in: statementPolicies, book: books.statement) {
            statementAmount = .zero
            notes.append("statement has no balance; counted as zero (missing_means_zero on \(policy.label))")
        }

        func make(
            _ classification: Classification, difference: Amount?, tolerance: AppliedTolerance? = nil,
            basisPoints: Amount? = nil
        )
            -> ReconciliationLine
        {
            ReconciliationLine(
                key: key, ledger: ledgerAmount, statement: statementAmount, difference: difference,
                relativeDifferenceBasisPoints: basisPoints, tolerance: tolerance, classification: classification,
                figure: figure, ledgerSources: ledgerSources, statementSources: statementSources, notes: notes)
        }

        switch (ledgerAmount, statementAmount) {
        case (nil, let statement?):
            return make(statement.isZero ? .matched : .missingInLedger, difference: statement)
        case (let ledger?, nil):
            return make(ledger.isZero ? .matched : .missingInStatement, difference: ledger.negated())
        case (let ledger?, let statement?):
            let applied = tolerance.tolerance(
                for: key, ledger: ledger, statement: statement, precision: precision, valuation: valuation)
            guard let difference = try? statement.subtracting(ledger) else {
                notes.append("the difference leaves the exact range")
                return make(.mismatch, difference: nil, tolerance: applied)
            }
            let basisPoints = Self.basisPoints(difference, ledger, statement)
            if !difference.isZero, let note = tolerance.unappliedValueNote(for: key, valuation: valuation) {
                notes.append(note)
            }
            let classification: Classification =
                difference.isZero ? .matched : (difference.magnitude <= applied.value ? .withinTolerance : .mismatch)
            return make(classification, difference: difference, tolerance: applied, basisPoints: basisPoints)
        case (nil, nil):
            // Unreachable: a key comes from one of the books. Kept total rather than trapping.
            return make(.matched, difference: .zero)
        }
    }

    private func zeroPolicy(for key: BalanceKey, in policies: [Int: InputPolicy], book: BalanceBook) -> InputPolicy? {
        policies.keys.sorted().lazy.filter { policies[$0]?.missingMeansZero == true && book.covers(key, input: $0) }
            .first.flatMap { policies[$0] }
    }

    private func conflictLine(
        _ key: BalanceKey, side: String, _ parts: [BalanceBook.Contribution], other: BalanceBook.Figure,
        otherIsLedger: Bool, unsummable: Bool = false
    ) -> ReconciliationLine {
        let ordered = parts.sorted { $0.balance.source < $1.balance.source }
        let listed = ordered.map { "\($0.balance.source) (\($0.balance.total))" }.joined(separator: ", ")
        var note =
            unsummable
            ? "the \(side)'s entries for this key from \(Set(parts.map(\.input)).count) inputs add up past the exact "
                + "range (38 digits): \(listed); nothing was summed"
            : "the \(side) reports this key \(parts.count) times: \(listed); nothing was merged"
        var otherAmount: Amount?
        var otherSources: [SourceLocation] = []
        switch other {
        case .balance(let balance, _, let sources):
            otherAmount = balance.total
            otherSources = Array(sources)
        case .conflict(let otherParts):
            otherSources = otherParts.map(\.balance.source).sorted()
            note += "; the \(otherIsLedger ? "ledger" : "statement") reports it \(otherParts.count) times too"
        case .unsummable(let otherParts):
            otherSources = otherParts.map(\.balance.source).sorted()
            note += "; the \(otherIsLedger ? "ledger" : "statement")'s entries cannot be summed either"
        case .absent:
            break
        }
        let sources = ordered.map(\.balance.source)
        return ReconciliationLine(
            key: key, ledger: otherIsLedger ? otherAmount : nil, statement: otherIsLedger ? nil : otherAmount,
            difference: nil, tolerance: nil, classification: .conflict,
            ledgerSources: CompactList(otherIsLedger ? otherSources : sources),
            statementSources: CompactList(otherIsLedger ? sources : otherSources),
            notes: [note])
    }

    /// `difference / max(|ledger|, |statement|)` in basis points, rounded half away from zero to two decimals; `nil`
    /// when both sides are zero.
    static func basisPoints(_ difference: Amount, _ ledger: Amount, _ statement: Amount) -> Amount? {
        let larger = max(ledger.magnitude, statement.magnitude)
        guard !larger.isZero else { return nil }
        let scale = max(difference.scale, larger.scale)
        guard let numerator = try? difference.magnitude.rescaled(to: scale),
            let denominator = try? larger.rescaled(to: scale)
        else { return nil }
        // |difference| × 10^6 / larger, exactly, in 256 bits: the quotient is at most 2 × 10^6.
        let divisor = UInt128(denominator.significand)
        let product = UInt128(numerator.significand).multipliedFullWidth(by: 1_000_000)
        guard product.high < divisor else { return nil }
        var (quotient, remainder) = divisor.dividingFullWidth(product)
        if remainder >= divisor - remainder { quotient += 1 }
        let value = Amount(uncheckedSignificand: Int128(quotient), scale: 2)
        return difference.isNegative ? value.negated() : value
    }
}
