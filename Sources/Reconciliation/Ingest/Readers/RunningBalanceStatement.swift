/// The closing balances of a statement that lists movements with a running balance (Coinbase Exchange account
/// statements, Kraken ledgers): per unit, the balance of the last row at or before the cutoff in time order, rows at
/// the same time taken in the file's direction (oldest first, or newest first when the file lists rows newest first). Along the way each row's balance is checked against the previous one plus the movement, and the
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
        /// The file the row is in, when a statement spans files (pages); else the file given to ``closing(file:into:)``.
        var file: String? = nil
    }

    private var rows: [Unit: [Row]] = [:]
    /// The earliest row after the cutoff per unit: for a unit with no row before the cutoff, its balance then is
    /// this row's balance before its movement.
    private var firstLate: [Unit: Row] = [:]
    private var labels: [Unit: String] = [:]
    private var order = 0
    /// Rows stamped after the cutoff are left out (and counted): the balance is the last row at or before it.
    private var window: RowWindow?
    private let previousCutoff: Timestamp?

    /// A statement of an input read with `options` (its cutoff, and the previous day's for openings).
    init(options: InputOptions = InputOptions()) {
        window = RowWindow(cutoff: options.cutoff)
        previousCutoff = options.previousCutoff
    }

    /// Adds a row of `unit` (the key a balance is kept per), called `label` in messages; a row after the cutoff is
    /// counted and left out.
    mutating func add(
        unit: Unit, label: String, time: Timestamp, movement: Amount, balance: Amount, line: Int, file: String? = nil
    ) {
        labels[unit] = label
        let row = Row(time: time, order: order, movement: movement, balance: balance, line: line, file: file)
        order += 1
        if let admitted = window?.admits(time), !admitted {
            if let seen = firstLate[unit], seen.time <= time {} else { firstLate[unit] = row }
            return
        }
        rows[unit, default: []].append(row)
    }

    /// The closing row per unit, in unit order, after checking each unit's chain, with the opening balance: the
    /// balance at `previousCutoff` when the statement reaches back to it, else the first row's before its movement.
    func closing(file: String, into collector: RecordCollector) -> [(unit: Unit, row: Row, opening: Amount?)] {
        window?.report(file: file, into: collector)
        var closings = closingRows(file: file, into: collector).map { unit, row, ordered in
            var opening: Amount?
            if let previousCutoff, let before = ordered.last(where: { $0.time <= previousCutoff }) {
                opening = before.balance
            } else if let first = ordered.first {
                opening = try? first.balance.subtracting(first.movement)
            }
            return (unit: unit, row: row, opening: opening)
        }
        // A unit whose every row is after the cutoff still had a balance at the cutoff: the first later row's before
        // its movement. Leaving it out would read as "no balance".
        for (unit, late) in firstLate.sorted(by: { $0.key < $1.key }) where rows[unit] == nil {
            guard let before = try? late.balance.subtracting(late.movement) else { continue }
            collector.diagnose(
                .note,
                "\(labels[unit] ?? unit.asset): every row is after the cutoff; the balance at the cutoff is \(before), "
                    + "the balance of line \(late.line) before its movement",
                at: SourceLocation(file: late.file ?? file, line: late.line))
            let row = Row(
                time: late.time, order: late.order, movement: .zero, balance: before, line: late.line, file: late.file)
            closings.append((unit: unit, row: row, opening: before))
        }
        return closings.sorted { $0.unit < $1.unit }
    }

    private func closingRows(file: String, into collector: RecordCollector) -> [(Unit, Row, [Row])] {
        rows.keys.sorted().compactMap { unit in
            guard let unitRows = rows[unit] else { return nil }
            // Rows at the same time follow the file's direction: a file listed newest first lists ties newest first.
            let steps = zip(unitRows, unitRows.dropFirst())
            let newestFirst = steps.contains { $0.time > $1.time } && !steps.contains { $0.time < $1.time }
            let ordered = unitRows.sorted {
                ($0.time, newestFirst ? -$0.order : $0.order) < ($1.time, newestFirst ? -$1.order : $1.order)
            }
            for (previous, row) in zip(ordered, ordered.dropFirst()) {
                guard let expected = try? previous.balance.adding(row.movement), expected != row.balance else {
                    continue
                }
                collector.diagnose(
                    .warning,
                    "\(labels[unit] ?? unit.asset): the balance \(row.balance) does not follow from the previous balance \(previous.balance) "
                        + "(line \(previous.line)) and the movement \(row.movement) (expected \(expected)); are rows missing?",
                    at: SourceLocation(file: row.file ?? file, line: row.line))
                break
            }
            return ordered.last.map { (unit, $0, ordered) }
        }
    }
}
