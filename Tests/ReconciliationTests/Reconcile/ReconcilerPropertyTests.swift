import PropertyBased
import Synchronization
import Testing

@testable import Reconciliation

/// Invariants of the reconciler over random books: small key spaces so keys collide, both kinds of inputs,
/// duplicates, zeros, and amounts of mixed precision.
@Suite struct ReconcilerPropertyTests {
    struct Entry: Sendable {
        let venue: String
        let asset: String
        let amount: Amount
        let input: Int
    }

    static let entries = Generator<[Entry], Shrink.None<[Entry]>>(
        run: { rng in
            (0..<Int.random(in: 0...14, using: &rng)).map { _ in
                let scale = Int.random(in: 0...4, using: &rng)
                let significand = Int128(Int.random(in: -20_000...20_000, using: &rng))
                let value = Int.random(in: 0...5, using: &rng) == 0 ? Int128(0) : significand
                return Entry(
                    venue: ["kraken", "coinbase"].randomElement(using: &rng) ?? "kraken",
                    asset: ["BTC", "ETH", "USD", "EUR"].randomElement(using: &rng) ?? "BTC",
                    amount: (try? Amount(significand: value, scale: scale)) ?? .zero,
                    input: Int.random(in: 0...1, using: &rng))
            }
        })

    static let policies = Generator<TolerancePolicy, Shrink.None<TolerancePolicy>>(
        run: { rng in
            func rule() -> ToleranceRule {
                ToleranceRule(
                    absolute: Bool.random(using: &rng)
                        ? (try? Amount(significand: Int128(Int.random(in: 0...500, using: &rng)), scale: 2)) : nil,
                    relative: Bool.random(using: &rng)
                        ? (try? Amount(significand: Int128(Int.random(in: 0...50, using: &rng)), scale: 4)) : nil)
            }
            return TolerancePolicy(defaultRule: rule(), assets: Bool.random(using: &rng) ? ["BTC": rule()] : [:])
        })

    static func makeBook(_ entries: [Entry], kind: InputKind) -> BalanceBook {
        var book = BalanceBook()
        for input in 0...1 {
            let balances = entries.enumerated().filter { $0.element.input == input }.map { position, entry in
                Balance(
                    key: BalanceKey(venue: entry.venue, account: "main", asset: entry.asset), total: entry.amount,
                    source: SourceLocation(file: "in\(input).csv", line: position + 2))
            }
            book.add(kind == .entries ? Self.summed(balances) : balances, input: input, kind: kind)
        }
        return book
    }

    static func summed(_ balances: [Balance]) -> [Balance] {
        var byKey: [BalanceKey: Balance] = [:]
        for balance in balances {
            if var existing = byKey[balance.key] {
                existing.total = (try? existing.total.adding(balance.total)) ?? existing.total
                byKey[balance.key] = existing
            } else {
                byKey[balance.key] = balance
            }
        }
        return byKey.values.sorted { $0.key < $1.key }
    }

    @Test func everyKeyIsClassifiedExactlyOnceAndCountsSumToKeys() async {
        await propertyCheck(count: 300, input: Self.entries, Self.entries, Self.policies) { ledger, statement, policy in
            let ledgerBook = Self.makeBook(ledger, kind: .entries)
            let statementBook = Self.makeBook(statement, kind: .balances)
            let result = Reconciler(tolerance: policy).reconcile(ledger: ledgerBook, statement: statementBook)
            let keys = Set(ledgerBook.keys).union(statementBook.keys)
            #expect(result.lines.count == keys.count)
            #expect(Set(result.lines.map(\.key)) == keys)
            #expect(result.counts.values.reduce(0, +) == keys.count)
        }
    }

    /// Lines made on several threads (each its own part of the result) are the lines made on one.
    @Test func linesMadeOnSeveralThreadsAreTheLinesMadeOnOne() async {
        await propertyCheck(count: 200, input: Self.entries, Self.entries, Self.policies) { ledger, statement, policy in
            let ledgerBook = Self.makeBook(ledger, kind: .entries)
            let statementBook = Self.makeBook(statement, kind: .balances)
            let one = Reconciler(tolerance: policy).reconcile(ledger: ledgerBook, statement: statementBook)
            for (workers, keysPerThread) in [(2, 1), (3, 1), (8, 2), (2, 1000)] {
                var reconciler = Reconciler(tolerance: policy)
                reconciler.workers = workers
                reconciler.keysPerThread = keysPerThread
                let split = reconciler.reconcile(ledger: ledgerBook, statement: statementBook)
                #expect(split == one, "workers \(workers), \(keysPerThread) keys a thread at least")
            }
        }
    }

    @Test func wideningAToleranceNeverTurnsWithinToleranceIntoMismatch() async {
        await propertyCheck(count: 300, input: Self.entries, Self.entries, Self.policies) { ledger, statement, policy in
            let books = (Self.makeBook(ledger, kind: .entries), Self.makeBook(statement, kind: .balances))
            var wider = policy
            wider.defaultRule.absolute = (try? (policy.defaultRule.absolute ?? .zero).adding(amount("0.5"))) ?? .zero
            wider.defaultRule.relative = (try? (policy.defaultRule.relative ?? .zero).adding(amount("0.001"))) ?? .zero
            for (asset, rule) in policy.assets {
                var widened = rule
                widened.absolute = (try? (rule.absolute ?? .zero).adding(amount("0.5"))) ?? .zero
                wider.assets[asset] = widened
            }
            let narrow = Reconciler(tolerance: policy).reconcile(ledger: books.0, statement: books.1)
            let wide = Reconciler(tolerance: wider).reconcile(ledger: books.0, statement: books.1)
            for (before, after) in zip(narrow.lines, wide.lines) {
                #expect(before.key == after.key)
                if before.classification == .withinTolerance { #expect(after.classification != .mismatch) }
                if before.classification == .matched { #expect(after.classification == .matched) }
            }
        }
    }

    /// Pairs of books that mostly agree: the statement is the ledger rewritten at another precision, rounded,
    /// nudged by a unit, or left out, so tolerances decide many lines.
    static let nearPairs = Generator<([Entry], [Entry]), Shrink.None<([Entry], [Entry])>>(
        run: { rng in
            let ledger = (0..<Int.random(in: 1...10, using: &rng)).map { _ in
                Entry(
                    venue: ["kraken", "coinbase"].randomElement(using: &rng) ?? "kraken",
                    asset: ["BTC", "ETH", "USD"].randomElement(using: &rng) ?? "BTC",
                    amount: (try? Amount(
                        significand: Int128(Int.random(in: -99_999...99_999, using: &rng)),
                        scale: Int.random(in: 0...5, using: &rng))) ?? .zero,
                    input: 0)
            }
            let statement: [Entry] = ledger.compactMap { entry in
                let value = entry.amount
                let rewritten: Amount?
                switch Int.random(in: 0...5, using: &rng) {
                case 0: rewritten = try? value.rescaled(to: value.scale + 2)
                case 1: rewritten = value.roundedTowardZero(toScale: max(0, value.scale - 1))
                case 2: rewritten = try? value.adding(Amount(significand: 1, scale: value.scale + 1))
                case 3: rewritten = try? value.subtracting(Amount(significand: 1, scale: value.scale))
                case 4: return nil
                default: rewritten = value
                }
                return Entry(venue: entry.venue, asset: entry.asset, amount: rewritten ?? value, input: 0)
            }
            return (ledger, statement)
        })

    /// Absolute and relative tolerances are symmetric; inferred tolerance is not (it reads the statement's precision),
    /// so it has a property of its own below.
    @Test func swappingSidesNeverChangesWhetherALineIsABreak() async {
        await propertyCheck(count: 500, input: Self.nearPairs, Self.policies) { pair, tolerance in
            let left = Self.makeBook(pair.0, kind: .balances)
            let right = Self.makeBook(pair.1, kind: .balances)
            let forward = Reconciler(tolerance: tolerance).reconcile(ledger: left, statement: right)
            let backward = Reconciler(tolerance: tolerance).reconcile(ledger: right, statement: left)
            for (one, other) in zip(forward.lines, backward.lines) {
                #expect(one.key == other.key)
                #expect(one.classification.isBreak == other.classification.isBreak, "\(one.key)")
            }
        }
    }

    @Test func inferredToleranceReadsOnlyTheStatementsPrecision() async {
        // Rewriting the ledger's figures at any other precision (the same values, more zeros) changes no verdict: the
        // venue's last printed digit alone says how exact its figure is.
        let inferred = TolerancePolicy(defaultRule: ToleranceRule(inferred: InferredTolerance()))
        await propertyCheck(count: 300, input: Self.nearPairs, Gen.int(in: 0...6)) { pair, extra in
            let padded = pair.0.map {
                Entry(
                    venue: $0.venue, asset: $0.asset,
                    amount: (try? $0.amount.rescaled(to: min(Amount.maxScale, $0.amount.scale + extra))) ?? $0.amount,
                    input: $0.input)
            }
            let statement = Self.makeBook(pair.1, kind: .balances)
            let original = Reconciler(tolerance: inferred).reconcile(
                ledger: Self.makeBook(pair.0, kind: .balances), statement: statement)
            let repadded = Reconciler(tolerance: inferred).reconcile(
                ledger: Self.makeBook(padded, kind: .balances), statement: statement)
            #expect(original.lines.map(\.classification) == repadded.lines.map(\.classification))
            #expect(original.lines.map(\.tolerance?.source) == repadded.lines.map(\.tolerance?.source))
        }
    }

    @Test func nearPairsExerciseEveryVerdict() async {
        // Guards the generator above: it must produce lines that tolerances decide, or the swap test proves nothing.
        let inferred = TolerancePolicy(defaultRule: ToleranceRule(inferred: InferredTolerance()))
        let seen = Mutex<Set<Classification>>([])
        await propertyCheck(count: 200, input: Self.nearPairs) { pair in
            let result = Reconciler(tolerance: inferred).reconcile(
                ledger: Self.makeBook(pair.0, kind: .balances), statement: Self.makeBook(pair.1, kind: .balances))
            seen.withLock { $0.formUnion(result.lines.map(\.classification)) }
        }
        #expect(seen.withLock { $0.isSuperset(of: [.matched, .withinTolerance, .mismatch, .missingInStatement]) })
    }

    @Test func classificationIsIndependentOfInputOrder() async {
        await propertyCheck(count: 300, input: Self.entries, Self.entries, Self.policies) { ledger, statement, policy in
            let original = Reconciler(tolerance: policy).reconcile(
                ledger: Self.makeBook(ledger, kind: .entries), statement: Self.makeBook(statement, kind: .balances))
            let reversedInputs = { (entries: [Entry]) in
                entries.reversed().map {
                    Entry(venue: $0.venue, asset: $0.asset, amount: $0.amount, input: 1 - $0.input)
                }
            }
            let shuffled = Reconciler(tolerance: policy).reconcile(
                ledger: Self.makeBook(reversedInputs(ledger), kind: .entries),
                statement: Self.makeBook(reversedInputs(statement), kind: .balances))
            #expect(original.lines.map(\.key) == shuffled.lines.map(\.key))
            #expect(original.lines.map(\.classification) == shuffled.lines.map(\.classification))
            #expect(original.lines.map(\.difference) == shuffled.lines.map(\.difference))
        }
    }
}
