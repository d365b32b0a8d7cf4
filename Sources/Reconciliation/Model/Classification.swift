/// The verdict on one key. The raw values are the names used in every report.
public enum Classification: String, Sendable, Hashable, CaseIterable, Codable, Comparable {
    /// Both sides agree exactly (a zero on one side and nothing on the other also agree).
    case matched
    /// The sides differ by no more than the tolerance that applies.
    case withinTolerance = "within_tolerance"
    /// The sides differ by more than the tolerance.
    case mismatch
    /// The ledger holds a non-zero balance the statement does not report.
    case missingInStatement = "missing_in_statement"
    /// The statement reports a non-zero balance the ledger does not hold.
    case missingInLedger = "missing_in_ledger"
    /// One side reports the key more than once (overlapping pages, a duplicated row): nothing is merged.
    case conflict
    /// An input the key belongs to failed or was missing, so the key could not be reconciled: not a break, and not a
    /// fact about the balance either (the run is `partial`).
    case unreconciled
    /// A break whose difference an approved, unexpired acknowledgement explains (a deposit in transit, a staking lock
    /// the ledger books later): not a break for the exit status or `max_breaks`, shown apart with its reason.
    case acknowledged

    /// Whether the line needs someone's attention as a difference between the books and the venue.
    public var isBreak: Bool {
        switch self {
        case .matched, .withinTolerance, .unreconciled, .acknowledged: false
        case .mismatch, .missingInStatement, .missingInLedger, .conflict: true
        }
    }

    public static func < (lhs: Classification, rhs: Classification) -> Bool {
        allCases.firstIndex(of: lhs) ?? 0 < allCases.firstIndex(of: rhs) ?? 0
    }
}

/// The verdict on a run. The raw values are the names used in every report.
public enum ReconciliationStatus: String, Sendable, Hashable, CaseIterable, Codable {
    /// Every line matched exactly.
    case reconciled
    /// Every line matched or stayed within tolerance.
    case reconciledWithinTolerance = "reconciled_within_tolerance"
    /// No line is a break, and at least one is a break explained by an acknowledgement in force.
    case reconciledWithAcknowledged = "reconciled_with_acknowledged"
    /// At least one line is a break.
    case breaks
    /// An input failed; the others were reconciled.
    case partial
    /// The run could not reconcile anything.
    case failed
}
