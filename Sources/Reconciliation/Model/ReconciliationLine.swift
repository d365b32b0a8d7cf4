/// One key of the reconciliation: both sides, the difference, the tolerance and the verdict (a discrepancy when the
/// verdict is a break).
public struct ReconciliationLine: Sendable, Hashable {
    /// Venue, account and asset.
    public let key: BalanceKey
    /// The ledger figure compared, or `nil` when the ledger has no balance for the key.
    public let ledger: Amount?
    /// The statement figure compared, or `nil` when the statement has no balance for the key.
    public let statement: Amount?
    /// statement − ledger, with an absent side counted as zero; `nil` for a conflict.
    public let difference: Amount?
    /// The difference relative to the larger side, in basis points (two decimals), when both sides are non-zero.
    public let relativeDifferenceBasisPoints: Amount?
    /// The tolerance applied, when both sides were compared.
    public internal(set) var tolerance: AppliedTolerance?
    /// The verdict.
    public internal(set) var classification: Classification
    /// Which figure was compared.
    public let figure: ComparedFigure
    /// Where the ledger side was read (several for a conflict or entries summed from several inputs).
    public let ledgerSources: CompactList<SourceLocation>
    /// Where the statement side was read.
    public let statementSources: CompactList<SourceLocation>
    /// Explanations that change how to read the line (an absent side treated as zero, a figure fallback).
    public internal(set) var notes: [String]
    /// Whether the job values differences (`valuation:`): then ``differenceValue`` is the value, or `nil` without a
    /// price.
    public internal(set) var valued = false
    /// The difference in the reporting currency (exact: difference × price), when valued and priced.
    public internal(set) var differenceValue: Amount?
    /// The acknowledgement that explains this line's difference, when it is classified `acknowledged`.
    public internal(set) var acknowledgement: Acknowledgement? {
        get { acknowledgementBox?.value }
        set { acknowledgementBox = newValue.map(AcknowledgementBox.init) }
    }
    /// Behind a reference: nearly every line has none, and inline it would double the size of every line (208 of
    /// 496 bytes) — a million-key run would carry 200 MB of empty acknowledgements.
    private var acknowledgementBox: AcknowledgementBox?

    /// Creates a line.
    public init(
        key: BalanceKey, ledger: Amount?, statement: Amount?, difference: Amount?,
        relativeDifferenceBasisPoints: Amount? = nil, tolerance: AppliedTolerance?, classification: Classification,
        figure: ComparedFigure = .total, ledgerSources: CompactList<SourceLocation> = [],
        statementSources: CompactList<SourceLocation> = [],
        notes: [String] = []
    ) {
        self.key = key
        self.ledger = ledger
        self.statement = statement
        self.difference = difference
        self.relativeDifferenceBasisPoints = relativeDifferenceBasisPoints
        self.tolerance = tolerance
        self.classification = classification
        self.figure = figure
        self.ledgerSources = ledgerSources
        self.statementSources = statementSources
        self.notes = notes
    }
}

extension ReconciliationLine {
    /// The same line with another classification and one more note.
    public func reclassified(_ classification: Classification, note: String) -> ReconciliationLine {
        var line = self
        line.classification = classification
        line.notes.append(note)
        return line
    }

    /// The same line with one more note.
    public func addingNote(_ note: String) -> ReconciliationLine {
        var line = self
        line.notes.append(note)
        return line
    }
}

/// What the reconciler produced: one line per key in key order, and the counts.
public struct ReconciliationResult: Sendable, Hashable {
    /// One line per key, ordered by venue, account, asset.
    public let lines: [ReconciliationLine]

    /// How many lines carry each classification (every classification present, zero when unused).
    public let counts: [Classification: Int]

    /// Creates a result; the lines are sorted by key.
    public init(lines: [ReconciliationLine]) {
        self.init(ordered: lines.sorted { $0.key < $1.key })
    }

    /// Creates a result from lines already in key order (each key once), without sorting them again.
    package init(sortedLines lines: [ReconciliationLine]) {
        assert(zip(lines, lines.dropFirst()).allSatisfy { $0.key < $1.key }, "lines must be sorted by key")
        self.init(ordered: lines)
    }

    private init(ordered lines: [ReconciliationLine]) {
        self.lines = lines
        // Counted once: every report and record asks (a pass over a million lines each time).
        var counts = Dictionary(uniqueKeysWithValues: Classification.allCases.map { ($0, 0) })
        for index in lines.indices { counts[lines[index].classification, default: 0] += 1 }
        self.counts = counts
    }

    /// The lines that need attention.
    public var breaks: [ReconciliationLine] { lines(where: \.isBreak) }

    /// The lines whose classification `included` accepts, in key order. Read by position: `filter` and `for … in`
    /// copy each line (a dozen references retained, then released) to read one byte of it, a pass over every line.
    package func lines(where included: (Classification) -> Bool) -> [ReconciliationLine] {
        var selected: [ReconciliationLine] = []
        for index in lines.indices where included(lines[index].classification) { selected.append(lines[index]) }
        return selected
    }
}

/// An acknowledgement held by reference (see ``ReconciliationLine/acknowledgement``); compared and hashed by value.
final class AcknowledgementBox: Sendable, Hashable {
    let value: Acknowledgement

    init(_ value: Acknowledgement) {
        self.value = value
    }

    static func == (lhs: AcknowledgementBox, rhs: AcknowledgementBox) -> Bool { lhs.value == rhs.value }

    func hash(into hasher: inout Hasher) { hasher.combine(value) }
}
