import ArgumentParser
import Foundation
import Reconciliation

/// Where the repository is: `--repository`, else `RECON_REPOSITORY`.
struct RepositoryOption: ParsableArguments {
    @Option(name: .long, help: "The run repository (SQLite); defaults to RECON_REPOSITORY.")
    var repository: String?

    func open() throws -> RunRepository {
        guard let path = repository ?? ProcessInfo.processInfo.environment["RECON_REPOSITORY"], !path.isEmpty else {
            printError("error: no run repository: give --repository FILE or set RECON_REPOSITORY")
            throw ExitCode(ExitStatus.usage)
        }
        guard FileManager.default.fileExists(atPath: path) else {
            printError("\(path): error: no such run repository")
            throw ExitCode(ExitStatus.failed)
        }
        do {
            return try RunRepository(path: path)
        } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.failed)
        }
    }
}

/// `recon history`: the runs in the repository.
struct HistoryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "history",
        abstract: "List recorded runs, newest first.",
        discussion: """
            Examples:
              recon history --repository out/recon.sqlite
              recon history --job eod-sample --since 2026-11-01
            """
    )

    @OptionGroup var location: RepositoryOption

    @Option(name: .long, help: "Only runs of this job.")
    var job: String?

    @Option(name: .long, help: "Only runs as of this day (YYYY-MM-DD) or later.")
    var since: String?

    func run() throws {
        let repository = try location.open()
        do {
            let runs = try repository.runs(job: job, since: since)
            print("run_id\tjob\tas_of\tstarted_at\tstatus\tlines\tbreaks\tresult_digest")
            for run in runs {
                print(
                    [
                        run.runID, run.job, run.asOf, run.startedAt, run.status, "\(run.lineCount)",
                        "\(run.breakCount)",
                        run.resultDigest,
                    ].joined(separator: "\t"))
            }
        } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.failed)
        }
    }
}

/// `recon show RUN_ID`: one run.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one recorded run: its status, inputs with their hashes, reports and breaks.",
        discussion: """
            Example:
              recon show eod-sample-20261124T183000Z-4f2a1c --repository out/recon.sqlite
            """
    )

    @Argument(help: "The run id.")
    var runID: String

    @OptionGroup var location: RepositoryOption

    @Flag(name: .long, help: "List every line, not only the breaks.")
    var all = false

    func run() throws {
        let repository = try location.open()
        let detail: RunRepository.RunDetail?
        do {
            detail = try repository.run(runID)
        } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.failed)
        }
        guard let detail else {
            printError("error: no run \(runID) in the repository")
            throw ExitCode(ExitStatus.failed)
        }
        let run = detail.summary
        print("run \(run.runID)\njob \(run.job), as of \(run.asOf), started \(run.startedAt)")
        print("status \(run.status) (exit \(run.exitStatus)), \(run.lineCount) lines, \(run.breakCount) breaks")
        print("result digest \(run.resultDigest)\n\ninputs:")
        for input in detail.inputs {
            print(
                "  \(input.side)\t\(input.name)\t\(input.path)\t\(input.format)\tsha256:\(input.sha256)\t\(input.status)"
            )
        }
        print("\nreports:")
        for report in detail.reports { print("  \(report.path)\tsha256:\(report.sha256)") }
        print(all ? "\nlines:" : "\nbreaks:")
        for line in detail.lines where all || !["matched", "within_tolerance"].contains(line.classification) {
            let age = line.firstSeen.map { "  since \($0) (\(line.consecutiveRuns ?? 1) runs)" } ?? ""
            print(
                "  \(line.classification)\t\(line.key)\tledger \(line.ledger ?? "—")\tstatement \(line.statement ?? "—")"
                    + "\tdiff \(line.difference ?? "—")\(age)")
        }
    }
}
