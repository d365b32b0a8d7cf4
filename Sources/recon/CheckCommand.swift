import ArgumentParser
import Foundation
import Reconciliation

/// `recon check JOB` (or `recon run JOB --dry-run`): what a run would do, writing nothing.
struct CheckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Check a job without running it: read every input as a run would, print the plan, write nothing.",
        discussion: """
            Loads and validates the job, resolves {as_of} templates and globs, reads every input exactly as a run \
            would (formats detected, rows, diagnostics), reconciles in memory and prints the lines a run would \
            classify, the tolerance rule behind them (each line's with --lines) and the rules that can never apply. Writes no report, audit \
            record, archive copy, repository row or lock file.
            Exit 0 ready, 2 an input would fail, 64 job-file error.

            Examples:
              recon check jobs/eod-sample.yaml
              recon check jobs/eod-dated.yaml --as-of 2026-11-24
              recon check jobs/eod-sample.yaml --lines
            """
    )

    @Argument(help: "The job file (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var job: String

    @Option(name: .long, help: "Check this business day, YYYY-MM-DD (overrides as_of and RECON_AS_OF).")
    var asOf: String?

    @Flag(name: .long, help: "Print the plan as one JSON document.")
    var json = false

    @Flag(name: .long, help: "Print nothing on stdout (the exit status says ready or not).")
    var quiet = false

    @Flag(name: .long, help: "List every line with its classification and the tolerance rule it would get.")
    var lines = false

    func run() throws {
        try Self.check(job: job, asOf: asOf, json: json, quiet: quiet, lines: lines)
    }

    /// Checks `job` and exits with the plan's status.
    static func check(job: String, asOf: String?, json: Bool = false, quiet: Bool = false, lines: Bool = false)
        throws
    {
        let spec = try loadJob(job, overrides: JobOverrides(asOf: asOf))
        let plan = ReconciliationJob(spec: spec, environment: .live()).plan()
        if json {
            printJSON(plan.jsonValue)
        } else if !quiet {
            print(PlanSummary(listsLines: lines).render(plan), terminator: "")
        }
        throw ExitCode(plan.exitStatus)
    }
}
