import ReconWorkload
import Testing

@testable import Reconciliation

/// Every report lists breaks in one order: valued ones by |value| descending, then unvalued ones by relative size,
/// then those without a difference, ties in key order. Ranking computes each line's rank once and sorts positions;
/// the order must be the one a direct sort of the lines by that rule gives, for any input order.
@Suite struct RankingTests {
    /// The rule, written the direct way: sort the lines, ranking both sides in every comparison.
    static func reference(_ lines: [ReconciliationLine]) -> [ReconciliationLine] {
        func rank(_ line: ReconciliationLine) -> (tier: Int, size: Amount?) {
            if let value = line.differenceValue { return (0, value.magnitude) }
            guard line.difference != nil else { return (2, nil) }
            return (1, line.relativeDifferenceBasisPoints?.magnitude ?? Amount(10_000))
        }
        return lines.sorted { lhs, rhs in
            let (left, right) = (rank(lhs), rank(rhs))
            if left.tier != right.tier { return left.tier < right.tier }
            if let a = left.size, let b = right.size, a != b { return a > b }
            return lhs.key < rhs.key
        }
    }

    @Test func rankingIsTheDirectSortForAnyInputOrder() {
        var random = SplitMix64(seed: 0x5A4E)
        for round in 0..<200 {
            let count = Int(random.next() % 60)
            var lines: [ReconciliationLine] = []
            for index in 0..<count {
                // Few distinct sizes, so ties (broken by key) are common; signs and scales vary.
                let size = Int64(random.next() % 5) - 2
                let scale = Int(random.next() % 3)
                let difference = random.next() % 5 == 0 ? nil : Amount(uncheckedSignificand: Int128(size), scale: scale)
                var line = ReconciliationLine(
                    key: BalanceKey(venue: "v\(random.next() % 3)", account: "a\(index % 7)", asset: "A\(index)"),
                    ledger: nil, statement: nil, difference: difference,
                    relativeDifferenceBasisPoints: random.next() % 3 == 0
                        ? nil : Amount(uncheckedSignificand: Int128(random.next() % 4), scale: 0),
                    tolerance: nil, classification: .mismatch)
                if difference != nil, random.next() % 2 == 0 {
                    line.differenceValue = Amount(uncheckedSignificand: Int128(size) * 3, scale: scale)
                }
                lines.append(line)
            }
            #expect(
                ReconciliationReport.ranked(lines).map(\.key) == Self.reference(lines).map(\.key), "round \(round)")
        }
    }
}
