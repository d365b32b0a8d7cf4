import ArgumentParser
import Foundation
import Logging
import Reconciliation

/// `recon run JOB`: the end-of-day job.
struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a reconciliation job.",
        discussion: """
            Reads every input of the job, reconciles ledger against statements,
            writes the reports (and the audit file, archive and run repository when
            configured), prints a summary. With --fetch, the job's `fetch:` inputs
            are fetched from the venues first, as `recon fetch` does.
            Exit 0 reconciled, 1 breaks, 2 an input or the run failed, 64 job-file
            error.

            Examples:
              recon run jobs/eod-sample.yaml
              recon run jobs/eod-dated.yaml --as-of 2026-11-24
              recon run jobs/eod-sample.yaml --out /tmp/eod --quiet
              recon run jobs/eod-sample.yaml --dry-run
              RECON_REPORT_DIR=/tmp/eod recon run jobs/eod-sample.yaml --json
              recon run jobs/eod-sample.yaml --metrics-file /tmp/recon.prom
              recon run jobs/eod-fetch.yaml --as-of 2026-11-24 --fetch --allow-skew
            """
    )

    @Argument(help: "The job file (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var job: String

    @Option(name: .long, help: "Reconcile this business day, YYYY-MM-DD (overrides as_of and RECON_AS_OF).")
    var asOf: String?

    @Option(
        name: .long, help: "Write reports to this directory (overrides report.dir and RECON_REPORT_DIR).",
        completion: .directory)
    var out: String?

    @Option(name: .long, help: "Store every input here by SHA-256 (overrides archive and RECON_ARCHIVE_DIR).")
    var archive: String?

    @Option(name: .long, help: "Append to this audit file (overrides audit.path and RECON_AUDIT_FILE).")
    var audit: String?

    @Option(name: .long, help: "Record the run in this SQLite repository (overrides repository and RECON_REPOSITORY).")
    var repository: String?

    @Option(name: .long, help: "Wait up to this many seconds when the job is already running elsewhere.")
    var wait: Double = 0

    @Option(
        name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.",
        completion: .list(JobSpec.logLevels))
    var logLevel: String?

    @Option(name: .long, help: "Log format on stderr: text or json.", completion: .list(["text", "json"]))
    var logFormat: String = "text"

    @Flag(name: .long, help: "Fetch the job's `fetch:` inputs from the venues first (like `recon fetch`), then run.")
    var fetch = false

    @Flag(name: .long, help: "With --fetch: fetch even when now is further from the cutoff than max_snapshot_skew.")
    var allowSkew = false

    @Option(
        name: .long,
        help: "Read (and with --fetch, save) fetched inputs here (overrides fetch.dir and RECON_FETCH_DIR).",
        completion: .directory)
    var fetchDir: String?

    @Flag(name: .long, help: "Print nothing on stdout.")
    var quiet = false

    @Flag(name: .long, help: "Do not run: check the job and print what a run would do, like `recon check`.")
    var dryRun = false

    @Flag(name: .long, help: "Print the machine summary (JSON) instead of the table.")
    var json = false

    @Option(
        name: .long,
        help: "Write Prometheus metrics here (atomically), for node_exporter's textfile collector; may use {as_of}.")
    var metricsFile: String?

    func run() async throws {
        if dryRun { try CheckCommand.check(job: job, asOf: asOf, json: json, quiet: quiet) }
        let environment = RunEnvironment.live()
        guard let format = StandardErrorLogHandler.Format(rawValue: logFormat) else {
            printError("error: --log-format: expected text or json, got '\(logFormat)'")
            throw ExitCode(ExitStatus.usage)
        }
        var overrides = JobOverrides(
            reportDirectory: out, logLevel: logLevel, archiveDirectory: archive, auditPath: audit,
            repositoryPath: repository, asOf: asOf)
        overrides.fetchDirectory = fetchDir
        func load() throws -> JobSpec {
            do {
                return try JobSpec.load(
                    path: job, environment: environment.variables, overrides: overrides,
                    currentDirectory: environment.currentDirectory)
            } catch {
                throw failure(error)
            }
        }
        if allowSkew && !fetch { throw usageError("--allow-skew applies to --fetch; add --fetch, or leave it out") }
        var spec = try load()
        if fetch {
            guard spec.statements.contains(where: { $0.fetch != nil }) else {
                throw usageError("--fetch: no statement input of \(job) has a `fetch:` block")
            }
            // An input that could not be fetched fails in the run (partial); the others reconcile. Loading the job
            // again points the fetched inputs at what was just saved.
            _ = try await FetchCommand.fetch(
                spec, only: nil, environment: environment, quiet: quiet || json, wait: wait, allowsSkew: allowSkew)
            spec = try load()
        }
        var metricsPath: String?
        if let metricsFile {
            do throws(CutoffError) {
                metricsPath = try PathTemplate.expand(metricsFile, asOf: spec.asOf)
            } catch {
                printError("error: --metrics-file: \(error.message)")
                throw ExitCode(ExitStatus.usage)
            }
        }
        Logs.bootstrap(level: spec.logLevel, format: format)
        let logger = Logger(label: "recon")

        let service = ReconciliationActor(environment: environment)
        let progress = !quiet && !json && isTerminal(2) ? ProgressDisplay() : nil
        progress?.start()
        var options = RunOptions(waitSeconds: wait)
        if let progress {
            options.progress = { @Sendable spec in progress.counter(for: spec) }
        }
        let handle = await service.start(spec, options: options)
        for await event in handle.events { Self.log(event, to: logger) }
        progress?.stop()
        let outcome: RunOutcome
        do {
            outcome = try await handle.outcome()
        } catch {
            throw failure(error)
        }
        // By name, once: looked up per input, the failures of a 10,000-input job cost 10^8 comparisons.
        let failures = Dictionary(
            outcome.inputs.compactMap { input in input.failure.map { (input.spec.name, $0) } },
            uniquingKeysWith: { a, _ in a })
        for input in outcome.report.inputs {
            for diagnostic in input.diagnostics where diagnostic.severity >= .warning {
                // A finding with no place in a file (a snapshot's time, from the job or a fetch) names its input.
                let text =
                    diagnostic.location == nil
                    ? "\(diagnostic.severity.rawValue): \(input.name): \(diagnostic.message)" : diagnostic.description
                printError(
                    StandardErrorLogHandler.line(
                        TerminalText.escape(text),
                        level: diagnostic.severity == .error ? .error : .warning, format: format))
            }
            if let failure = failures[input.name] {
                printError(
                    StandardErrorLogHandler.line(
                        TerminalText.escape(failure.description), level: .error, format: format))
            } else if input.side == .reference, input.failed, let error = input.error {
                // A reference file (acknowledgements, prices, calendar) has no input outcome; its error is its own.
                printError(StandardErrorLogHandler.line(TerminalText.escape(error), level: .error, format: format))
            }
        }
        for warning in outcome.warnings {
            printError(
                StandardErrorLogHandler.line(
                    format == .json ? TerminalText.escape(warning) : "warning: " + TerminalText.escape(warning),
                    level: .warning, format: format))
        }
        if let metricsFile = metricsPath {
            do {
                try PrometheusMetrics.write(
                    PrometheusMetrics.render(
                        outcome.report, durationSeconds: outcome.durationSeconds,
                        finishedAtSeconds: outcome.finishedAtSeconds),
                    to: metricsFile)
            } catch {
                // The run is complete and its report.json states its exit status: a metrics file that cannot be
                // written is a warning, not another outcome.
                printError("warning: " + TerminalText.escape(error.description))
            }
        }
        if json {
            printJSON(machineSummary(outcome))
        } else if !quiet {
            let color = isTerminal(1) && environment.variables["NO_COLOR"] == nil
            print(TerminalSummary(color: color).render(outcome.report, files: outcome.files), terminator: "")
        }
        // The process ends with this status: the run's lines and balances (1.3 GB at 1.5M keys) are left for the exit
        // to reclaim at once, not freed one allocation at a time (0.3 s after every file was written).
        KeptUntilExit.keep(outcome)
        throw ExitCode(outcome.report.exitStatus)
    }

    /// Prints an error that stopped the command — also as a JSON object on stdout with `--json` — and returns the exit
    /// to throw.
    private func failure(_ error: ReconciliationError) -> ExitCode {
        let status = ExitStatus.of(error)
        printError(
            StandardErrorLogHandler.line(
                TerminalText.escape(error.description), level: .error,
                format: StandardErrorLogHandler.Format(rawValue: logFormat) ?? .text))
        if json {
            printJSON(.object(["error": .string(error.description), "exit_status": .integer(Int(status))]))
        }
        return ExitCode(status)
    }

    /// What the run says in the log: names, counts and paths, never amounts of a statement or a credential.
    static func log(_ event: RunEvent, to logger: Logger) {
        switch event {
        case .started(let runID, let job, let asOf):
            logger.info("run started", metadata: ["run_id": "\(runID)", "job": "\(job)", "as_of": "\(asOf)"])
        case .inputLoaded(let input, let seconds):
            let metadata: Logger.Metadata = [
                "seconds": .stringConvertible(LogNumber(seconds: seconds)),
                "input": "\(input.name)", "side": "\(input.side.rawValue)",
                "records": .stringConvertible(input.recordCount), "balances": .stringConvertible(input.balanceCount),
                "format": "\(input.files.map(\.format).joined(separator: ","))",
            ]
            if input.failed {
                // Where, not what: an error quotes the cell it could not read, and logs carry no statement amounts.
                let place = input.error.map { $0.components(separatedBy: ": error:").first ?? "" } ?? ""
                logger.error(
                    "input failed (the error is on stderr and in the report)",
                    metadata: metadata.merging(["error_at": "\(place)"]) { $1 })
            } else {
                logger.info("input loaded", metadata: metadata)
            }
        case .linesClassified(let lines):
            for line in lines where line.classification.isBreak {
                logger.debug(
                    "break", metadata: ["key": "\(line.key)", "classification": "\(line.classification.rawValue)"])
            }
            if logger.logLevel <= .trace {
                for line in lines where !line.classification.isBreak {
                    logger.trace(
                        "line", metadata: ["key": "\(line.key)", "classification": "\(line.classification.rawValue)"])
                }
            }
        case .stageFinished(let stage, let seconds):
            logger.debug(
                "stage finished",
                metadata: ["stage": "\(stage)", "seconds": .stringConvertible(LogNumber(seconds: seconds))])
        case .reportWritten(let file):
            logger.info("report written", metadata: ["path": "\(file.displayPath)", "sha256": "\(file.sha256)"])
        case .completed(let report):
            logger.notice(
                "run completed",
                metadata: [
                    "run_id": "\(report.runID)", "status": "\(report.status.rawValue)",
                    "breaks": .stringConvertible(report.breakCount),
                    "result_digest": "\(report.resultDigest)",
                ])
        case .failed(let error):
            logger.error("run failed", metadata: ["error": "\(error.description)"])
        case .notice(let text):
            logger.warning("\(text)")
        }
    }

    private func machineSummary(_ outcome: RunOutcome) -> JSONValue {
        let report = outcome.report
        return .object([
            "run_id": .string(report.runID),
            "job": .string(report.job),
            "as_of": .string(report.asOf),
            "status": .string(report.status.rawValue),
            "exit_status": .integer(report.exitStatus),
            "result_digest": .string(report.resultDigest),
            "counts": ReconciliationReport.countsJSON(report.result.counts),
            "breaks": .integer(report.breakCount),
            "failed_inputs": .array(report.inputs.filter(\.failed).map { .string($0.name) }),
            "reports": .array(outcome.files.map { .string($0.displayPath) }),
        ])
    }
}

/// What the process keeps until it exits rather than freeing it on the way out.
enum KeptUntilExit {
    private final class Box<Value> {
        let value: Value
        init(_ value: Value) { self.value = value }
    }

    /// Keeps `value` (its storage stays referenced) until the process exits.
    static func keep<Value>(_ value: Value) {
        _ = Unmanaged.passRetained(Box(value))
    }
}
