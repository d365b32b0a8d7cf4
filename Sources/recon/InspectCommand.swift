import ArgumentParser
import Foundation
import Reconciliation

/// `recon inspect FILE` or `recon inspect --job JOB --input NAME`: the normalized balance records of one input, as
/// JSON Lines.
struct InspectCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "inspect",
        abstract: "Print the normalized balance records of one file, or of one input of a job, as JSON Lines.",
        discussion: """
            With a FILE, the format is detected from the content unless --format names it, and the CSV options are \
            flags. With --job and --input, the input is read exactly as a run of the job reads it (its mapping, \
            options, templates, globs and cutoff). The format read is said on stderr, with the diagnostics.
            Exit 0 when the input reads cleanly, 2 when it does not, 64 on bad usage.

            Examples:
              recon inspect samples/statements/kraken/ledgers.csv --account AA11-BB22
              recon inspect samples/statements/binance/account.json
              recon inspect samples/ledger/entries.csv.gz --format csv --kind entries
              recon inspect samples/statements/otc/balances.csv --columns amount=balance
              recon inspect --job jobs/eod-sample.yaml --input kraken
              recon inspect --job jobs/eod-dated.yaml --input bank --as-of 2026-11-24
            """
    )

    @Argument(help: "The file to read (plain or gzipped); omit with --job.", completion: .file())
    var file: String?

    @Option(
        name: .long, help: "Read an input of this job, as a run would (with --input).",
        completion: .file(extensions: ["yaml", "yml"]))
    var job: String?

    @Option(name: .long, help: "With --job: the input's name (or its 1-based position among the job's inputs).")
    var input: String?

    @Option(name: .long, help: "With --job: the business day, YYYY-MM-DD (overrides as_of and RECON_AS_OF).")
    var asOf: String?

    @Option(
        name: .long, help: "The format name (`recon formats` lists them); detected when omitted.",
        completion: .list(StatementFormats.names))
    var format: String?

    @Option(name: .long, help: "The venue for every record.")
    var venue: String?

    @Option(name: .long, help: "The account for every record that names none.")
    var account: String?

    @Option(name: .long, help: "entries (summed per key) or balances (one per key); formats that are one kind set it.")
    var kind: String = "balances"

    @Option(
        name: .long, parsing: .singleValue,
        help: "Map a field: ROLE=NAME, ROLE one of venue, account, asset, amount, available, hold, time, date.")
    var column: [String] = []

    @Option(name: .long, help: "Map several fields at once: ROLE=NAME,ROLE=NAME (as --column).")
    var columns: String?

    @Option(name: .long, help: "For generic JSON/XML: the path of one record.")
    var records: String?

    @Option(name: .long, help: "For camt: which balance type is the balance (CLBD, OPBD, CLAV, …).")
    var balanceType: String = "CLBD"

    @Option(name: .long, help: "CSV: the field delimiter (one character; \\t for a tab).")
    var delimiter: String?

    @Option(name: .long, help: "CSV: the decimal separator, . or ,")
    var decimalSeparator: String?

    @Option(name: .long, help: "CSV: the thousands separator (, . ' or a space).")
    var thousandsSeparator: String?

    @Flag(name: .long, help: "CSV: (12.00) means -12.00.")
    var negativeParentheses = false

    @Flag(name: .long, help: "CSV: skip a leading currency symbol ($ € £ ¥ ₿).")
    var currencySymbols = false

    @Flag(name: .long, help: "CSV: an empty amount cell is zero.")
    var emptyIsZero = false

    @Flag(name: .long, inversion: .prefixedNo, help: "CSV: whether the first line names the columns.")
    var header = true

    func run() throws {
        let spec: InputSpec
        if let job {
            guard file == nil else { throw usage("give either a FILE or --job with --input, not both") }
            // The job says how to read its input: a flag that would read it otherwise is refused, not ignored.
            let fileFlags: [(String, Bool)] = [
                ("--format", format != nil), ("--venue", venue != nil), ("--account", account != nil),
                ("--kind", kind != "balances"), ("--column", !column.isEmpty), ("--columns", columns != nil),
                ("--records", records != nil), ("--balance-type", balanceType != "CLBD"),
                ("--delimiter", delimiter != nil), ("--decimal-separator", decimalSeparator != nil),
                ("--thousands-separator", thousandsSeparator != nil), ("--negative-parentheses", negativeParentheses),
                ("--currency-symbols", currencySymbols), ("--empty-is-zero", emptyIsZero), ("--no-header", !header),
            ]
            if let flag = fileFlags.first(where: \.1)?.0 {
                throw usage("\(flag) reads a FILE; with --job the input is read as the job says (change the job)")
            }
            spec = try inputOfJob(job)
        } else {
            guard input == nil, asOf == nil else { throw usage("--input and --as-of go with --job JOB") }
            guard let file else { throw usage("give a FILE to read, or --job JOB --input NAME") }
            spec = try inputOfFile(file)
        }
        let outcome = InputLoader(prefetch: false).load(spec, index: 0)
        for balance in outcome.balances {
            print(Self.record(balance).encoded())
        }
        let formats = Set(outcome.files.map(\.format)).sorted().joined(separator: ", ")
        if !formats.isEmpty && formats != "?" {
            printError("format: \(formats)\(spec.format == nil ? " (detected)" : "")")
        }
        for diagnostic in outcome.diagnostics { printError(TerminalText.escape(diagnostic.description)) }
        if let failure = outcome.failure { printError(TerminalText.escape(failure.description)) }
        if outcome.failed { throw ExitCode(ExitStatus.failed) }
    }

    private func usage(_ message: String) -> ExitCode { usageError(message) }

    /// The input `--input` names in the job, with everything the job gives it.
    private func inputOfJob(_ job: String) throws -> InputSpec {
        guard let input else { throw usage("--job needs --input NAME (one of the job's inputs)") }
        let spec = try loadJob(job, overrides: JobOverrides(asOf: asOf))
        let inputs = spec.inputs
        if let position = Int(input), (1...inputs.count).contains(position) { return inputs[position - 1] }
        let matches = inputs.filter { $0.name == input }
        guard let found = matches.first else {
            let names = inputs.map(\.name)
            let hint = Spelling.closest(to: input, among: names).map { "did you mean '\($0)'? " } ?? ""
            throw usage(
                "--input: the job has no input '\(input)'; \(hint)its inputs: "
                    + names.map { "'\($0)'" }.joined(separator: ", "))
        }
        guard matches.count == 1 else {
            throw usage("--input: several inputs are named '\(input)'; give its position (1–\(inputs.count))")
        }
        return found
    }

    /// A file read with the flags' options.
    private func inputOfFile(_ file: String) throws -> InputSpec {
        guard let inputKind = InputKind(rawValue: kind), InputKind.bookKinds.contains(inputKind) else {
            throw usage("--kind: expected entries or balances, got '\(kind)'")
        }
        if let format, StatementFormats.reader(named: format) == nil {
            throw usage(Suggestions.unknownFormat(format, flag: "--format"))
        }
        var fields = FieldMapping()
        let mappings = column + (columns?.split(separator: ",").map(String.init) ?? [])
        var mapped: Set<String> = []
        for mapping in mappings {
            let parts = mapping.split(separator: "=", maxSplits: 1).map {
                String($0).trimmingCharacters(in: .whitespaces)
            }
            guard parts.count == 2, !parts[1].isEmpty else {
                throw usage("--column: expected ROLE=NAME, got '\(mapping)'")
            }
            guard mapped.insert(parts[0]).inserted else { throw usage("--column: '\(parts[0])' is mapped twice") }
            if !header, Int(parts[1]).map({ $0 < 1 }) ?? true {
                throw usage("--column \(mapping): without a header, columns are numbers from 1")
            }
            switch parts[0] {
            case "venue": fields.venue = parts[1]
            case "account": fields.account = parts[1]
            case "asset": fields.asset = parts[1]
            case "amount": fields.amount = parts[1]
            case "available": fields.available = parts[1]
            case "hold": fields.hold = parts[1]
            case "time": fields.time = parts[1]
            case "date": fields.date = parts[1]
            default:
                throw usage(
                    "--column: unknown role '\(parts[0])' (roles: venue, account, asset, amount, available, hold, "
                        + "time, date)")
            }
        }
        // CSV options or columns say what the file is: read it as generic CSV rather than guess a venue format.
        let csvOptions =
            !mappings.isEmpty || delimiter != nil || decimalSeparator != nil || thousandsSeparator != nil
            || negativeParentheses || !header
        let format = self.format ?? (csvOptions ? "csv" : nil)
        if format == nil || format == "csv" {
            // Generic CSV: the usual column names for whatever is not mapped (and not fixed by --venue/--account).
            if fields.venue == nil && venue == nil { fields.venue = "venue" }
            if fields.account == nil && account == nil { fields.account = "account" }
            if fields.asset == nil { fields.asset = "asset" }
            if fields.amount == nil && fields.available == nil && fields.hold == nil { fields.amount = "amount" }
        }
        var options = InputOptions(
            kind: inputKind, venue: venue, account: account, fields: fields, records: records, hasHeader: header,
            balanceType: balanceType.uppercased())
        options.fromCommandLine = true
        options.amountSyntax.namesFlags = true
        options.amountSyntax.allowsCurrencySymbol = currencySymbols
        options.amountSyntax.emptyMeansZero = emptyIsZero
        if let delimiter {
            let text = delimiter == "\\t" ? "\t" : delimiter
            guard text.utf8.count == 1, let byte = text.utf8.first, byte != UInt8(ascii: "\""), byte != 0x0A,
                byte != 0x0D
            else {
                throw usage(
                    "--delimiter: expected one character other than a quote or a line break, got '\(delimiter)'")
            }
            options.delimiter = byte
        }
        if let decimalSeparator {
            guard decimalSeparator == "." || decimalSeparator == "," else {
                throw usage("--decimal-separator: expected . or , got '\(decimalSeparator)'")
            }
            options.amountSyntax.decimalSeparator = UInt8(ascii: decimalSeparator == "," ? "," : ".")
        }
        if let thousandsSeparator {
            guard thousandsSeparator.utf8.count == 1, let byte = thousandsSeparator.utf8.first,
                [",", ".", "'", " "].contains(thousandsSeparator), byte != options.amountSyntax.decimalSeparator,
                byte != options.delimiter
            else {
                throw usage(
                    "--thousands-separator: expected , . ' or a space, other than the decimal separator and the "
                        + "delimiter, got '\(thousandsSeparator)'")
            }
            options.amountSyntax.groupingSeparator = byte
        }
        options.amountSyntax.allowsParentheses = negativeParentheses
        let current = FileManager.default.currentDirectoryPath
        let path = file.hasPrefix("/") ? file : current + "/" + file
        return InputSpec(
            side: .statement, name: file, files: [InputFile(path: path, displayPath: file)], format: format,
            options: options)
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
