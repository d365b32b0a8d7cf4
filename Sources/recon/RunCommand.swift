import ArgumentParser
import Foundation
import Reconciliation

/// `recon run JOB`: the end-of-day job.
struct RunCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run a reconciliation job.",
        discussion: """
            Reads every input of the job, reconciles ledger against statements, writes the reports, prints a summary.
            Exit 0 reconciled, 1 breaks, 2 an input or the run failed, 64 job-file error.

            Examples:
              recon run jobs/eod-sample.yaml
              recon run jobs/eod-sample.yaml --out /tmp/eod --quiet
              RECON_REPORT_DIR=/srv/reports recon run jobs/eod.yaml --json
            """
    )

    @Argument(help: "The job file (YAML).")
    var job: String

    @Option(name: .long, help: "Write reports to this directory (overrides report.dir and RECON_REPORT_DIR).")
    var out: String?

    @Option(name: .long, help: "Log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String?

    @Flag(name: .long, help: "Print nothing on stdout.")
    var quiet = false

    @Flag(name: .long, help: "Print the machine summary (JSON) instead of the table.")
    var json = false

    func run() throws {
        let environment = RunEnvironment.live()
        let spec: JobSpec
        do {
            spec = try JobSpec.load(
                path: job, environment: environment.variables,
                overrides: JobOverrides(reportDirectory: out, logLevel: logLevel),
                currentDirectory: environment.currentDirectory)
        } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.of(error))
        }
        let outcome: RunOutcome
        do {
            outcome = try ReconciliationJob(spec: spec, environment: environment).run()
        } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.of(error))
        }
        for input in outcome.report.inputs {
            for diagnostic in input.diagnostics where diagnostic.severity >= .warning {
                printError(diagnostic.description)
            }
            if let failure = outcome.inputs.first(where: { $0.spec.name == input.name })?.failure {
                printError(failure.description)
            }
        }
        if json {
            print(machineSummary(outcome).prettyEncoded(), terminator: "")
        } else if !quiet {
            let color = isTerminal(1) && environment.variables["NO_COLOR"] == nil
            print(TerminalSummary(color: color).render(outcome.report, files: outcome.files), terminator: "")
        }
        throw ExitCode(outcome.report.exitStatus)
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
