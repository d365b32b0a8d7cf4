import ArgumentParser
import Foundation
import Reconciliation

/// `recon ack`: acknowledge a recorded break (a known, explained difference), or approve an acknowledgement.
struct AckCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ack",
        abstract: "Acknowledge a recorded break, or approve an acknowledgement (four eyes).",
        discussion: """
            An acknowledgement explains a break's exact difference; once someone other than its author approves it,
            runs classify that break `acknowledged` (not a break for the exit status) until it expires or the
            difference changes. Both commands edit the job's `acknowledgements:` file in place, keeping its comments
            and order, and record the change in the job's audit file.

            Examples:
              recon ack RUN_ID otc/desk-7/USDC --job jobs/eod-sample.yaml \\
                --reason "desk fee settles T+1 (OPS-1260)" --by alice --expires 2026-12-31
              recon ack approve otc/desk-7/USDC --job jobs/eod-sample.yaml --by bob
            """,
        subcommands: [AckAddCommand.self, AckApproveCommand.self],
        defaultSubcommand: AckAddCommand.self
    )
}

/// `recon ack RUN_ID KEY`: appends an acknowledgement of the run's break, its difference copied exactly.
struct AckAddCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "add",
        abstract: "Acknowledge a break recorded in a run (its exact difference is copied from the run).",
        discussion: """
            Examples:
              recon ack RUN_ID otc/desk-7/USDC --job jobs/eod-sample.yaml \\
                --reason "desk fee settles T+1 (OPS-1260)" --by alice --expires 2026-12-31
            """
    )

    @Argument(
        help: "The run that recorded the break (`recon history` lists them).",
        completion: .shellCommand(
            "recon history --repository \"${RECON_REPOSITORY:-out/recon.sqlite}\" --ids 2>/dev/null"))
    var runID: String

    @Argument(help: "The break's key, VENUE/ACCOUNT/ASSET (as reports print it).")
    var key: String

    @OptionGroup var target: AckTarget

    @Option(name: .long, help: "Why the difference is expected (a ticket reference helps).")
    var reason: String

    @Option(name: .long, help: "Who acknowledges it.")
    var by: String

    @Option(name: .long, help: "The last as-of day it explains (YYYY-MM-DD).")
    var expires: String?

    @Option(name: .long, help: "Also explain a difference this close to the recorded one (an exact decimal).")
    var within: String?

    func run() throws {
        let parsedKey = try AckTarget.parseKey(key)
        var within: Amount?
        if let text = self.within {
            guard let value = Amount(text), !value.isNegative else {
                throw AckTarget.usage("--within: expected a non-negative decimal, got '\(text)'")
            }
            within = value
        }
        // The run first (its day names the files of a dated job), then its line.
        let located = try target.job(asOf: nil)
        guard let repositoryPath = located.repositoryPath else {
            throw AckTarget.usage("the job has no `repository:`; the break's difference is read from a recorded run")
        }
        let runID = self.runID
        let detail = try exitOnError(status: ExitStatus.failed) { () throws(ReconciliationError) in
            try RunRepository(path: repositoryPath).run(runID)
        }
        guard let detail, detail.summary.job == located.name else {
            printError("error: no run \(runID) of job \(located.name) in the repository (`recon history` lists them)")
            throw ExitCode(ExitStatus.failed)
        }
        let spec = detail.summary.asOf == located.asOf ? located : try target.job(asOf: detail.summary.asOf)
        if let expires, !isCalendarDate(expires) {
            throw AckTarget.usage("--expires: expected a date YYYY-MM-DD, got '\(expires)'")
        }
        if let expires, expires < detail.summary.asOf {
            throw AckTarget.usage(
                "--expires \(expires) is before the run's business day \(detail.summary.asOf): the acknowledgement "
                    + "would never explain this break")
        }
        guard let line = detail.lines.first(where: { $0.key == parsedKey }) else {
            printError("error: run \(runID) has no line for \(TerminalText.escape(parsedKey.description))")
            throw ExitCode(ExitStatus.failed)
        }
        guard line.isBreak, let differenceText = line.difference, let difference = Amount(differenceText) else {
            let why =
                line.classification == "conflict"
                ? "a conflict has no single difference to acknowledge"
                : "it is \(line.classification), not a break"
            printError("error: \(TerminalText.escape(parsedKey.description)) in run \(runID): \(why)")
            throw ExitCode(ExitStatus.failed)
        }
        let file = try AckTarget.file(of: spec)
        let added = try exitOnError {
            () throws(ReconciliationError) -> Acknowledgement in
            try file.add(
                key: parsedKey, difference: difference, within: within, reason: reason, by: by, expires: expires,
                runID: runID, audit: AckTarget.audit(of: spec), time: AckTarget.now())
        }
        print(
            "\(added.location): acknowledged \(TerminalText.escape(parsedKey.description)) difference "
                + "\(added.difference) by \(TerminalText.escape(added.by)); it explains nothing until someone else "
                + "approves it (recon ack approve)")
    }
}

/// `recon ack approve KEY --by NAME`: fills `approved_by` of the key's acknowledgement waiting for approval.
struct AckApproveCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "approve",
        abstract: "Approve the acknowledgement of a key that waits for approval (never your own).",
        discussion: """
            Examples:
              recon ack approve otc/desk-7/USDC --job jobs/eod-sample.yaml --by bob
            """
    )

    @Argument(help: "The key, VENUE/ACCOUNT/ASSET.")
    var key: String

    @OptionGroup var target: AckTarget

    @Option(name: .long, help: "Who approves it (not its author).")
    var by: String

    @Option(name: .long, help: "The entry's line in the file, when several of the key wait for approval.")
    var line: Int?

    func run() throws {
        let parsedKey = try AckTarget.parseKey(key)
        let spec = try target.job(asOf: target.asOf)
        let file = try AckTarget.file(of: spec)
        let approved = try exitOnError {
            () throws(ReconciliationError) -> Acknowledgement in
            try file.approve(
                key: parsedKey, by: by, line: line, audit: AckTarget.audit(of: spec), time: AckTarget.now())
        }
        print(
            "\(approved.location): approved by \(TerminalText.escape(by)): "
                + TerminalText.escape(approved.summary))
    }
}

/// The job whose acknowledgements file is edited.
struct AckTarget: ParsableArguments {
    @Option(
        name: .long, help: "The job file (its `acknowledgements:`, repository and audit file).",
        completion: .file(extensions: ["yaml", "yml"]))
    var job: String

    @Option(name: .long, help: "The business day, for a dated job whose paths name it.")
    var asOf: String?

    /// The job, for `asOf` (else the file's, `RECON_AS_OF`, or — for a dated job — today, to find its repository).
    func job(asOf day: String?) throws -> JobSpec {
        try loadJobForHistory(job, asOf: day ?? asOf)
    }

    static func file(of spec: JobSpec) throws -> AcknowledgementFile {
        guard let file = spec.acknowledgements else {
            throw usage("the job has no `acknowledgements:` file to write to; add `acknowledgements: PATH` to it")
        }
        return AcknowledgementFile(path: file.path, displayPath: file.displayPath)
    }

    static func audit(of spec: JobSpec) -> AuditLog? {
        if spec.audit == nil {
            printError(
                "warning: the job has no `audit:` file: this change is recorded nowhere but in the acknowledgements file"
            )
        }
        return spec.audit.map { audit in
            let directory = RunEnvironment.live().currentDirectory + "/"
            let display = audit.path.hasPrefix(directory) ? String(audit.path.dropFirst(directory.count)) : audit.path
            return AuditLog(path: audit.path, displayPath: display)
        }
    }

    static func now() -> String {
        ISO8601DateFormatter().string(from: Date())
    }

    /// `VENUE/ACCOUNT/ASSET`: the first part is the venue, the last the asset, the rest the account (which may hold
    /// `/`, as dYdX subaccounts do).
    static func parseKey(_ text: String) throws -> BalanceKey {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false).map(String.init)
        guard parts.count >= 3, !parts[0].isEmpty, !parts[parts.count - 1].isEmpty else {
            throw usage("expected a key VENUE/ACCOUNT/ASSET (as reports print it), got '\(text)'")
        }
        return BalanceKey(
            venue: parts[0].lowercased(), account: parts[1..<(parts.count - 1)].joined(separator: "/"),
            asset: parts[parts.count - 1].uppercased())
    }

    static func usage(_ message: String) -> any Error { usageError(message) }
}
