import ArgumentParser
import Foundation
import Reconciliation

/// `recon replay RUN_ID`: re-run a recorded batch and compare.
struct ReplayCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "replay",
        abstract: "Re-run a recorded run with its recorded configuration and inputs, and compare the results.",
        discussion: """
            Reads the run's configuration and as-of from the audit file, takes every input from the archive (by
            SHA-256) or from --inputs DIR (at its recorded path), checks every input's hash, runs, and compares the
            result digest with the recorded one: "identical" (exit 0), or the differences (exit 1).

            Examples:
              recon replay RUN_ID --audit out/audit.jsonl --archive out/archive
              recon replay RUN_ID --audit out/audit.jsonl --inputs .
              recon replay RUN_ID --audit out/audit.jsonl --repository out/recon.sqlite
            """
    )

    @Argument(
        help: "The run id (see `recon history`).",
        completion: .shellCommand(
            "recon history --repository \"${RECON_REPOSITORY:-out/recon.sqlite}\" --ids 2>/dev/null"))
    var runID: String

    @Option(name: .long, help: "The audit file that recorded the run.", completion: .file(extensions: ["jsonl"]))
    var audit: String

    @Option(name: .long, help: "The input archive (inputs by SHA-256).", completion: .directory)
    var archive: String?

    @Option(name: .long, help: "A directory holding the inputs at their recorded paths.")
    var inputs: String?

    @Option(name: .long, help: "Write the replay's reports here.")
    var out: String?

    @Option(name: .long, help: "The run repository holding the recorded lines (for a line-by-line diff).")
    var repository: String?

    func validate() throws {
        if archive != nil && inputs != nil { throw ValidationError("give --archive or --inputs, not both") }
    }

    func run() throws {
        let replayer = Replayer(
            runID: runID, auditPath: audit, archiveDirectory: archive, inputsDirectory: inputs, reportDirectory: out,
            repositoryPath: repository ?? ProcessInfo.processInfo.environment["RECON_REPOSITORY"],
            currentDirectory: FileManager.default.currentDirectoryPath)
        let outcome: Replayer.Outcome
        outcome = try exitOnError { () throws(ReconciliationError) in try replayer.replay() }
        for problem in outcome.inputProblems { print(TerminalText.escape(problem)) }
        if outcome.identical {
            print("identical: \(runID) replays to \(outcome.replayedDigest)")
            return
        }
        if outcome.recordedDigest != outcome.replayedDigest {
            print("differs: recorded \(outcome.recordedDigest), replayed \(outcome.replayedDigest)")
            print("(\(outcome.diffSource))")
            for difference in outcome.differences { print("  " + TerminalText.escape(difference)) }
        }
        throw ExitCode(ExitStatus.breaks)
    }
}
