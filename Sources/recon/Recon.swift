import ArgumentParser
import Foundation
import Logging
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
            RunCommand.self, FetchCommand.self, CheckCommand.self, InspectCommand.self, FormatsCommand.self,
            AuditCommand.self,
            ReplayCommand.self, HistoryCommand.self,
            ShowCommand.self, AckCommand.self, GenerateCommand.self,
        ]
    )
}

extension Recon {
    /// Parses and runs the command line; an unknown subcommand gets a "did you mean", and with `--json` every error
    /// (usage errors included) is also a JSON object on stdout, so a machine caller always has one to read.
    static func main() async {
        Allocator.useOneArena()
        let arguments = Array(CommandLine.arguments.dropFirst())
        let names = configuration.subcommands.compactMap { $0.configuration.commandName } + ["help"]
        if let first = arguments.first, !first.hasPrefix("-"), !names.contains(first) {
            let hint = Spelling.closest(to: first, among: names).map { "did you mean '\($0)'? " } ?? ""
            fail(
                "unknown command '\(first)'; \(hint)commands: \(names.dropLast().joined(separator: ", "))",
                status: ExitStatus.usage, json: arguments.contains("--json"))
        }
        // The same for a command's own subcommands (`recon audit verfy`).
        if arguments.count > 1,
            let command = configuration.subcommands.first(where: {
                $0.configuration.commandName == arguments[0]
            }), !command.configuration.subcommands.isEmpty, command.configuration.defaultSubcommand == nil,
            !arguments[1].hasPrefix("-")
        {
            let subnames = command.configuration.subcommands.compactMap { $0.configuration.commandName }
            if !subnames.contains(arguments[1]) {
                let hint = Spelling.closest(to: arguments[1], among: subnames).map { "did you mean '\($0)'? " } ?? ""
                fail(
                    "unknown command '\(arguments[0]) \(arguments[1])'; \(hint)commands: "
                        + subnames.map { "\(arguments[0]) \($0)" }.joined(separator: ", "),
                    status: ExitStatus.usage, json: arguments.contains("--json"))
            }
        }
        do {
            var command = try parseAsRoot(arguments)
            if var asyncCommand = command as? any AsyncParsableCommand {
                try await asyncCommand.run()
            } else {
                try command.run()
            }
        } catch {
            let status = exitCode(for: error).rawValue
            // With --log-format json, stderr carries JSON lines only: a usage error too.
            if let position = arguments.firstIndex(of: "--log-format"),
                arguments.dropFirst(position + 1).first == "json",
                !(error is ExitCode), status != 0
            {
                var message = fullMessage(for: error)
                if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
                var stream = StandardError()
                print(StandardErrorLogHandler.line(message, level: .error, format: .json), to: &stream)
                if arguments.contains("--json") {
                    printJSON(.object(["error": .string(message), "exit_status": .integer(Int(status))]))
                }
                Foundation.exit(status)
            }
            if arguments.contains("--json") && status != 0 && !MachineOutput.printed {
                if error is ExitCode {
                    // The command said why on stderr; say it on stdout too.
                    printJSON(
                        .object([
                            "error": .string(MachineOutput.lastError ?? "failed"), "exit_status": .integer(Int(status)),
                        ]))
                    Foundation.exit(status)
                }
                var message = fullMessage(for: error)
                if message.hasPrefix("Error: ") { message.removeFirst("Error: ".count) }
                fail(message, status: status, json: true)
            }
            exit(withError: error)
        }
    }

    /// Prints an error (on stderr, and as JSON on stdout with `json`) and exits with `status`.
    static func fail(_ message: String, status: Int32, json: Bool) -> Never {
        printError("error: " + message)
        if json { printJSON(.object(["error": .string(message), "exit_status": .integer(Int(status))])) }
        Foundation.exit(status)
    }
}

/// Loads a job file for a command, printing the error and exiting 64 (or 2) when it cannot be loaded.
func loadJob(_ path: String, overrides: JobOverrides = JobOverrides()) throws -> JobSpec {
    let environment = RunEnvironment.live()
    return try exitOnError {
        () throws(ReconciliationError) -> JobSpec in
        try JobSpec.load(
            path: path, environment: environment.variables, overrides: overrides,
            currentDirectory: environment.currentDirectory)
    }
}

/// A job file for a command that reads its history rather than runs it: a dated job that names no day is loaded for
/// today, since any day finds its repository (unless the repository's path names the day).
func loadJobForHistory(_ path: String, asOf: String?) throws -> JobSpec {
    let environment = RunEnvironment.live()
    func load(_ day: String?) throws(ReconciliationError) -> JobSpec {
        try JobSpec.load(
            path: path, environment: environment.variables, overrides: JobOverrides(asOf: day),
            currentDirectory: environment.currentDirectory)
    }
    return try exitOnError {
        () throws(ReconciliationError) -> JobSpec in
        do throws(ReconciliationError) {
            return try load(asOf)
        } catch  where error.message.contains("missing required key `as_of`") {
            return try load(String(ISO8601DateFormatter().string(from: Date()).prefix(10)))
        }
    }
}

/// Runs `body`; a `ReconciliationError` it throws is printed on stderr and ends the command with its exit status (or
/// `status`, when the command knows better). The one way a command turns a library error into an exit.
func exitOnError<T>(status: Int32? = nil, _ body: () throws(ReconciliationError) -> T) throws -> T {
    do {
        return try body()
    } catch {
        printError(error.description)
        throw ExitCode(status ?? ExitStatus.of(error))
    }
}

/// A usage error: printed on stderr; exit 64.
func usageError(_ message: String) -> ExitCode {
    printError("error: " + message)
    return ExitCode(ExitStatus.usage)
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
    // Text on stderr often quotes what a user or a file wrote: control characters and bidi overrides are shown
    // escaped, line by line, so a name can neither drive the terminal nor forge a line.
    let safe = text.split(separator: "\n", omittingEmptySubsequences: false)
        .map { TerminalText.escape(String($0)) }.joined(separator: "\n")
    MachineOutput.lastError = safe.hasPrefix("error: ") ? String(safe.dropFirst("error: ".count)) : safe
    var stream = StandardError()
    print(safe, to: &stream)
}

/// Prints a JSON document on stdout (`--json`), remembering that one was printed.
func printJSON(_ value: JSONValue) {
    MachineOutput.printed = true
    print(value.prettyEncoded(), terminator: "")
}

/// What a command said, so that with `--json` a failure that printed no JSON document still gets one.
enum MachineOutput {
    nonisolated(unsafe) static var printed = false
    nonisolated(unsafe) static var lastError: String?
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
