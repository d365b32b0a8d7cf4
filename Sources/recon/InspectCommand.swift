import ArgumentParser
import Foundation
import Reconciliation

/// `recon inspect FILE`: the normalized balance records of one file, as JSON Lines.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print the normalized balance records of one statement or ledger file as JSON Lines.",
        discussion: """
            The format is detected from the content unless --format names it. Diagnostics go to stderr.
            Exit 0 when the file reads cleanly, 2 when it does not, 64 on bad usage.

            Examples:
              recon inspect samples/statements/balances.csv
              recon inspect samples/ledger/entries.csv.gz --kind entries
              recon inspect export.csv --format csv --venue acme --column asset=ccy --column amount=bal
            """
    )

    @Argument(help: "The file to read (plain or gzipped).")
    var file: String

    @Option(name: .long, help: "The format name (see `recon inspect --help`); detected when omitted.")
    var format: String?

    @Option(name: .long, help: "The venue for every record.")
    var venue: String?

    @Option(name: .long, help: "The account for every record that names none.")
    var account: String?

    @Option(name: .long, help: "entries (summed per key) or balances (one per key); formats that are one kind set it.")
    var kind: String = "balances"

    @Option(
        name: .long, parsing: .singleValue,
        help: "Map a field: ROLE=NAME, ROLE one of venue, account, asset, amount, available, hold.")
    var column: [String] = []

    @Option(name: .long, help: "For generic JSON/XML: the path of one record.")
    var records: String?

    @Option(name: .long, help: "For camt: which balance type is the balance (CLBD, OPBD, CLAV, …).")
    var balanceType: String = "CLBD"

    func run() throws {
        guard let inputKind = InputKind(rawValue: kind) else {
            printError("error: --kind: expected entries or balances, got '\(kind)'")
            throw ExitCode(ExitStatus.usage)
        }
        if let format, StatementFormats.reader(named: format) == nil {
            printError(
                "error: unknown format '\(format)'; known formats: \(StatementFormats.names.joined(separator: ", "))")
            throw ExitCode(ExitStatus.usage)
        }
        var fields = FieldMapping()
        for mapping in column {
            let parts = mapping.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else {
                printError("error: --column: expected ROLE=NAME, got '\(mapping)'")
                throw ExitCode(ExitStatus.usage)
            }
            switch parts[0] {
            case "venue": fields.venue = parts[1]
            case "account": fields.account = parts[1]
            case "asset": fields.asset = parts[1]
            case "amount": fields.amount = parts[1]
            case "available": fields.available = parts[1]
            case "hold": fields.hold = parts[1]
            default:
                printError("error: --column: unknown role '\(parts[0])'")
                throw ExitCode(ExitStatus.usage)
            }
        }
        if fields.isEmpty && (format == nil || format == "csv") {
            fields = FieldMapping(
                venue: venue == nil ? "venue" : nil, account: account == nil ? "account" : nil, asset: "asset",
                amount: "amount")
        }
        let current = FileManager.default.currentDirectoryPath
        let path = file.hasPrefix("/") ? file : current + "/" + file
        let spec = InputSpec(
            side: .statement, name: file, files: [InputFile(path: path, displayPath: file)], format: format,
            options: InputOptions(
                kind: inputKind, venue: venue, account: account, fields: fields, records: records,
                balanceType: balanceType.uppercased()))
        let outcome = InputLoader(prefetch: false).load(spec, index: 0)
        for balance in outcome.balances {
            print(Self.record(balance).encoded())
        }
        for diagnostic in outcome.diagnostics { printError(diagnostic.description) }
        if let failure = outcome.failure { printError(failure.description) }
        if outcome.failed { throw ExitCode(ExitStatus.failed) }
    }

    /// One JSON Lines record.
    static func record(_ balance: Balance) -> JSONValue {
        .object([
            "venue": .string(balance.key.venue),
            "account": .string(balance.key.account),
            "asset": .string(balance.key.asset),
            "amount": .amount(balance.total),
            "available": .amount(balance.available),
            "hold": .amount(balance.hold),
            "source": .string(balance.source.description),
            "entries": .integer(balance.entryCount),
        ])
    }
}
