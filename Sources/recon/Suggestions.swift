import Reconciliation

/// "Did you mean" for names typed on the command line.
enum Suggestions {
    /// `--format: unknown format 'cvs'; did you mean 'csv'? known formats: …`.
    static func unknownFormat(_ name: String, flag: String) -> String {
        let hint = Spelling.closest(to: name, among: StatementFormats.names).map { "did you mean '\($0)'? " } ?? ""
        return "\(flag): unknown format '\(name)'; \(hint)known formats: "
            + StatementFormats.names.joined(separator: ", ") + " (`recon formats` says what each reads)"
    }
}
