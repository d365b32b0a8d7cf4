/// A job, resolved and validated: every path absolute, every default filled in, every override applied.
///
/// Load one with ``JobSpec/load(path:environment:overrides:)``; build one in code with the memberwise initializers.
public struct JobSpec: Sendable, Hashable {
    /// The job's name (letters, digits, `.`, `_`, `-`); runs, locks and history are keyed by it.
    public var name: String
    /// The business day reconciled, `YYYY-MM-DD`.
    public var asOf: String
    /// Our own books: position manager or accounting exports.
    package var ledger: [InputSpec]
    /// What the venues say.
    package var statements: [InputSpec]
    /// Tolerances.
    package var tolerance: TolerancePolicy
    /// How many breaks a team accepts before the run exits 1 (the status still says `breaks`).
    package var maxBreaks: Int
    /// Asset aliases for every input (code → asset).
    package var aliases: [String: String]
    /// Where reports go and in which formats.
    package var report: ReportSettings
    /// The audit file, if any.
    package var audit: AuditSettings?
    /// The SQLite run repository, if any.
    package var repositoryPath: String?
    /// Where inputs are archived by content hash, if anywhere.
    package var archiveDirectory: String?
    /// The log level (`trace` … `critical`).
    package var logLevel: String
    /// Limits against hostile input.
    package var limits: IngestLimits
    /// The instant the run's balances are taken at (the whole `as_of` day in UTC unless the job sets `cutoff:`).
    public var cutoff: Cutoff
    /// The acknowledgements file (known, explained breaks), if any.
    package var acknowledgements: InputFile?
    /// Valuation of differences in a reporting currency, if any.
    package var valuation: ValuationSettings?
    /// Holidays for ageing in business days, if any (else Monday–Friday).
    package var calendar: InputFile?
    /// Where fetched inputs' pages are saved and read (`fetch.dir`), when the job fetches any.
    package var fetchDirectory: String?

    /// Creates a job.
    package init(
        name: String, asOf: String, ledger: [InputSpec], statements: [InputSpec], tolerance: TolerancePolicy = .exact,
        maxBreaks: Int = 0, aliases: [String: String] = [:], report: ReportSettings, audit: AuditSettings? = nil,
        repositoryPath: String? = nil, archiveDirectory: String? = nil, logLevel: String = "warning",
        limits: IngestLimits = .standard, cutoff: Cutoff? = nil, acknowledgements: InputFile? = nil,
        valuation: ValuationSettings? = nil, calendar: InputFile? = nil, fetchDirectory: String? = nil
    ) {
        self.fetchDirectory = fetchDirectory
        self.acknowledgements = acknowledgements
        self.valuation = valuation
        self.calendar = calendar
        self.name = name
        self.asOf = asOf
        self.cutoff = cutoff ?? Cutoff.resolve(asOf: asOf)
        self.ledger = ledger
        self.statements = statements
        self.tolerance = tolerance
        self.maxBreaks = maxBreaks
        self.aliases = aliases
        self.report = report
        self.audit = audit
        self.repositoryPath = repositoryPath
        self.archiveDirectory = archiveDirectory
        self.logLevel = logLevel
        self.limits = limits
    }

    /// Every input, ledger first, in job order.
    package var inputs: [InputSpec] { ledger + statements }

    /// The files that judge the lines rather than feed the books (acknowledgements, prices, calendar): read, hashed,
    /// archived and audited like inputs, so a replay judges with the same ones.
    package var referenceFiles: [(kind: InputKind, file: InputFile)] {
        [
            acknowledgements.map { (InputKind.acknowledgements, $0) }, valuation.map { (InputKind.prices, $0.prices) },
            calendar.map { (InputKind.calendar, $0) },
        ].compactMap { $0 }
    }
}

/// `valuation: {currency: USD, prices: ../prices/{as_of}.csv}`.
package struct ValuationSettings: Sendable, Hashable {
    /// The reporting currency (upper case).
    package var currency: String
    /// Decimals of its minor unit.
    package var decimals: Int
    /// The prices file (`asset,price`).
    package var prices: InputFile

    /// Creates settings.
    package init(currency: String, decimals: Int, prices: InputFile) {
        self.currency = currency.uppercased()
        self.decimals = decimals
        self.prices = prices
    }
}

/// Which side of the reconciliation an input is on.
public enum Side: String, Sendable, Hashable, Codable {
    /// Our books.
    case ledger
    /// The venue's statement.
    case statement
    /// A file that judges lines rather than feeding a book: acknowledgements, prices, the calendar.
    case reference
}

/// One input of a job: one or more files read with one format and one set of options.
package struct InputSpec: Sendable, Hashable {
    /// Ledger or statement.
    package var side: Side
    /// A label for messages and reports (the first path when not named).
    package var name: String
    /// The files, in order (several page files can form one statement).
    package var files: [InputFile]
    /// The format name, or `nil` to detect it from the content.
    package var format: String?
    /// Reader options.
    package var options: InputOptions {
        get { optionsStorage.value }
        set { CopyOnWrite.assign(newValue, to: &optionsStorage) }
    }
    // The options and the fetch settings are two thirds of an input's 784 bytes and are rarely changed once loaded;
    // held by reference, a job of 10,000 inputs keeps one copy of them however often its inputs are copied (the job,
    // the run's list, each outcome).
    private var optionsStorage: CopyOnWrite<InputOptions>
    /// Asset aliases for this input only.
    package var aliases: [String: String]
    /// Statement account id → ledger account.
    package var accounts: [String: String]
    /// Whether keys this input leaves out count as zero.
    package var missingMeansZero: Bool
    /// Which figure to compare.
    package var compare: ComparedFigure?
    /// Whether a glob that matches no file skips the input (with a note) instead of failing it.
    package var optional: Bool = false
    /// Why the input has no files to read (a glob that matched nothing, a batch not fetched); the input fails with it,
    /// or is skipped when `optional`.
    package var problem: String?
    /// How the input is fetched from its venue (`fetch:`), if it is; its files are then the batch's pages.
    package var fetch: FetchSpec? {
        get { fetchStorage?.value }
        set {
            guard let newValue, var box = fetchStorage else {
                fetchStorage = newValue.map(CopyOnWrite.init)
                return
            }
            fetchStorage = nil  // so the box is uniquely held when nothing else shares it
            CopyOnWrite.assign(newValue, to: &box)
            fetchStorage = box
        }
    }
    private var fetchStorage: CopyOnWrite<FetchSpec>?
    /// Why the input cannot be read at all, and which file (a special file that could not be read into a private
    /// copy); the input fails with it.
    package var refusal: (file: String, message: String)? {
        get { refusalFile.map { ($0, refusalMessage ?? "") } }
        set {
            refusalFile = newValue?.file
            refusalMessage = newValue?.message
        }
    }
    private var refusalFile: String?
    private var refusalMessage: String?

    /// Creates an input.
    package init(
        side: Side, name: String, files: [InputFile], format: String? = nil, options: InputOptions = InputOptions(),
        aliases: [String: String] = [:], accounts: [String: String] = [:], missingMeansZero: Bool = false,
        compare: ComparedFigure? = nil
    ) {
        self.side = side
        self.name = name
        self.files = files
        self.format = format
        optionsStorage = CopyOnWrite(options)
        self.aliases = aliases
        self.accounts = accounts
        self.missingMeansZero = missingMeansZero
        self.compare = compare
    }
}

/// A value held by reference and copied only when changed while shared: for large, rarely changed parts of values
/// that are copied often. Equal and hashed by the value it holds.
final class CopyOnWrite<Value: Hashable & Sendable>: Hashable, @unchecked Sendable {
    // Never mutated while shared (`assign` replaces a shared box), so reading it from any thread is safe.
    private(set) var value: Value

    init(_ value: Value) { self.value = value }

    /// Stores `newValue` in `box`: in place when this is its only holder, in a new box otherwise.
    static func assign(_ newValue: Value, to box: inout CopyOnWrite<Value>) {
        if isKnownUniquelyReferenced(&box) {
            box.value = newValue
        } else {
            box = CopyOnWrite(newValue)
        }
    }

    static func == (left: CopyOnWrite, right: CopyOnWrite) -> Bool { left === right || left.value == right.value }

    func hash(into hasher: inout Hasher) { hasher.combine(value) }
}

/// A file to read: where it is, and how messages and reports name it.
package struct InputFile: Sendable, Hashable {
    /// The path to open.
    package var path: String
    /// The path shown in messages and reports (relative to the working directory when inside it).
    package var displayPath: String

    /// Creates a file reference.
    package init(path: String, displayPath: String) {
        self.path = path
        self.displayPath = displayPath
    }
}

/// Report output settings.
package struct ReportSettings: Sendable, Hashable {
    /// The directory reports are written to (created when missing).
    package var directory: String
    /// The formats written.
    package var formats: [ReportFormat] = [.json, .markdown]
}

/// The report formats.
package enum ReportFormat: String, Sendable, Hashable, CaseIterable, Codable {
    /// `report.json`, for machines.
    case json
    /// `report.md`, a summary for tickets.
    case markdown
    /// `report.csv`, every line, safe to open in a spreadsheet.
    case csv
    /// `report.html`, one self-contained page.
    case html
}

/// Audit file settings.
package struct AuditSettings: Sendable, Hashable {
    /// The append-only audit file.
    package var path: String
    /// A file holding the Ed25519 private key that signs checkpoints, if any.
    package var signingKeyPath: String?

    /// Creates settings.
    package init(path: String, signingKeyPath: String? = nil) {
        self.path = path
        self.signingKeyPath = signingKeyPath
    }
}
