@testable import Reconciliation

/// Reads fixture files as one input and returns the outcome.
func load(
    _ names: [String], format: String?, options: InputOptions = InputOptions(), accounts: [String: String] = [:],
    directory: String = "formats/"
) -> InputOutcome {
    let spec = InputSpec(
        side: .statement, name: names[0],
        files: names.map { InputFile(path: fixture(directory + $0), displayPath: $0) }, format: format,
        options: options, accounts: accounts)
    return InputLoader(prefetch: false).load(spec, index: 0)
}

extension InputOutcome {
    /// `venue/account/asset=total` per balance, in the order read.
    var summary: [String] { balances.map { "\($0.key)=\($0.total)" } }

    /// Diagnostics as text.
    var messages: [String] { diagnostics.map(\.description) }
}
