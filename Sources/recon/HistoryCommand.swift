import ArgumentParser
import Foundation
import Reconciliation

/// Where the repository is: `--repository`, else the `repository:` of the job file given with `--job`, else
/// `RECON_REPOSITORY`.
struct RepositoryOption: ParsableArguments {
    @Option(name: .long, help: "The run repository (SQLite).", completion: .file(extensions: ["sqlite"]))
    var repository: String?

    @Option(
        name: .long,
        help: "A job file (its repository, and only its runs), or a job name to list only that job's runs.",
        completion: .file(extensions: ["yaml", "yml"]))
    var job: String?

    @Option(name: .long, help: "With --job: the business day its paths name (for a repository path with {as_of}).")
    var asOf: String?

    /// The job name to filter by: the job file's name, or the value itself when it is no file.
    func jobName() throws -> String? {
        try jobFile()?.name ?? job
    }

    /// The audit file of the job file given with `--job`, if it keeps one.
    func auditPath() throws -> String? {
        try jobFile()?.audit?.path
    }

    private func jobFile() throws -> JobSpec? {
        guard let job, FileManager.default.fileExists(atPath: job) else { return nil }
        return try loadJobForHistory(job, asOf: asOf)
    }

    func open() throws -> RunRepository {
        let fromJob = try jobFile()?.repositoryPath
        guard
            let path = repository ?? fromJob ?? ProcessInfo.processInfo.environment["RECON_REPOSITORY"],
            !path.isEmpty
        else {
            printError(
                "error: no run repository: give --repository FILE, --job JOB (a job file with `repository:`), or set "
                    + "RECON_REPOSITORY")
            throw ExitCode(ExitStatus.usage)
        }
        guard FileManager.default.fileExists(atPath: path) else {
            printError("\(path): error: no such run repository")
            throw ExitCode(ExitStatus.failed)
        }
        return try exitOnError(status: ExitStatus.failed) { () throws(ReconciliationError) in
            try RunRepository(path: path)
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
              recon history --job jobs/eod-sample.yaml
              recon history --repository out/recon.sqlite --since 2026-11-01
              recon history --job jobs/eod-sample.yaml --json
            """
    )

    @OptionGroup var location: RepositoryOption

    @Option(name: .long, help: "Only runs as of this day (YYYY-MM-DD) or later.")
    var since: String?

    func validate() throws {
        if let since, !Self.isDay(since) {
            throw ValidationError("--since: expected a date YYYY-MM-DD, got '\(since)'")
        }
    }

    /// Whether `text` is a calendar day YYYY-MM-DD.
    static func isDay(_ text: String) -> Bool {
        (try? Cutoff.resolve(asOf: text, time: nil, zone: nil)) != nil
    }

    @Flag(name: .long, help: "Print the runs as a JSON array.")
    var json = false

    @Flag(name: .long, help: "Print only the run ids, one per line (for scripts and completion).")
    var ids = false

    func run() throws {
        let repository = try location.open()
        let runs: [RunRepository.RunSummary]
        do {
            // Never silently omit a completed run: runs the audit files complete but the repository missed (a kill
            // between the commit and the repository's insert) are added first.
            let audits = try repository.auditPaths() + (try location.auditPath().map { [$0] } ?? [])
            let jobs = try Set(repository.runs().map(\.job) + (location.jobName().map { [$0] } ?? []))
            for path in Set(audits).sorted() where FileManager.default.fileExists(atPath: path) {
                do {
                    for notice in try repository.level(with: AuditLog(path: path), jobs: jobs) {
                        printError("warning: " + TerminalText.escape(notice))
                    }
                } catch {
                    // A read-only copy of the repository still lists; it says what it could not check.
                    printError(
                        "warning: the run repository could not be brought level with \(TerminalText.escape(path)) "
                            + "(\(TerminalText.escape(error.message))); the list may lack runs that file completes")
                }
            }
            runs = try repository.runs(job: try location.jobName(), since: since)
        } catch let error as ReconciliationError {
            printError(error.description)
            throw ExitCode(ExitStatus.failed)
        }
        if ids {
            for run in runs { print(run.runID) }
            return
        }
        if json {
            printJSON(
                JSONValue.array(
                    runs.map { run in
                        .object([
                            "run_id": .string(run.runID), "job": .string(run.job), "as_of": .string(run.asOf),
                            "started_at": .string(run.startedAt), "status": .string(run.status),
                            "exit_status": .integer(run.exitStatus), "lines": .integer(run.lineCount),
                            "breaks": .integer(run.breakCount), "result_digest": .string(run.resultDigest),
                            "audit": .string(run.auditState),
                        ])
                    }
                ))
            return
        }
        let rows = runs.map { run in
            [
                run.runID, TerminalText.escape(run.job), run.asOf, run.startedAt, run.status, String(run.exitStatus),
                String(run.lineCount), String(run.breakCount), Self.short(run.resultDigest), run.auditState,
            ]
        }
        print(
            TerminalText.table(
                header: ["run", "job", "as_of", "started", "status", "exit", "lines", "breaks", "digest", "audit"],
                rows: rows,
                rightAligned: [5, 6, 7]), terminator: "")
    }

    /// `sha256:0123456789ab…` → `0123456789ab`.
    static func short(_ digest: String) -> String {
        String(digest.replacingOccurrences(of: "sha256:", with: "").prefix(12))
    }
}

/// `recon show RUN_ID`: one run.
struct ShowCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "show",
        abstract: "Show one recorded run: its status, inputs with their hashes, reports and breaks.",
        discussion: """
            Examples:
              recon show RUN_ID --job jobs/eod-sample.yaml
              recon show RUN_ID --repository out/recon.sqlite --all
              recon show RUN_ID --repository out/recon.sqlite --json
            """
    )

    @Argument(
        help: "The run id (`recon history` lists them).",
        completion: .shellCommand(
            "recon history --repository \"${RECON_REPOSITORY:-out/recon.sqlite}\" --ids 2>/dev/null"))
    var runID: String

    @OptionGroup var location: RepositoryOption

    @Flag(name: .long, help: "List every line, not only the breaks.")
    var all = false

    @Flag(name: .long, help: "Print the run as a JSON object.")
    var json = false

    func run() throws {
        let repository = try location.open()
        let runID = self.runID
        let detail = try exitOnError(status: ExitStatus.failed) { () throws(ReconciliationError) in
            try repository.run(runID)
        }
        guard let detail else {
            printError("error: no run \(runID) in the repository (`recon history` lists the runs)")
            throw ExitCode(ExitStatus.failed)
        }
        let run = detail.summary
        if let name = try location.jobName(), name != detail.summary.job {
            printError("error: run \(runID) is a run of job '\(detail.summary.job)', not '\(name)'")
            throw ExitCode(ExitStatus.usage)
        }
        let lines = detail.lines.filter { all || $0.isBreak }
        let unreconciled = detail.lines.filter { $0.classification == "unreconciled" }
        if json {
            printJSON(Self.json(detail, lines: lines))
            return
        }
        print("run \(run.runID)\njob \(TerminalText.escape(run.job)), as of \(run.asOf), started \(run.startedAt)")
        print(
            "status \(run.status) (exit \(run.exitStatus)), \(TerminalText.count(run.lineCount, "line")), "
                + TerminalText.count(run.breakCount, "break"))
        print("result digest \(run.resultDigest)\n\ninputs:")
        print(
            TerminalText.table(
                header: ["side", "input", "path", "format", "sha256", "status"],
                rows: detail.inputs.map {
                    [
                        $0.side, TerminalText.escape($0.name), TerminalText.escape($0.path), $0.format,
                        String($0.sha256.prefix(12)), $0.status,
                    ]
                }, indent: "  "), terminator: "")
        print("\nreports:")
        print(
            TerminalText.table(
                header: ["path", "sha256"],
                rows: detail.reports.map { [TerminalText.escape($0.path), String($0.sha256.prefix(12))] }, indent: "  "),
            terminator: "")
        let failed = detail.inputs.filter { $0.status == "failed" && $0.error != nil }
        if !failed.isEmpty {
            print("\nfailed inputs:")
            for input in failed {
                print("  \(TerminalText.escape(input.name)): \(TerminalText.escape(input.error ?? ""))")
            }
        }
        if !all && !unreconciled.isEmpty {
            print(
                "\n\(TerminalText.count(unreconciled.count, "line")) not reconciled (an input failed; not breaks): --all lists them"
            )
        }
        print(all ? "\nlines:" : "\nbreaks:")
        let rows = lines.map { line in
            [
                line.classification, TerminalText.escape(line.key.description), line.ledger ?? "—",
                line.statement ?? "—", line.difference ?? "—",
                line.firstSeen.map { first in
                    "since \(first)" + (line.ageDays.map { " (\(TerminalText.count($0, "business day")))" } ?? "")
                } ?? "",
            ]
        }
        print(
            TerminalText.table(
                header: ["classification", "key", "ledger", "statement", "difference", "age"], rows: rows,
                rightAligned: [2, 3, 4], indent: "  "), terminator: "")
    }

    static func json(_ detail: RunRepository.RunDetail, lines: [RunRepository.StoredLine]) -> JSONValue {
        let run = detail.summary
        return .object([
            "run_id": .string(run.runID), "job": .string(run.job), "as_of": .string(run.asOf),
            "started_at": .string(run.startedAt), "status": .string(run.status),
            "exit_status": .integer(run.exitStatus), "lines": .integer(run.lineCount),
            "breaks": .integer(run.breakCount), "result_digest": .string(run.resultDigest),
            "inputs": .array(
                detail.inputs.map {
                    .object([
                        "side": .string($0.side), "name": .string($0.name), "path": .string($0.path),
                        "format": .string($0.format), "sha256": .string($0.sha256), "status": .string($0.status),
                    ])
                }),
            "reports": .array(
                detail.reports.map { .object(["path": .string($0.path), "sha256": .string($0.sha256)]) }),
            "listed_lines": .array(
                lines.map {
                    .object([
                        "venue": .string($0.key.venue), "account": .string($0.key.account),
                        "asset": .string($0.key.asset), "classification": .string($0.classification),
                        "ledger": .string($0.ledger), "statement": .string($0.statement),
                        "difference": .string($0.difference), "first_seen": .string($0.firstSeen),
                        "age_days": $0.ageDays.map { .integer($0) } ?? .null,
                    ])
                }),
        ])
    }
}
