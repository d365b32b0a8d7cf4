/// The closing balances of a statement that lists movements with a running balance (Coinbase Exchange account
/// statements, Kraken ledgers): per unit, the balance of the last row in time order, rows at the same time taken in
/// file order. Along the way each row's balance is checked against the previous one plus the movement, and the
/// first break in that chain is a warning: it usually means rows are missing.
struct RunningBalanceStatement {
    /// What a balance is kept per: an account (empty when the statement names none) and an asset.
    struct Unit: Hashable, Comparable {
        let account: String
        let asset: String

        static func < (lhs: Unit, rhs: Unit) -> Bool {
            (lhs.account, lhs.asset) < (rhs.account, rhs.asset)
        }
    }

    struct Row {
        let time: Timestamp
        let order: Int
        let movement: Amount
        let balance: Amount
        let line: Int
    }

    private var rows: [Unit: [Row]] = [:]
    private var labels: [Unit: String] = [:]
    private var order = 0

    /// Adds a row of `unit` (the key a balance is kept per), called `label` in messages.
    mutating func add(unit: Unit, label: String, time: Timestamp, movement: Amount, balance: Amount, line: Int) {
        labels[unit] = label
        rows[unit, default: []].append(Row(time: time, order: order, movement: movement, balance: balance, line: line))
        order += 1
    }

    /// The closing row per unit, in unit order, after checking each unit's chain.
    func closing(file: String, into collector: RecordCollector) -> [(unit: Unit, row: Row)] {
        rows.keys.sorted().compactMap { unit in
            guard let unitRows = rows[unit] else { return nil }
            let ordered = unitRows.sorted { ($0.time, $0.order) < ($1.time, $1.order) }
            for (previous, row) in zip(ordered, ordered.dropFirst()) {
                guard let expected = try? previous.balance.adding(row.movement), expected != row.balance else {
                    continue
                }
                collector.diagnose(
                    .warning,
                    "\(labels[unit] ?? unit.asset): the balance \(row.balance) does not follow from the previous balance \(previous.balance) "
                        + "(line \(previous.line)) and the movement \(row.movement) (expected \(expected)); are rows missing?",
                    at: SourceLocation(file: file, line: row.line))
                break
            }
            return ordered.last.map { (unit, $0) }
        }
    }
}
