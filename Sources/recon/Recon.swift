import ArgumentParser
import Reconciliation

/// `recon`: reconcile what our books say against what exchanges and banks say.
@main
struct Recon: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "recon",
        abstract: "Reconcile ledger exports against exchange and bank statements.",
        discussion: """
            Exit statuses: 0 reconciled, 1 breaks found, 2 an input or the run failed (partial runs included),
            64 usage or job-file error. When 1 and 2 both apply, 2 wins.

            Example:
              recon run jobs/eod-sample.yaml
            """,
        version: ReconVersion.current,
        subcommands: [
            RunCommand.self, InspectCommand.self, AuditCommand.self, ReplayCommand.self, HistoryCommand.self,
            ShowCommand.self, GenerateCommand.self,
        ]
    )
}

/// Exit statuses shared by every command.
enum ExitStatus {
    static let reconciled: Int32 = 0
    static let breaks: Int32 = 1
    static let failed: Int32 = 2
    static let usage: Int32 = 64

    /// The exit status for an error that stopped a command.
    static func of(_ error: ReconciliationError) -> Int32 {
        error.isUsageError ? usage : failed
    }
}

/// Prints to standard error.
func printError(_ text: String) {
    var stream = StandardError()
    print(text, to: &stream)
}

/// Standard error as a text stream.
struct StandardError: TextOutputStream {
    mutating func write(_ string: String) {
        var text = string
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count, let base = bytes.baseAddress {
                let written = systemWrite(2, base + offset, bytes.count - offset)
                if written <= 0 { break }
                offset += written
            }
        }
    }
}
