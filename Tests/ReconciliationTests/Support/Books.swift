@testable import Reconciliation

/// `Amount` from text in tests (the text is known good).
func amount(_ text: String) -> Amount {
    guard let value = Amount(text) else {
        preconditionFailure("bad amount literal \(text)")
    }
    return value
}

/// A balance for `venue/account/asset`.
func balance(
    _ venue: String, _ account: String, _ asset: String, _ total: String, available: String? = nil,
    hold: String? = nil, file: String = "f.csv", line: Int = 1
) -> Balance {
    Balance(
        key: BalanceKey(venue: venue, account: account, asset: asset), total: amount(total),
        available: available.map(amount), hold: hold.map(amount), source: SourceLocation(file: file, line: line))
}

/// A book with each list of balances as one input.
func book(_ inputs: [Balance]..., kind: InputKind = .balances) -> BalanceBook {
    var book = BalanceBook()
    for (index, balances) in inputs.enumerated() { book.add(balances, input: index, kind: kind) }
    return book
}

extension ReconciliationResult {
    /// The line for `venue/account/asset`.
    func line(_ venue: String, _ account: String, _ asset: String) -> ReconciliationLine? {
        lines.first { $0.key == BalanceKey(venue: venue, account: account, asset: asset) }
    }
}
