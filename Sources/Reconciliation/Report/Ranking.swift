/// The order people read breaks in: the largest first. Every report lists breaks in this order, so a 3 BTC break is
/// never below a 0.3 USD one: valued ones by the absolute value of their difference in the reporting currency, then
/// unvalued ones by relative size (a side missing altogether counts as 100%), then conflicts (which have no single
/// difference); ties in key order. The report ranks its breaks once (``ReconciliationReport/rankedBreaks``).
extension ReconciliationReport {
    /// Lines in ranking order (see ``rankedBreaks``). Each line's rank is computed once and positions are sorted, not
    /// lines: sorting the lines (320 bytes each) with the rank computed in every comparison was most of the HTML
    /// report's time at 1.5M keys.
    public static func ranked(_ lines: [ReconciliationLine]) -> [ReconciliationLine] {
        let ranks = lines.map(rank)
        let order = lines.indices.sorted { left, right in
            let (a, b) = (ranks[left], ranks[right])
            if a.tier != b.tier { return a.tier < b.tier }
            if let first = a.size, let second = b.size, first != second { return first > second }
            return lines[left].key < lines[right].key
        }
        return order.map { lines[$0] }
    }

    /// Tier 0: valued (size = |value|); tier 1: unvalued with a difference (size = |relative difference| in basis
    /// points, 10,000 when a side is missing); tier 2: no difference.
    private static func rank(_ line: ReconciliationLine) -> (tier: Int, size: Amount?) {
        if let value = line.differenceValue { return (0, value.magnitude) }
        guard line.difference != nil else { return (2, nil) }
        return (1, line.relativeDifferenceBasisPoints?.magnitude ?? Amount(10_000))
    }

    /// Totals of valued differences in the reporting currency: breaks and acknowledged breaks (sums of absolute
    /// values, exact), and how many of each have no price. `nil` when the run did not value differences.
    public var valueTotals: ValueTotals? {
        guard let valuation else { return nil }
        var totals = ValueTotals(currency: valuation.currency)
        for line in result.lines {
            let acknowledged = line.classification == .acknowledged
            guard line.classification.isBreak || acknowledged else { continue }
            guard let value = line.differenceValue else {
                if acknowledged { totals.unvaluedAcknowledged += 1 } else { totals.unvaluedBreaks += 1 }
                continue
            }
            do {
                if acknowledged {
                    totals.acknowledgedValue = try totals.acknowledgedValue.adding(value.magnitude)
                } else {
                    totals.breakValue = try totals.breakValue.adding(value.magnitude)
                }
            } catch {
                totals.overflowed = true
            }
        }
        return totals
    }
}

/// What a run's breaks are worth in the reporting currency.
public struct ValueTotals: Sendable, Hashable {
    /// The reporting currency.
    public let currency: String
    /// Σ |difference value| over breaks.
    public var breakValue = Amount.zero
    /// Σ |difference value| over acknowledged breaks.
    public var acknowledgedValue = Amount.zero
    /// Breaks without a value (not in ``breakValue``).
    public var unvaluedBreaks = 0
    /// Acknowledged breaks without a value.
    public var unvaluedAcknowledged = 0
    /// Whether a sum left the exact range (the totals are then not shown as figures).
    public var overflowed = false

    /// The totals as report JSON.
    package var jsonValue: JSONValue {
        .object([
            "currency": .string(currency), "break_value": overflowed ? .null : .amount(breakValue),
            "acknowledged_value": overflowed ? .null : .amount(acknowledgedValue),
            "unvalued_breaks": .integer(unvaluedBreaks), "unvalued_acknowledged": .integer(unvaluedAcknowledged),
        ])
    }
}
