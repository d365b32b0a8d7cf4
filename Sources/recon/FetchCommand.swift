import ArgumentParser
import Foundation
import ReconFetch
import Reconciliation

/// `recon fetch JOB`: save what the venues' APIs say, for a run to read.
struct FetchCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fetch",
        abstract: "Fetch the job's statements from the venues' APIs into its batch folder.",
        discussion: """
            Saves every response page of each input with a `fetch:` block, byte for
            byte, under the job's fetch.dir (default ../batches/{as_of} beside the
            job's folder) as INPUT/page-0001.json ..., and fetch.json: every request's
            URL (without secrets), status, rate-limit headers, attempts, durations,
            size and SHA-256. `recon run` then reads them like files; `recon replay`
            never calls a venue. Inputs are fetched concurrently; one failing fails
            that input only.

            A balance API answers as of now: a fetch further from the cutoff than
            max_snapshot_skew is refused (nothing of an earlier fetch is touched)
            unless --allow-skew says to go ahead; the run then says on every line
            when the balances were taken. A scheduler fetches at the cutoff.

            Exit 0 every input fetched, 2 some failed (the others are saved), 64
            usage or job-file error. docs/FETCH.md has the details.

            Examples:
              recon fetch jobs/eod-fetch.yaml --as-of 2026-11-24 --allow-skew
              recon fetch jobs/eod-fetch.yaml --input coinbase --input kraken --allow-skew
              recon fetch jobs/eod-fetch.yaml --into /tmp/batch --allow-skew
            """
    )

    @Argument(help: "The job file (YAML).", completion: .file(extensions: ["yaml", "yml"]))
    var job: String

    @Option(name: .long, help: "Fetch for this business day, YYYY-MM-DD (overrides as_of and RECON_AS_OF).")
    var asOf: String?

    @Option(
        name: .long, help: "Save into this folder (overrides fetch.dir and RECON_FETCH_DIR; may use {as_of}).",
        completion: .directory)
    var into: String?

    @Option(name: .long, help: "Fetch only this input (repeatable); the batch keeps the others' pages.")
    var input: [String] = []

    @Option(name: .long, help: "Wait up to this many seconds when the job is running or fetching elsewhere.")
    var wait: Double = 0

    @Flag(
        name: .long,
        help: "Fetch even when now is further from the cutoff than max_snapshot_skew (the lines then say when).")
    var allowSkew = false

    @Flag(name: .long, help: "Print nothing on stdout.")
    var quiet = false

    @Flag(name: .long, help: "Print what was fetched as JSON.")
    var json = false

    func run() async throws {
        let environment = RunEnvironment.live()
        var overrides = JobOverrides(asOf: asOf)
        overrides.fetchDirectory = into
        let spec = try exitOnError { () throws(ReconciliationError) in
            try JobSpec.load(
                path: job, environment: environment.variables, overrides: overrides,
                currentDirectory: environment.currentDirectory)
        }
        let fetched = spec.statements.filter { $0.fetch != nil }.map { $0.name }
        guard !fetched.isEmpty else {
            throw usageError("\(job): no statement input has a `fetch:` block; there is nothing to fetch")
        }
        for name in input where !fetched.contains(name) {
            let hint = Spelling.closest(to: name, among: fetched).map { "did you mean '\($0)'? " } ?? ""
            throw usageError(
                "--input \(name): no fetched input has that name; \(hint)fetched inputs: "
                    + fetched.joined(separator: ", "))
        }
        let outcome = try await Self.fetch(
            spec, only: input.isEmpty ? nil : input, environment: environment, quiet: quiet, wait: wait,
            allowsSkew: allowSkew)
        if json {
            printJSON(Self.summary(outcome))
        } else if !quiet {
            let paths = PathResolver(currentDirectory: environment.currentDirectory)
            print(Self.table(outcome, directory: paths.display(outcome.directory)), terminator: "")
        }
        throw ExitCode(outcome.succeeded ? ExitStatus.reconciled : ExitStatus.failed)
    }

    /// Fetches, printing retries as notes and failures as errors on stderr. The job's lock is held meanwhile, so a
    /// run of the job never reads a batch while its pages are being replaced (and two fetches never interleave).
    static func fetch(
        _ spec: JobSpec, only: [String]?, environment: RunEnvironment, quiet: Bool, wait: Double = 0,
        allowsSkew: Bool = false
    ) async throws -> FetchOutcome {
        let lock: JobLock
        do {
            lock = try await JobLock.acquire(
                job: spec.name, directory: JobLock.defaultDirectory(environment: environment.variables), wait: wait)
        } catch {
            printError(error.description)
            throw ExitCode(ExitStatus.of(error))
        }
        defer { withExtendedLifetime(lock) {} }
        var fetcher = Fetcher(environment: environment.variables)
        fetcher.allowsSkew = allowsSkew
        if !quiet { fetcher.log = { line in printError("note: " + TerminalText.escape(line)) } }
        let outcome = await fetcher.fetch(spec, only: only)
        for input in outcome.inputs {
            if let failure = input.failure { printError("error: fetch failed: " + TerminalText.escape(failure)) }
        }
        if let failure = outcome.manifestFailure { printError("error: " + TerminalText.escape(failure)) }
        return outcome
    }

    static func table(_ outcome: FetchOutcome, directory: String) -> String {
        var text = ""
        let width = outcome.inputs.map(\.name.count).max() ?? 0
        for input in outcome.inputs {
            let name = TerminalText.escape(input.name).padding(toLength: width, withPad: " ", startingAt: 0)
            if input.failure != nil {
                text += "failed   \(name)  (the error is on stderr; fetch.json records every attempt)\n"
            } else {
                let retries = input.retries == 0 ? "" : ", \(input.retries) retr\(input.retries == 1 ? "y" : "ies")"
                text +=
                    "fetched  \(name)  \(input.pages) page\(input.pages == 1 ? "" : "s"), \(input.bytes) bytes, "
                    + "\(input.durationMilliseconds) ms\(retries)\n"
            }
        }
        text += "batch    \(TerminalText.escape(directory))\n"
        return text
    }

    static func summary(_ outcome: FetchOutcome) -> JSONValue {
        .object([
            "directory": .string(outcome.directory),
            "succeeded": .bool(outcome.succeeded),
            "manifest_error": .string(outcome.manifestFailure),
            "inputs": .array(
                outcome.inputs.map { input in
                    .object([
                        "name": .string(input.name), "api": .string(input.api.rawValue),
                        "status": .string(input.failure == nil ? "fetched" : "failed"), "error": .string(input.failure),
                        "pages": .integer(input.pages), "bytes": .integer(input.bytes),
                        "retries": .integer(input.retries), "duration_ms": .integer(input.durationMilliseconds),
                    ])
                }),
        ])
    }
}
