/// The effective configuration of a job as JSON: recorded in full in the audit trail when a run starts, and read
/// back by `recon replay` to re-run the batch exactly as it was configured. Secrets are never part of it (the signing
/// key is recorded only as "configured").
extension JobSpec {
    /// The configuration as JSON.
    package var jsonValue: JSONValue {
        var members: [String: JSONValue] = [
            "job": .string(name),
            "as_of": .string(asOf),
            "cutoff": cutoff.jsonValue,
            "max_breaks": .integer(maxBreaks),
            "aliases": Self.stringMap(aliases),
            "log_level": .string(logLevel),
            "tolerance": Self.policyJSON(tolerance),
            "limits": .object([
                "max_inflated_bytes": .integer(limits.inflate.maxInflatedBytes),
                "max_inflate_ratio": .integer(limits.inflate.maxRatio),
                "max_line_bytes": .integer(limits.maxRecordBytes),
                "max_errors": .integer(limits.maxErrors),
            ]),
            "report": .object([
                "dir": .string(report.directory), "formats": .array(report.formats.map { .string($0.rawValue) }),
            ]),
            "audit": audit.map {
                .object(["path": .string($0.path), "signing_key": .bool($0.signingKeyPath != nil)])
            } ?? .null,
            "repository": .string(repositoryPath),
            "archive": .string(archiveDirectory),
            "ledger": .array(ledger.map(\.jsonValue)),
            "statements": .array(statements.map(\.jsonValue)),
        ]
        // Recorded only when set, so the configuration of a job without them reads as it always did.
        if let acknowledgements { members["acknowledgements"] = .string(acknowledgements.displayPath) }
        if let calendar { members["calendar"] = .string(calendar.displayPath) }
        if let valuation {
            members["valuation"] = .object([
                "currency": .string(valuation.currency), "decimals": .integer(valuation.decimals),
                "prices": .string(valuation.prices.displayPath),
            ])
        }
        return .object(members)
    }

    /// A job from its recorded configuration.
    package init(json element: JSONElement) throws(ReconciliationError) {
        let reader = JSONConfig(element, path: "config")
        let name = try reader.string("job")
        let asOf = try reader.string("as_of")
        // Configurations recorded before runs had a cutoff took the whole day in UTC.
        let cutoff = try reader.optionalObject("cutoff").map { item throws(ReconciliationError) in
            try Cutoff(config: item, asOf: asOf)
        }
        let ledger = try reader.array("ledger").map { item throws(ReconciliationError) in try InputSpec(config: item) }
        let statements = try reader.array("statements").map { item throws(ReconciliationError) in
            try InputSpec(config: item)
        }
        let limitsReader = try reader.object("limits")
        let limits = IngestLimits(
            inflate: InflateLimits(
                maxInflatedBytes: Int64(try limitsReader.integer("max_inflated_bytes")),
                maxRatio: Int64(try limitsReader.integer("max_inflate_ratio"))),
            maxRecordBytes: try limitsReader.integer("max_line_bytes"),
            maxErrors: try limitsReader.integer("max_errors"))
        let reportReader = try reader.object("report")
        let formats = try reportReader.array("formats").map { item throws(ReconciliationError) in
            guard let format = ReportFormat(rawValue: item.element.text ?? "") else {
                throw item.error("unknown report format")
            }
            return format
        }
        var audit: AuditSettings?
        if let auditReader = try reader.optionalObject("audit") {
            audit = AuditSettings(path: try auditReader.string("path"))
        }
        self.init(
            name: name, asOf: asOf, ledger: ledger, statements: statements,
            tolerance: try Self.policy(try reader.object("tolerance")), maxBreaks: try reader.integer("max_breaks"),
            aliases: try reader.stringMap("aliases"),
            report: ReportSettings(directory: try reportReader.string("dir"), formats: formats), audit: audit,
            repositoryPath: try reader.optionalString("repository"),
            archiveDirectory: try reader.optionalString("archive"), logLevel: try reader.string("log_level"),
            limits: limits, cutoff: cutoff,
            acknowledgements: try reader.optionalString("acknowledgements").map {
                InputFile(path: $0, displayPath: $0)
            },
            valuation: try reader.optionalObject("valuation").map { item throws(ReconciliationError) in
                let prices = try item.string("prices")
                return ValuationSettings(
                    currency: try item.string("currency"), decimals: try item.integer("decimals"),
                    prices: InputFile(path: prices, displayPath: prices))
            },
            calendar: try reader.optionalString("calendar").map { InputFile(path: $0, displayPath: $0) })
    }

    static func stringMap(_ map: [String: String]) -> JSONValue {
        .object(map.mapValues { .string($0) })
    }

    static func ruleJSON(_ rule: ToleranceRule) -> JSONValue {
        var members: [String: JSONValue] = [
            "absolute": .amount(rule.absolute),
            "relative": .amount(rule.relative),
            "inferred": rule.inferred.map {
                .object(["multiplier": .amount($0.multiplier), "integers": .bool($0.integers)])
            } ?? .null,
        ]
        if let value = rule.value { members["value"] = .amount(value) }
        return .object(members)
    }

    static func policyJSON(_ policy: TolerancePolicy) -> JSONValue {
        .object([
            "default": ruleJSON(policy.defaultRule),
            "assets": .object(policy.assets.mapValues(ruleJSON)),
            "venues": .object(policy.venues.mapValues(ruleJSON)),
            "venue_assets": .object(policy.venueAssets.mapValues { .object($0.mapValues(ruleJSON)) }),
        ])
    }

    static func rule(_ reader: JSONConfig) throws(ReconciliationError) -> ToleranceRule {
        var rule = ToleranceRule(
            absolute: try reader.optionalAmount("absolute"), relative: try reader.optionalAmount("relative"),
            value: try reader.optionalAmount("value"))
        if let inferred = try reader.optionalObject("inferred") {
            rule.inferred = InferredTolerance(
                multiplier: try inferred.optionalAmount("multiplier"), integers: try inferred.bool("integers"))
        }
        return rule
    }

    static func policy(_ reader: JSONConfig) throws(ReconciliationError) -> TolerancePolicy {
        var policy = TolerancePolicy(defaultRule: try rule(try reader.object("default")))
        for (asset, value) in try reader.object("assets").members() { policy.assets[asset] = try rule(value) }
        for (venue, value) in try reader.object("venues").members() { policy.venues[venue] = try rule(value) }
        for (venue, assets) in try reader.object("venue_assets").members() {
            var rules: [String: ToleranceRule] = [:]
            for (asset, value) in try assets.members() { rules[asset] = try rule(value) }
            policy.venueAssets[venue] = rules
        }
        return policy
    }
}

extension InputSpec {
    /// The input as recorded configuration.
    package var jsonValue: JSONValue {
        let syntax = options.amountSyntax
        let fields = options.fields
        var recorded = recordedMembers(syntax: syntax, fields: fields)
        // Recorded only for fetched inputs, so the records of every other input (and their digests) stay as they were.
        if let fetch {
            recorded["fetch"] = .object(["api": .string(fetch.api.rawValue), "base_url": .string(fetch.baseURL)])
        }
        return .object(recorded)
    }

    private func recordedMembers(syntax: AmountSyntax, fields: FieldMapping) -> [String: JSONValue] {
        [
            "side": .string(side.rawValue),
            "name": .string(name),
            "files": .array(
                files.map { .object(["path": .string($0.path), "display_path": .string($0.displayPath)]) }),
            "format": .string(format),
            "kind": .string(options.kind.rawValue),
            "venue": .string(options.venue),
            "account": .string(options.account),
            "fields": .object([
                "venue": .string(fields.venue), "account": .string(fields.account), "asset": .string(fields.asset),
                "amount": .string(fields.amount), "available": .string(fields.available), "hold": .string(fields.hold),
                "time": .string(fields.time), "date": .string(fields.date),
            ]),
            "cutoff": options.cutoff?.jsonValue ?? .null,
            "time_format": .string(options.timeFormat),
            "time_zone": .string(options.timeZone),
            "taken_at": .string(options.takenAt),
            "max_snapshot_skew_seconds": .integer(Int(options.maxSnapshotSkewSeconds)),
            "optional": .bool(optional),
            "problem": .string(problem),
            "records": .string(options.records),
            "header": .bool(options.hasHeader),
            "delimiter": .string(String(decoding: [options.delimiter], as: UTF8.self)),
            "decimal_separator": .string(String(decoding: [syntax.decimalSeparator], as: UTF8.self)),
            "thousands_separator": .string(syntax.groupingSeparator.map { String(decoding: [$0], as: UTF8.self) }),
            "exponent": .bool(syntax.allowsExponent),
            "negative_parentheses": .bool(syntax.allowsParentheses),
            "currency_symbols": .bool(syntax.allowsCurrencySymbol),
            "empty_is_zero": .bool(syntax.emptyMeansZero),
            "balance_type": .string(options.balanceType),
            "as_of": .string(options.asOf),
            "aliases": JobSpec.stringMap(aliases),
            "accounts": JobSpec.stringMap(accounts),
            "missing_means_zero": .bool(missingMeansZero),
            "compare": .string(compare?.rawValue),
        ]
    }

    /// An input from its recorded configuration.
    init(config: JSONConfig) throws(ReconciliationError) {
        guard let side = Side(rawValue: try config.string("side")) else { throw config.error("unknown side") }
        let files = try config.array("files").map { item throws(ReconciliationError) in
            InputFile(path: try item.string("path"), displayPath: try item.string("display_path"))
        }
        guard let kind = InputKind(rawValue: try config.string("kind")) else { throw config.error("unknown kind") }
        let fields = try config.object("fields")
        var syntax = AmountSyntax()
        syntax.decimalSeparator = try config.byte("decimal_separator")
        syntax.groupingSeparator = try config.optionalString("thousands_separator").flatMap { $0.utf8.first }
        syntax.allowsExponent = try config.bool("exponent")
        syntax.allowsParentheses = try config.bool("negative_parentheses")
        syntax.allowsCurrencySymbol = try config.bool("currency_symbols")
        syntax.emptyMeansZero = try config.bool("empty_is_zero")
        var options = InputOptions(
            kind: kind, venue: try config.optionalString("venue"), account: try config.optionalString("account"),
            fields: FieldMapping(
                venue: try fields.optionalString("venue"), account: try fields.optionalString("account"),
                asset: try fields.optionalString("asset"), amount: try fields.optionalString("amount"),
                available: try fields.optionalString("available"), hold: try fields.optionalString("hold"),
                time: try fields.optionalString("time"), date: try fields.optionalString("date")),
            records: try config.optionalString("records"), hasHeader: try config.bool("header"),
            delimiter: try config.byte("delimiter"), amountSyntax: syntax,
            balanceType: try config.string("balance_type"),
            asOf: try config.optionalString("as_of"))
        // Keys recorded since runs have a time dimension; older records lack them and read as before.
        options.cutoff = try config.optionalObject("cutoff").map { item throws(ReconciliationError) in
            try Cutoff(config: item, asOf: options.asOf ?? "")
        }
        options.timeFormat = try config.optionalString("time_format")
        options.timeZone = try config.optionalString("time_zone")
        options.takenAt = try config.optionalString("taken_at")
        if config.element["max_snapshot_skew_seconds"] != nil {
            options.maxSnapshotSkewSeconds = Int64(try config.integer("max_snapshot_skew_seconds"))
        }
        self.init(
            side: side, name: try config.string("name"), files: files, format: try config.optionalString("format"),
            options: options, aliases: try config.stringMap("aliases"), accounts: try config.stringMap("accounts"),
            missingMeansZero: try config.bool("missing_means_zero"),
            compare: try config.optionalString("compare").flatMap(ComparedFigure.init(rawValue:)))
        if config.element["optional"] != nil { optional = try config.bool("optional") }
        problem = try config.optionalString("problem")
    }
}

extension Cutoff {
    /// The cutoff as recorded: the day, the wall-clock time and zone as configured, and the instant they gave.
    package var jsonValue: JSONValue {
        .object([
            "as_of": .string(asOf), "time": .string(time), "zone": .string(zone), "instant": .string(instantISO8601),
        ])
    }

    /// A recorded cutoff, resolved again and checked against the recorded instant (zone rules can change between
    /// releases of the zone database: a replay then says so rather than silently using another instant).
    init(config: JSONConfig, asOf: String) throws(ReconciliationError) {
        let day = try config.optionalString("as_of") ?? asOf
        let time = try config.optionalString("time")
        let zone = try config.optionalString("zone")
        do throws(CutoffError) {
            self = try Cutoff.resolve(asOf: day, time: time, zone: zone)
        } catch {
            throw config.error(error.message)
        }
        if let recorded = try config.optionalString("instant"), recorded != instantISO8601 {
            throw config.error(
                "the cutoff resolves to \(instantISO8601) today but was recorded as \(recorded) (zone rules changed?)")
        }
    }
}

/// Typed reads from a recorded JSON configuration, with the key path in every error.
struct JSONConfig {
    let element: JSONElement
    let path: String

    init(_ element: JSONElement, path: String) {
        self.element = element
        self.path = path
    }

    func error(_ message: String) -> ReconciliationError {
        ReconciliationError(.audit, "recorded configuration at `\(path)`: \(message)")
    }

    private func member(_ key: String) throws(ReconciliationError) -> JSONElement {
        guard let value = element[key] else { throw error("missing `\(key)`") }
        return value
    }

    func string(_ key: String) throws(ReconciliationError) -> String {
        guard let text = try member(key).text else { throw error("`\(key)` is not text") }
        return text
    }

    func optionalString(_ key: String) throws(ReconciliationError) -> String? {
        guard let value = element[key], !value.isNull else { return nil }
        guard let text = value.text else { throw error("`\(key)` is not text") }
        return text
    }

    func integer(_ key: String) throws(ReconciliationError) -> Int {
        guard let value = Int(try string(key)) else { throw error("`\(key)` is not a whole number") }
        return value
    }

    func bool(_ key: String) throws(ReconciliationError) -> Bool {
        guard case .bool(let value) = try member(key).kind else { throw error("`\(key)` is not true or false") }
        return value
    }

    func byte(_ key: String) throws(ReconciliationError) -> UInt8 {
        guard let byte = try string(key).utf8.first else { throw error("`\(key)` is empty") }
        return byte
    }

    func optionalAmount(_ key: String) throws(ReconciliationError) -> Amount? {
        guard let text = try optionalString(key) else { return nil }
        guard let value = Amount(text) else { throw error("`\(key)` is not an amount") }
        return value
    }

    func object(_ key: String) throws(ReconciliationError) -> JSONConfig {
        let value = try member(key)
        guard case .object = value.kind else { throw error("`\(key)` is not an object") }
        return JSONConfig(value, path: path + "." + key)
    }

    func optionalObject(_ key: String) throws(ReconciliationError) -> JSONConfig? {
        guard let value = element[key], !value.isNull else { return nil }
        return try object(key)
    }

    func array(_ key: String) throws(ReconciliationError) -> [JSONConfig] {
        guard case .array(let items) = try member(key).kind else { throw error("`\(key)` is not a list") }
        return items.enumerated().map { JSONConfig($1, path: "\(path).\(key)[\($0)]") }
    }

    func members() throws(ReconciliationError) -> [(String, JSONConfig)] {
        element.members.map { ($0.key, JSONConfig($0.value, path: path + "." + $0.key)) }
    }

    func stringMap(_ key: String) throws(ReconciliationError) -> [String: String] {
        var result: [String: String] = [:]
        for (name, value) in try object(key).members() {
            guard let text = value.element.text else { throw value.error("not text") }
            result[name] = text
        }
        return result
    }
}
