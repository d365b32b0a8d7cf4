import Configuration
import Foundation
import Yams

// `load`'s default working directory comes from FileManager.
#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Settings given on the command line; they win over the environment, which wins over the job file.
public struct JobOverrides: Sendable, Hashable {
    /// `--out DIR`.
    public var reportDirectory: String?
    /// `--log-level`.
    public var logLevel: String?
    /// `--archive DIR`.
    public var archiveDirectory: String?
    /// `--audit FILE`.
    public var auditPath: String?
    /// `--repository FILE`.
    public var repositoryPath: String?
    /// `--max-breaks N`.
    public var maxBreaks: Int?
    /// `--as-of` (a dated run; replays pin the recorded business day).
    public var asOf: String?
    /// `--fetch-dir DIR` / `recon fetch --into DIR`: the batch folder of fetched inputs.
    public var fetchDirectory: String?

    /// No overrides.
    public init(
        reportDirectory: String? = nil, logLevel: String? = nil, archiveDirectory: String? = nil,
        auditPath: String? = nil, repositoryPath: String? = nil, maxBreaks: Int? = nil, asOf: String? = nil
    ) {
        self.reportDirectory = reportDirectory
        self.logLevel = logLevel
        self.archiveDirectory = archiveDirectory
        self.auditPath = auditPath
        self.repositoryPath = repositoryPath
        self.maxBreaks = maxBreaks
        self.asOf = asOf
    }
}

extension JobSpec {
    /// The environment variables that override scalar settings, with the job key each one replaces.
    public static let environmentOverrides: [(variable: String, key: String)] = [
        ("RECON_REPORT_DIR", "report.dir"),
        ("RECON_REPORT_FORMATS", "report.formats"),
        ("RECON_LOG_LEVEL", "log_level"),
        ("RECON_MAX_BREAKS", "max_breaks"),
        ("RECON_AUDIT_FILE", "audit.path"),
        ("RECON_AUDIT_SIGNING_KEY", "audit.signing_key (the key itself, not a path)"),
        ("RECON_REPOSITORY", "repository"),
        ("RECON_ARCHIVE_DIR", "archive"),
        ("RECON_AS_OF", "as_of"),
        ("RECON_FETCH_DIR", "fetch.dir"),
        ("RECON_LOCK_DIR", "where job locks are kept (default: $TMPDIR/recon-locks)"),
    ]

    /// The log levels accepted.
    public static let logLevels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    /// Loads, validates and resolves a job file.
    ///
    /// Paths in the file are relative to the file's directory; paths in the environment and overrides are relative
    /// to `currentDirectory`.
    ///
    /// ```swift
    /// let job = try JobSpec.load(path: "jobs/eod-sample.yaml", environment: ProcessInfo.processInfo.environment)
    /// ```
    public static func load(
        path: String, environment: [String: String] = [:], overrides: JobOverrides = JobOverrides(),
        currentDirectory: String = FileManager.default.currentDirectoryPath
    ) throws(ReconciliationError) -> JobSpec {
        let paths = PathResolver(currentDirectory: currentDirectory)
        let jobPath = paths.absolute(path)
        let display = paths.display(jobPath)
        guard let data = FileManager.default.contents(atPath: jobPath) else {
            throw ReconciliationError(
                .job, "cannot read the job file: \(FileProblem.describe(jobPath))", at: SourceLocation(file: display))
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw ReconciliationError(.job, "the job file is not UTF-8", at: SourceLocation(file: display))
        }
        return try parse(
            yaml: text, file: display, baseDirectory: paths.directory(of: jobPath), environment: environment,
            overrides: overrides, paths: paths)
    }

    /// Parses job YAML whose relative paths resolve against `baseDirectory`.
    static func parse(
        yaml text: String, file: String, baseDirectory: String, environment: [String: String],
        overrides: JobOverrides, paths: PathResolver
    ) throws(ReconciliationError) -> JobSpec {
        let root: Node
        do {
            // The basic resolver: every value is read from its text by the job's own parsers (YAML numbers stay exact
            // text), so tags are never needed, and the default resolver's regular expressions ran for every mapping
            // key (Yams hashes keys to find duplicates): a quarter of the run time of a 10,000-input job.
            guard let composed = try Yams.compose(yaml: text, .basic) else {
                throw ReconciliationError(.job, "the job file is empty", at: SourceLocation(file: file))
            }
            root = composed
        } catch let error as ReconciliationError {
            throw error
        } catch let error as YamlError {
            throw ReconciliationError(
                .job, "not valid YAML: \(yamlProblem(error))", at: yamlLocation(error, file: file))
        } catch {
            throw ReconciliationError(.job, "not valid YAML: \(error)", at: SourceLocation(file: file))
        }
        let document = JobFileNode(node: root, path: "", file: file)
        let top = try document.mapping(known: [
            "job", "as_of", "ledger", "statements", "tolerance", "max_breaks", "aliases", "report", "audit",
            "repository", "archive", "log_level", "limits", "cutoff", "max_snapshot_skew", "allow_special_files",
            "acknowledgements", "valuation", "calendar", "fetch",
        ])
        func required(_ key: String) throws(ReconciliationError) -> JobFileNode {
            guard let node = top[key] else { throw document.error("missing required key `\(key)`") }
            return node
        }

        let nameNode = try required("job")
        let name = try nameNode.nonEmptyString()
        guard name.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || "._-".contains($0)) }) else {
            throw nameNode.error("a job name may hold letters, digits, '.', '_' and '-' only, got '\(name)'")
        }
        // The business day: `--as-of`, then RECON_AS_OF, then the file's `as_of` (optional when one of those is given).
        let asOf: String
        if let pinned = overrides.asOf {
            guard isCalendarDate(pinned) else {
                throw ReconciliationError(.usage, "--as-of: expected a date YYYY-MM-DD, got '\(pinned)'")
            }
            asOf = pinned
        } else if let value = environment["RECON_AS_OF"], !value.isEmpty {
            guard isCalendarDate(value) else {
                throw ReconciliationError(
                    .job, "environment variable RECON_AS_OF: expected a date YYYY-MM-DD, got '\(value)'")
            }
            asOf = value
        } else {
            guard let asOfNode = top["as_of"] else {
                throw document.error(
                    "missing required key `as_of` (or run with --as-of YYYY-MM-DD, or set RECON_AS_OF)")
            }
            asOf = try asOfNode.string()
            guard isCalendarDate(asOf) else { throw asOfNode.error("expected a date YYYY-MM-DD, got '\(asOf)'") }
        }
        // Paths may name the day: `{as_of}`, `{as_of:%Y%m%d}`; relative ones resolve against the job file.
        func templated(_ text: String, _ node: JobFileNode) throws(ReconciliationError) -> String {
            do {
                return try PathTemplate.expand(text, asOf: asOf)
            } catch {
                throw node.error(error.message)
            }
        }
        func resolvePath(_ node: JobFileNode) throws(ReconciliationError) -> String {
            paths.absolute(try templated(try node.nonEmptyString(), node), from: baseDirectory)
        }
        func resolve(_ relative: String) -> String { paths.absolute(relative, from: baseDirectory) }
        func override(_ value: String, named source: String) throws(ReconciliationError) -> String {
            do {
                return paths.absolute(try PathTemplate.expand(value, asOf: asOf))
            } catch {
                throw ReconciliationError(.job, "\(source): \(error.message)")
            }
        }
        let cutoff =
            try top["cutoff"].map { node throws(ReconciliationError) in try parseCutoff(node, asOf: asOf) }
            ?? Cutoff.resolve(asOf: asOf)
        let snapshotSkew = try top["max_snapshot_skew"].map { node throws(ReconciliationError) in
            try node.durationSeconds()
        }

        var limits = try top["limits"].map { node throws(ReconciliationError) in try parseLimits(node) } ?? .standard
        if let node = top["allow_special_files"] { limits.allowSpecialFiles = try node.bool() }
        // Counted before any input is parsed: a job of 100,000 inputs is refused, not half-loaded.
        let inputCount = [top["ledger"], top["statements"]].reduce(0) { count, node in
            guard case .sequence(let items)? = node?.node else { return count }
            return count + items.count
        }
        if inputCount > limits.maxInputs {
            throw (top["statements"] ?? document).error(
                "the job has \(inputCount) inputs, more than `limits.max_inputs` (\(limits.maxInputs)); split the job, or "
                    + "raise the limit (each input costs memory and a file descriptor while it is read)")
        }
        var aliases: [String: String] = [:]
        if let node = top["aliases"] { aliases = try node.stringMap() }

        let ledgerNode = try required("ledger")
        let context = InputContext(
            asOf: asOf, cutoff: cutoff, snapshotSkew: snapshotSkew, limits: limits, baseDirectory: baseDirectory,
            paths: paths)
        let ledger = try parseInputs(try ledgerNode.sequence(), side: .ledger, context: context)
        guard !ledger.isEmpty else { throw ledgerNode.error("needs at least one input") }
        let statementsNode = try required("statements")
        var statements = try parseInputs(try statementsNode.sequence(), side: .statement, context: context)
        var fetchedNames = Set<String>()
        for (input, node) in zip(statements, try statementsNode.sequence()) where input.fetch != nil {
            guard fetchedNames.insert(input.name).inserted else {
                throw node.error("two fetched inputs are named '\(input.name)'; each needs its own folder in the batch")
            }
        }
        guard !statements.isEmpty else { throw statementsNode.error("needs at least one input") }

        let tolerance =
            try top["tolerance"].map { node throws(ReconciliationError) in try parseTolerancePolicy(node) }
            ?? .exact
        func referenceFile(_ node: JobFileNode) throws(ReconciliationError) -> InputFile {
            let path = try resolvePath(node)
            return InputFile(path: path, displayPath: paths.display(path))
        }
        let acknowledgements = try top["acknowledgements"].map(referenceFile)
        let calendar = try top["calendar"].map(referenceFile)
        let valuation = try top["valuation"].map { node throws(ReconciliationError) in
            let map = try node.mapping(known: ["currency", "prices", "decimals"])
            guard let currencyNode = map["currency"] else { throw node.error("missing required key `currency`") }
            guard let pricesNode = map["prices"] else { throw node.error("missing required key `prices`") }
            let currency = try currencyNode.nonEmptyString().trimmingSpaces.uppercased()
            let decimals: Int
            if let decimalsNode = map["decimals"] {
                decimals = Int(try decimalsNode.integer(in: 0...18))
            } else if let known = Valuation.minorUnit(of: currency) {
                decimals = known
            } else {
                throw currencyNode.error(
                    "the minor unit of \(currency) is not known here; say how many decimals it shows with `decimals:`")
            }
            return ValuationSettings(currency: currency, decimals: decimals, prices: try referenceFile(pricesNode))
        }
        if valuation == nil, tolerance.usesValue {
            throw (top["tolerance"] ?? document).error(
                "a `value` tolerance is an amount in the reporting currency: add `valuation: {currency: …, prices: …}`")
        }
        var maxBreaks =
            try top["max_breaks"].map { node throws(ReconciliationError) in
                Int(try node.integer(in: 0...1_000_000_000))
            } ?? 0

        // Report: job file, then environment, then command line.
        var reportDirectory = resolve("../out/\(name)")
        var formats: [ReportFormat] = [.json, .markdown]
        if let reportNode = top["report"] {
            let report = try reportNode.mapping(known: ["dir", "formats"])
            if let dir = report["dir"] { reportDirectory = try resolvePath(dir) }
            if let formatsNode = report["formats"] {
                formats = []
                for node in try formatsNode.sequence() {
                    guard let format = ReportFormat(rawValue: try node.string()) else {
                        throw node.error(
                            "unknown report format '\(try node.string())'; known: \(ReportFormat.allCases.map(\.rawValue).joined(separator: ", "))"
                        )
                    }
                    // Each format is one file: listed twice, both writers would race for it.
                    guard !formats.contains(format) else {
                        throw node.error("report format '\(format.rawValue)' is listed twice; list each format once")
                    }
                    formats.append(format)
                }
            }
        }
        var audit: AuditSettings?
        if let auditNode = top["audit"] {
            let settings = try auditNode.mapping(known: ["path", "signing_key"])
            guard let pathNode = settings["path"] else { throw auditNode.error("missing required key `path`") }
            audit = AuditSettings(
                path: try resolvePath(pathNode),
                signingKeyPath: try settings["signing_key"].map { node throws(ReconciliationError) in
                    try resolvePath(node)
                })
        }
        var repositoryPath = try top["repository"].map { node throws(ReconciliationError) in
            resolve(try templated(try pathValue(node), node))
        }
        var archiveDirectory = try top["archive"].map { node throws(ReconciliationError) in
            resolve(try templated(try pathValue(node, key: "dir"), node))
        }
        var logLevel =
            try top["log_level"].map { node throws(ReconciliationError) in try node.choice(logLevels) }
            ?? "warning"

        // Every layered setting, in one place: flag > environment variable > job file > default.
        let layers = SettingLayers(
            environment: ConfigReader(
                provider: EnvironmentVariablesProvider(
                    environmentVariables: environment, secretsSpecifier: .specific(["RECON_AUDIT_SIGNING_KEY"]))))
        let path = { (text: String, source: String) throws(ReconciliationError) -> String in
            try override(text, named: source)
        }
        reportDirectory = try layers.resolve(
            reportDirectory, variable: "RECON_REPORT_DIR", flag: overrides.reportDirectory, named: "--out", parse: path)
        formats = try layers.resolve(formats, variable: "RECON_REPORT_FORMATS") {
            text, source throws(ReconciliationError) in
            var formats: [ReportFormat] = []
            for part in text.split(separator: ",") {
                let trimmed = String(part).trimmingSpaces
                guard let format = ReportFormat(rawValue: trimmed) else {
                    throw SettingLayers.invalid(source, "unknown report format '\(trimmed)'")
                }
                guard !formats.contains(format) else {
                    throw SettingLayers.invalid(source, "report format '\(trimmed)' is listed twice")
                }
                formats.append(format)
            }
            return formats
        }
        logLevel = try layers.resolve(
            logLevel, variable: "RECON_LOG_LEVEL", flag: overrides.logLevel, named: "--log-level"
        ) { text, source throws(ReconciliationError) in
            guard logLevels.contains(text.lowercased()) else {
                throw SettingLayers.invalid(
                    source, "expected one of \(logLevels.joined(separator: ", ")), got '\(text)'")
            }
            return text.lowercased()
        }
        maxBreaks = try layers.resolve(
            maxBreaks, variable: "RECON_MAX_BREAKS", flag: overrides.maxBreaks.map(String.init), named: "--max-breaks"
        ) { text, source throws(ReconciliationError) in
            guard let number = Int(text), number >= 0 else {
                throw SettingLayers.invalid(source, "expected a whole number, got '\(text)'")
            }
            return number
        }
        let auditPath = try layers.resolve(
            audit?.path, variable: "RECON_AUDIT_FILE", flag: overrides.auditPath, named: "--audit", parse: path)
        audit = auditPath.map { AuditSettings(path: $0, signingKeyPath: audit?.signingKeyPath) }
        repositoryPath = try layers.resolve(
            repositoryPath, variable: "RECON_REPOSITORY", flag: overrides.repositoryPath, named: "--repository",
            parse: path)
        archiveDirectory = try layers.resolve(
            archiveDirectory, variable: "RECON_ARCHIVE_DIR", flag: overrides.archiveDirectory, named: "--archive",
            parse: path)
        // Where `recon fetch` saves the venues' responses and a run reads them: `fetch.dir`, by default a folder per
        // business day beside the job's folder.
        var fetchDirectory = resolve(try templated("../batches/{as_of}", document))
        if let fetchNode = top["fetch"] {
            let settings = try fetchNode.mapping(known: ["dir"])
            if let dir = settings["dir"] { fetchDirectory = try resolvePath(dir) }
        }
        fetchDirectory = try layers.resolve(
            fetchDirectory, variable: "RECON_FETCH_DIR", flag: overrides.fetchDirectory, named: "--fetch-dir",
            parse: path)
        FetchBatch.resolve(
            &statements, directory: fetchDirectory, job: name, asOf: asOf, paths: paths,
            maxBytes: limits.maxInputBytes)

        return JobSpec(
            name: name, asOf: asOf, ledger: ledger, statements: statements, tolerance: tolerance, maxBreaks: maxBreaks,
            aliases: aliases, report: ReportSettings(directory: reportDirectory, formats: formats), audit: audit,
            repositoryPath: repositoryPath, archiveDirectory: archiveDirectory, logLevel: logLevel, limits: limits,
            cutoff: cutoff, acknowledgements: acknowledgements, valuation: valuation, calendar: calendar,
            fetchDirectory: statements.contains { $0.fetch != nil } ? fetchDirectory : nil)
    }

    /// `cutoff: {time: "17:00", zone: "America/New_York"}` resolved on the as-of day.
    static func parseCutoff(_ node: JobFileNode, asOf: String) throws(ReconciliationError) -> Cutoff {
        let map = try node.mapping(known: ["time", "zone"])
        let time = try map["time"].map { node throws(ReconciliationError) in try node.nonEmptyString() }
        let zone = try map["zone"].map { node throws(ReconciliationError) in try node.nonEmptyString() }
        do {
            return try Cutoff.resolve(asOf: asOf, time: time, zone: zone)
        } catch {
            // A zone the database does not know is the zone's fault; anything else (a bad time, one the clocks skip
            // or repeat) the time's.
            let culprit = error.message.hasPrefix("unknown time zone") ? map["zone"] : map["time"]
            throw (culprit ?? node).error(error.message)
        }
    }

    /// What every input of a job shares while it is parsed.
    struct InputContext {
        let asOf: String
        let cutoff: Cutoff
        let snapshotSkew: Int64?
        let limits: IngestLimits
        let baseDirectory: String
        let paths: PathResolver
    }

    /// A path given either as a scalar or as a one-key mapping (`repository: {path: …}`).
    private static func pathValue(_ node: JobFileNode, key: String = "path") throws(ReconciliationError) -> String {
        if case .mapping = node.node {
            let mapping = try node.mapping(known: [key])
            guard let value = mapping[key] else { throw node.error("missing required key `\(key)`") }
            return try value.nonEmptyString()
        }
        return try node.nonEmptyString()
    }

    private static func parseLimits(_ node: JobFileNode) throws(ReconciliationError) -> IngestLimits {
        let map = try node.mapping(known: [
            "max_inflated_bytes", "max_inflate_ratio", "max_line_bytes", "max_errors", "max_input_bytes", "max_inputs",
        ])
        var limits = IngestLimits.standard
        if let value = map["max_inflated_bytes"] {
            limits.inflate.maxInflatedBytes = try value.integer(in: 1...Int64.max)
        }
        if let value = map["max_inflate_ratio"] { limits.inflate.maxRatio = try value.integer(in: 2...1_000_000) }
        if let value = map["max_line_bytes"] { limits.maxRecordBytes = Int(try value.integer(in: 1024...(1 << 30))) }
        if let value = map["max_errors"] { limits.maxErrors = Int(try value.integer(in: 1...1_000_000)) }
        if let value = map["max_input_bytes"] { limits.maxInputBytes = try value.integer(in: 1...Int64.max) }
        if let value = map["max_inputs"] { limits.maxInputs = Int(try value.integer(in: 2...1_000_000)) }
        return limits
    }

    static let inputKeys = [
        "name", "path", "paths", "format", "kind", "venue", "account", "columns", "fields", "records", "header",
        "delimiter", "decimal_separator", "thousands_separator", "negative_parentheses", "currency_symbols",
        "empty_is_zero", "aliases", "accounts", "missing_means_zero", "compare", "balance_type", "optional", "cutoff",
        "time_format", "time_zone", "taken_at", "max_snapshot_skew", "fetch",
    ]

    /// Every input of a side, parsed on every core when there are many (a job of 10,000 statement files spent 0.14 s
    /// of one core here, before the run could start); an error is the first input's in the file, as one at a time.
    private static func parseInputs(
        _ nodes: [JobFileNode], side: Side, context: InputContext
    ) throws(ReconciliationError) -> [InputSpec] {
        let parts = nodes.count < 512 ? 1 : ProcessInfo.processInfo.activeProcessorCount
        guard parts > 1 else {
            return try nodes.map { node throws(ReconciliationError) in
                try parseInput(node, side: side, context: context)
            }
        }
        // The parsed document is only read here, never changed: its nodes are shared by the threads.
        struct Shared: @unchecked Sendable {
            let nodes: [JobFileNode]
            let context: InputContext
        }
        let shared = Shared(nodes: nodes, context: context)
        let results = Parallel.map(nodes.count, parts: parts) { range in
            var parsed: [Result<InputSpec, ReconciliationError>] = []
            parsed.reserveCapacity(range.count)
            for position in range {
                let result = Result { () throws(ReconciliationError) -> InputSpec in
                    try parseInput(shared.nodes[position], side: side, context: shared.context)
                }
                parsed.append(result)
                if case .failure = result { break }  // the inputs after it in this part cannot be the first error
            }
            return parsed
        }
        // The parts' results in order: the first failure is the first bad input in the file.
        return try results.map { result throws(ReconciliationError) in try result.get() }
    }

    private static func parseInput(
        _ node: JobFileNode, side: Side, context: InputContext
    ) throws(ReconciliationError) -> InputSpec {
        let map = try node.mapping(known: inputKeys)
        let paths = context.paths
        var patterns: [(String, JobFileNode)] = []
        let fetchNode = map["fetch"]
        if let fetchNode {
            // A fetched input's files are the pages `recon fetch` saved in the batch, found when the job is loaded.
            guard side == .statement else { throw fetchNode.error("only statements are fetched from venues") }
            if let pathNode = map["path"] ?? map["paths"] {
                throw pathNode.error("a fetched input reads the pages `recon fetch` saved: remove `path`/`paths`")
            }
            if let optionalNode = map["optional"] {
                throw optionalNode.error(
                    "a fetched input cannot be `optional`: a failed or missing fetch must fail the run, not skip the "
                        + "venue")
            }
            guard let nameNode = map["name"], isBatchName(try nameNode.nonEmptyString()) else {
                throw (map["name"] ?? node).error(
                    "a fetched input needs a `name` of letters, digits, '.', '_' and '-' (its folder in the batch)")
            }
        } else if let pathNode = map["path"] {
            guard map["paths"] == nil else { throw node.error("give either `path` or `paths`, not both") }
            patterns = [(try pathNode.nonEmptyString(), pathNode)]
        } else if let pathsNode = map["paths"] {
            patterns = try pathsNode.sequence().map { item throws(ReconciliationError) in
                (try item.nonEmptyString(), item)
            }
            guard !patterns.isEmpty else { throw pathsNode.error("needs at least one path") }
        } else {
            throw node.error("missing required key `path`")
        }
        let optional = try map["optional"].map { node throws(ReconciliationError) in try node.bool() } ?? false
        // Templates first, then globs (sorted); a glob that matches nothing is the input's problem, not the job's.
        var files: [InputFile] = []
        var problem: String?
        for (pattern, patternNode) in patterns {
            let expanded: String
            do {
                expanded = try PathTemplate.expand(pattern, asOf: context.asOf)
            } catch {
                throw patternNode.error(error.message)
            }
            let absolute = paths.absolute(expanded, from: context.baseDirectory)
            guard PathTemplate.isGlob(expanded) else {
                files.append(InputFile(path: absolute, displayPath: paths.display(absolute)))
                continue
            }
            let matches = PathTemplate.matches(absolute)
            if matches.isEmpty && problem == nil {
                problem =
                    "no file matches \(paths.display(absolute))" + (pattern == expanded ? "" : " (from \(pattern))")
            }
            files += matches.map { InputFile(path: $0, displayPath: paths.display($0)) }
        }
        let asOf = context.asOf
        let limits = context.limits

        var format: String?
        if let formatNode = map["format"] {
            let name = try formatNode.string()
            guard StatementFormats.reader(named: name) != nil else {
                let hint = Spelling.closest(to: name, among: StatementFormats.names).map { "did you mean '\($0)'? " }
                throw formatNode.error(
                    "unknown format '\(name)'; \(hint ?? "")known formats: "
                        + StatementFormats.names.joined(separator: ", ") + " (`recon formats` says what each reads)")
            }
            format = name
        }
        var options = InputOptions(kind: side == .ledger ? .entries : .balances, limits: limits, asOf: asOf)
        options.cutoff =
            try map["cutoff"].map { node throws(ReconciliationError) in try parseCutoff(node, asOf: asOf) }
            ?? context.cutoff
        if let value = map["max_snapshot_skew"] ?? nil {
            options.maxSnapshotSkewSeconds = try value.durationSeconds()
        } else if let skew = context.snapshotSkew {
            options.maxSnapshotSkewSeconds = skew
        }
        options.timeFormat = try map["time_format"].map { node throws(ReconciliationError) in
            let format = try node.nonEmptyString()
            do throws(CutoffError) { _ = try TimeParser(format: format, zone: nil) } catch {
                throw node.error(error.message)
            }
            return format
        }
        options.timeZone = try map["time_zone"].map { node throws(ReconciliationError) in
            let zone = try node.nonEmptyString()
            do throws(CutoffError) { _ = try ZoneRules(zone) } catch { throw node.error(error.message) }
            return zone
        }
        options.takenAt = try map["taken_at"].map { node throws(ReconciliationError) in
            let text = try node.nonEmptyString()
            guard let stamp = Timestamp(text), stamp.hasOffset else {
                throw node.error("expected an ISO 8601 instant with an offset or Z, got '\(text)'")
            }
            return text
        }
        var fetch = try fetchNode.map { node throws(ReconciliationError) in
            try parseFetch(
                node, format: format, formatNode: map["format"], baseDirectory: context.baseDirectory, paths: paths)
        }
        if var fetched = fetch {
            if format == nil { format = fetched.api.formats[0] }
            if fetched.krakenLedgers, let cutoff = options.cutoff {
                fetched.ledgerEndSeconds = cutoff.instantMilliseconds / 1000 + 1
            }
            fetch = fetched
        }
        let inherentKind = format.flatMap { StatementFormats.reader(named: $0)?.inherentKind }
        if let kindNode = map["kind"] {
            options.kind = InputKind(rawValue: try kindNode.choice(InputKind.bookKinds.map(\.rawValue))) ?? .balances
            if let inherentKind, inherentKind != options.kind, let format {
                throw kindNode.error("format \(format) is always `kind: \(inherentKind.rawValue)`")
            }
        } else if let inherentKind {
            options.kind = inherentKind
        }
        options.venue = try map["venue"].map { node throws(ReconciliationError) in try node.nonEmptyString() }
        options.account = try map["account"].map { node throws(ReconciliationError) in try node.nonEmptyString() }
        if map["columns"] != nil && map["fields"] != nil {
            throw node.error("give either `columns` (CSV) or `fields` (JSON, XML), not both")
        }
        if let fieldsNode = map["columns"] ?? map["fields"] {
            let fields = try fieldsNode.mapping(known: [
                "venue", "account", "asset", "amount", "available", "hold", "time", "date",
            ])
            func field(_ key: String) throws(ReconciliationError) -> String? {
                try fields[key].map { node throws(ReconciliationError) in try node.nonEmptyString() }
            }
            options.fields = FieldMapping(
                venue: try field("venue"), account: try field("account"), asset: try field("asset"),
                amount: try field("amount"), available: try field("available"), hold: try field("hold"),
                time: try field("time"), date: try field("date"))
            if options.fields.date != nil && options.kind == .entries, let dateNode = fields["date"] {
                throw dateNode.error("`date` picks the balances of the as-of day; entries are cut off by `time`")
            }
            if options.fields.asset == nil { throw fieldsNode.error("missing required key `asset`") }
            if options.fields.amount == nil && options.fields.available == nil && options.fields.hold == nil {
                throw fieldsNode.error("map `amount`, or `available` and `hold`")
            }
        }
        options.records = try map["records"].map { node throws(ReconciliationError) in try node.nonEmptyString() }
        if let value = map["header"] { options.hasHeader = try value.bool() }
        if let value = map["delimiter"] { options.delimiter = try value.byte() }
        if let value = map["decimal_separator"] {
            let byte = try value.byte()
            guard byte == UInt8(ascii: ".") || byte == UInt8(ascii: ",") else {
                throw value.error("expected '.' or ','")
            }
            options.amountSyntax.decimalSeparator = byte
        }
        if let value = map["thousands_separator"] {
            let byte = try value.byte()
            guard byte != options.amountSyntax.decimalSeparator else {
                throw value.error("the thousands separator cannot be the decimal separator")
            }
            options.amountSyntax.groupingSeparator = byte
        }
        if let value = map["negative_parentheses"] { options.amountSyntax.allowsParentheses = try value.bool() }
        if let value = map["currency_symbols"] { options.amountSyntax.allowsCurrencySymbol = try value.bool() }
        if let value = map["empty_is_zero"] { options.amountSyntax.emptyMeansZero = try value.bool() }
        if let value = map["balance_type"] { options.balanceType = try value.nonEmptyString().uppercased() }

        // The format owns what its inputs must say (a detected format is checked when it is read).
        if let problem = format.flatMap(StatementFormats.reader(named:))?.validate(&options) {
            throw node.error(problem)
        }

        let compare = try map["compare"].map { node throws(ReconciliationError) in
            ComparedFigure(rawValue: try node.choice(ComparedFigure.allCases.map(\.rawValue))) ?? .total
        }
        var spec = InputSpec(
            side: side,
            name: try map["name"].map { node throws(ReconciliationError) in try node.nonEmptyString() }
                ?? files.first?.displayPath ?? patterns[0].0,
            files: files, format: format, options: options,
            aliases: try map["aliases"].map { node throws(ReconciliationError) in try node.stringMap() } ?? [:],
            accounts: try map["accounts"].map { node throws(ReconciliationError) in try node.stringMap() } ?? [:],
            missingMeansZero: try map["missing_means_zero"].map { node throws(ReconciliationError) in try node.bool() }
                ?? false,
            compare: compare)
        spec.optional = optional
        spec.problem = problem
        spec.fetch = fetch
        return spec
    }

    private static func parseTolerancePolicy(_ node: JobFileNode) throws(ReconciliationError) -> TolerancePolicy {
        let map = try node.mapping(known: ["default", "assets", "venues", "venue_assets"])
        var policy = TolerancePolicy.exact
        if let value = map["default"] { policy.defaultRule = try parseRule(value) }
        if let value = map["assets"] {
            for (asset, rule) in try value.freeMapping() { policy.assets[asset.uppercased()] = try parseRule(rule) }
        }
        if let value = map["venues"] {
            for (venue, rule) in try value.freeMapping() { policy.venues[venue.lowercased()] = try parseRule(rule) }
        }
        if let value = map["venue_assets"] {
            for (venue, assets) in try value.freeMapping() {
                var rules: [String: ToleranceRule] = [:]
                for (asset, rule) in try assets.freeMapping() { rules[asset.uppercased()] = try parseRule(rule) }
                policy.venueAssets[venue.lowercased()] = rules
            }
        }
        return policy
    }

    private static func parseRule(_ node: JobFileNode) throws(ReconciliationError) -> ToleranceRule {
        let map = try node.mapping(known: ["absolute", "relative", "relative_bps", "inferred", "value"])
        var rule = ToleranceRule()
        if let value = map["absolute"] { rule.absolute = try value.nonNegativeAmount() }
        if let value = map["value"] { rule.value = try value.nonNegativeAmount() }
        if let value = map["relative"] {
            guard map["relative_bps"] == nil else {
                throw node.error("give either `relative` or `relative_bps`, not both")
            }
            rule.relative = try value.nonNegativeAmount()
        }
        if let value = map["relative_bps"] {
            let basisPoints = try value.nonNegativeAmount()
            guard let fraction = try? basisPoints.multiplied(by: Amount(uncheckedSignificand: 1, scale: 4)) else {
                throw value.error("out of range")
            }
            rule.relative = fraction
        }
        if let value = map["inferred"] {
            if case .mapping = value.node {
                let settings = try value.mapping(known: ["multiplier", "integers"])
                rule.inferred = InferredTolerance(
                    multiplier: try settings["multiplier"].map { node throws(ReconciliationError) in
                        try node.nonNegativeAmount()
                    },
                    integers: try settings["integers"].map { node throws(ReconciliationError) in try node.bool() }
                        ?? false)
            } else if try value.bool() {
                rule.inferred = InferredTolerance()
            }
        }
        if rule.absolute == nil && rule.relative == nil && rule.inferred == nil && rule.value == nil {
            throw node.error("a tolerance needs `absolute`, `relative`, `relative_bps`, `inferred` or `value`")
        }
        return rule
    }

    static func yamlProblem(_ error: YamlError) -> String {
        switch error {
        case .scanner(_, let problem, _, _), .parser(_, let problem, _, _), .composer(_, let problem, _, _):
            problem
        case .reader(let problem, _, _, _): problem
        case .duplicatedKeysInMapping(let duplicates, _): "duplicated keys \(duplicates.joined(separator: ", "))"
        default: "\(error)"
        }
    }

    static func yamlLocation(_ error: YamlError, file: String) -> SourceLocation {
        switch error {
        case .scanner(_, _, let mark, _), .parser(_, _, let mark, _), .composer(_, _, let mark, _):
            SourceLocation(file: file, line: mark.line, column: mark.column)
        default: SourceLocation(file: file)
        }
    }
}

/// Whether `text` is a real calendar date `YYYY-MM-DD`.
package func isCalendarDate(_ text: String) -> Bool {
    let parts = text.split(separator: "-", omittingEmptySubsequences: false)
    guard parts.count == 3, parts[0].count == 4, parts[1].count == 2, parts[2].count == 2,
        let year = Int(parts[0]), let month = Int(parts[1]), let day = Int(parts[2]),
        (1...12).contains(month), day >= 1
    else { return false }
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
    let days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31]
    return day <= days[month - 1]
}

/// How a setting is chosen when it can come from several places: the command-line flag, else the `RECON_*`
/// environment variable (read through swift-configuration: `RECON_REPORT_DIR` is the key `recon.report.dir`), else
/// the job file, else the default. Written once, here, for every such setting.
struct SettingLayers {
    let environment: ConfigReader

    /// `current` (the job file's value or the default), replaced by the environment variable when it is set and not
    /// empty, then by the flag when given — each parsed by `parse(text, source)`, `source` naming where the text came
    /// from (`environment variable RECON_MAX_BREAKS`, `--max-breaks`) for its errors.
    func resolve<Value>(
        _ current: Value, variable: String, flag: String? = nil, named flagName: String = "",
        parse: (String, String) throws(ReconciliationError) -> Value
    ) throws(ReconciliationError) -> Value {
        var value = current
        let key = variable.lowercased().replacingAll("_", with: ".")
        if let text = environment.string(forKey: ConfigKey(key)), !text.isEmpty {
            value = try parse(text, "environment variable \(variable)")
        }
        if let flag { value = try parse(flag, flagName) }
        return value
    }

    /// A value that cannot be used, named by where it came from: a flag's is a usage error, a variable's a job error.
    static func invalid(_ source: String, _ message: String) -> ReconciliationError {
        ReconciliationError(source.hasPrefix("--") ? .usage : .job, "\(source): \(message)")
    }
}
