import ArgumentParser
import Reconciliation

/// `recon formats`: every statement format, with a line on what it reads.
struct FormatsCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "formats",
        abstract: "List every format name for `format:` and --format, with what it reads.",
        discussion: """
            Examples:
              recon formats
            """
    )

    func run() {
        let width = StatementFormats.names.map(\.count).max() ?? 0
        for reader in StatementFormats.all {
            print(reader.format + String(repeating: " ", count: width - reader.format.count) + "  " + reader.summary)
        }
    }
}
