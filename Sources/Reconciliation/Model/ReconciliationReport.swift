/// Everything a run concluded: the result, the inputs it read, the verdict and the exit status. Report writers render
/// it; the audit trail records its digest.
public struct ReconciliationReport: Sendable {
    /// The run's id (shared with the audit trail and the repository).
    public let runID: String
    /// The job's name.
    public let job: String
    /// The business day reconciled.
    public let asOf: String
    /// The instant the balances were taken at.
    public let cutoff: Cutoff
    /// Things about the run as a whole that change how to read its lines (an input that failed without naming the
    /// keys it would have covered).
    public let notices: [String]
    /// When the run started (from the run's clock), ISO 8601 UTC.
    public let startedAt: String
    /// The version of `recon` that produced it.
    public let toolVersion: String
    /// The verdict.
    public let status: ReconciliationStatus
    /// Breaks accepted before the exit status becomes 1.
    public let maxBreaks: Int
    /// One line per key.
    public let result: ReconciliationResult
    /// The inputs read.
    public let inputs: [InputSummary]
    /// For breaks seen in earlier runs of the job: since when and for how many consecutive runs.
    public let ageing: [BalanceKey: BreakAge]
    /// For statement balances that do not continue the previous business day's closing (from the run repository):
    /// the finding. Like ageing it comes from history, so it is shown but not part of the result digest.
    public let continuity: [BalanceKey: String]
    /// Where the run sits in its audit file (the `run_started` record), when the job keeps one.
    public let audit: AuditReference?
    /// The prices differences were valued with, when the job values them.
    public let valuation: Valuation?
    /// SHA-256 over the canonical result (job, as-of, status, counts, lines): equal digests mean equal results.
    public var resultDigest: String {
        guard let settledDigest else {
            preconditionFailure("the result digest is read before it is made (see settleDigest(writing:))")
        }
        return settledDigest
    }
    /// The digest once made: when the report is, or while report.json is written (``settleDigest(writing:)``).
    private var settledDigest: String?
    /// The breaks, largest first (see ``ranked(_:)``).
    public let rankedBreaks: [ReconciliationLine]
    /// The acknowledged breaks, in the same order.
    public let acknowledgedLines: [ReconciliationLine]
    /// Counts per classification for each venue, venues sorted by their UTF-8 bytes.
    package let countsByVenue: [(venue: String, counts: [Classification: Int])]

    /// Creates a report, deriving the status and the digest.
    public init(
        runID: String, job: String, asOf: String, startedAt: String, toolVersion: String, maxBreaks: Int,
        result: ReconciliationResult, inputs: [InputSummary], ageing: [BalanceKey: BreakAge] = [:],
        continuity: [BalanceKey: String] = [:], valuation: Valuation? = nil, audit: AuditReference? = nil,
        cutoff: Cutoff? = nil, notices: [String] = []
    ) {
        self.init(
            runID: runID, job: job, asOf: asOf, startedAt: startedAt, toolVersion: toolVersion, maxBreaks: maxBreaks,
            result: result, inputs: inputs, ageing: ageing, continuity: continuity, valuation: valuation, audit: audit,
            cutoff: cutoff, notices: notices, digestNow: true)
    }

    /// Creates a report, deriving the status; with `digestNow` false the digest is left to be made by
    /// ``settleDigest(writing:)`` while report.json is written — one encoding of the lines for both, where a run of
    /// 1.3M lines spent 1.8 s of CPU encoding them a second time — and reading it before traps.
    package init(
        runID: String, job: String, asOf: String, startedAt: String, toolVersion: String, maxBreaks: Int,
        result: ReconciliationResult, inputs: [InputSummary], ageing: [BalanceKey: BreakAge] = [:],
        continuity: [BalanceKey: String] = [:], valuation: Valuation? = nil, audit: AuditReference? = nil,
        cutoff: Cutoff? = nil, notices: [String] = [], digestNow: Bool
    ) {
        self.runID = runID
        self.job = job
        self.asOf = asOf
        let cutoff = cutoff ?? Cutoff.resolve(asOf: asOf)
        self.cutoff = cutoff
        self.notices = notices
        self.startedAt = startedAt
        self.toolVersion = toolVersion
        self.maxBreaks = maxBreaks
        self.result = result
        self.inputs = inputs
        self.ageing = ageing
        self.continuity = continuity
        self.valuation = valuation
        self.audit = audit
        let status = Self.status(of: result, inputs: inputs)
        self.status = status
        // Made once: every report file lists the breaks and the venues' counts, each a pass over every line (four
        // writers, several passes each, at 1.3M lines: the page report started last finished a second after the rest).
        rankedBreaks = Self.ranked(result.breaks)
        acknowledgedLines = Self.ranked(result.lines { $0 == .acknowledged })
        countsByVenue = Self.countsByVenue(result.lines)
        if digestNow { settledDigest = Self.digest(canonicalResult) }
    }

    /// Counts per classification for each venue, venues sorted: the lines are in key order, so a venue's lines come
    /// together and its entry is looked up once a run of them, not once a line.
    private static func countsByVenue(
        _ lines: [ReconciliationLine]
    ) -> [(venue: String, counts: [Classification: Int])] {
        var byVenue: [String: [Classification: Int]] = [:]
        var position = lines.startIndex
        while position < lines.endIndex {
            let venue = lines[position].key.venue
            var counts: [Classification: Int] = [:]
            while position < lines.endIndex && lines[position].key.venue == venue {
                counts[lines[position].classification, default: 0] += 1
                position += 1
            }
            byVenue[venue, default: [:]].merge(counts, uniquingKeysWith: +)
        }
        return byVenue.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }.map { ($0, byVenue[$0] ?? [:]) }
    }

    /// The run status: `failed` when every ledger and statement input failed, `partial` when an input (or a reference
    /// file) did, else from the lines.
    public static func status(of result: ReconciliationResult, inputs: [InputSummary]) -> ReconciliationStatus {
        // `failed` when every input of the books failed (reference files read or not: nothing was reconciled).
        let books = inputs.filter { $0.side != .reference }
        if !books.isEmpty && books.allSatisfy(\.failed) { return .failed }
        if inputs.contains(where: \.failed) { return .partial }
        let counts = result.counts
        if Classification.allCases.contains(where: { $0.isBreak && counts[$0, default: 0] > 0 }) { return .breaks }
        if counts[.acknowledged, default: 0] > 0 { return .reconciledWithAcknowledged }
        if counts[.withinTolerance, default: 0] > 0 { return .reconciledWithinTolerance }
        return .reconciled
    }

    /// A line's notes with what history says about it (continuity), for the human-readable reports.
    public func notes(of line: ReconciliationLine) -> [String] {
        guard !continuity.isEmpty, let finding = continuity[line.key] else { return line.notes }
        return line.notes + ["discontinuity: " + finding]
    }

    /// The number of breaks (from the counts made once, not a pass over the lines: every exit status asks).
    public var breakCount: Int {
        Classification.allCases.filter(\.isBreak).reduce(0) { $0 + result.counts[$1, default: 0] }
    }

    /// 0 reconciled (or breaks within `max_breaks`), 1 breaks, 2 an input or the run failed.
    public var exitStatus: Int32 {
        switch status {
        case .reconciled, .reconciledWithinTolerance, .reconciledWithAcknowledged: 0
        case .breaks: breakCount > maxBreaks ? 1 : 0
        case .partial, .failed: 2
        }
    }

    /// Whether the result digest is still to be made (see ``settleDigest(writing:)``).
    package var digestPending: Bool { settledDigest == nil }

    /// This report's canonical result, the bytes its digest covers.
    package var canonicalResult: JSONValue {
        Self.canonicalResult(
            job: job, asOf: asOf, cutoff: cutoff, status: status, counts: result.counts, lines: result.linesJSON())
    }

    /// Makes the pending result digest: from what `write` writes, when it writes the canonical lines through the tap
    /// it is given (report.json does, with its lines), else — `write` never called it (report.json could not be
    /// opened) — from the canonical result encoded on its own. `write` is called once; the tap's `finish` hashes what
    /// follows the lines and returns the digest, which report.json then names.
    package mutating func settleDigest(
        writing write: (_ tap: JSONElementsTap, _ finish: @Sendable () -> String) -> Void
    ) {
        precondition(digestPending, "the result digest is made once")
        final class Hashing: @unchecked Sendable {
            var hasher = InputHasher()
            var digest: String?
            var fed = false
        }
        let hashing = Hashing()
        let canonical = canonicalResult
        // The canonical result is an object whose last two members are `lines` and `status`: its bytes are what comes
        // before the lines' `[`, the lines, then `,"status":…}`.
        let (head, tail) = Self.frame(of: canonical, status: status)
        let ageing = ageing
        let continuity = continuity
        let lines = result.lines
        // Without history every line is written as digested: the maps are not asked (a lookup in an empty dictionary
        // still hashes the key's three strings, 1.3M times).
        let history = !ageing.isEmpty || !continuity.isEmpty
        let tap = JSONElementsTap(
            sink: ByteSink { bytes in
                if !hashing.fed {
                    hashing.fed = true
                    head.withUnsafeBytes { hashing.hasher.update($0) }
                }
                hashing.hasher.update(bytes)
            },
            differing: { position, output in
                // A line with an age or a continuity finding is written with them; the digest leaves them out.
                guard history else { return false }
                let key = lines[position].key
                guard ageing[key] != nil || continuity[key] != nil else { return false }
                lines[position].writeJSON(to: &output, indent: false, level: 0, age: nil, continuity: nil)
                return true
            })
        write(tap) {
            precondition(hashing.fed && hashing.digest == nil, "the tap took the lines before the digest is made")
            tail.withUnsafeBytes { hashing.hasher.update($0) }
            let digest = "sha256:" + hashing.hasher.finalizeHex()
            hashing.digest = digest
            return digest
        }
        settledDigest = hashing.digest ?? Self.digest(canonical)
    }

    /// This report with its pending digest given (made elsewhere, see ``settleDigest(writing:)``).
    package func settled(_ digest: String) -> ReconciliationReport {
        precondition(digestPending, "the result digest is made once")
        var report = self
        report.settledDigest = digest
        return report
    }

    /// The bytes of `canonical` (a canonical result) before its lines' `[` and after their `]`.
    private static func frame(of canonical: JSONValue, status: ReconciliationStatus) -> (head: [UInt8], tail: [UInt8]) {
        guard case .object(var members) = canonical else { preconditionFailure("a canonical result is an object") }
        members["lines"] = .elements(JSONElements(count: 0) { _, _, _, _ in })
        let empty = JSONValue.object(members).encodedBytes()
        let tail = Array(",\"status\":".utf8) + JSONValue.string(status.rawValue).encodedBytes() + [UInt8(ascii: "}")]
        let cut = empty.count - tail.count - 2
        precondition(
            cut > 0 && Array(empty[cut...]) == Array("[]".utf8) + tail,
            "a canonical result ends with its lines and status")
        return (Array(empty[..<cut]), tail)
    }

    /// The canonical result, the bytes the digest covers.
    package static func canonicalResult(
        job: String, asOf: String, cutoff: Cutoff, status: ReconciliationStatus, result: ReconciliationResult
    ) -> JSONValue {
        canonicalResult(
            job: job, asOf: asOf, cutoff: cutoff, status: status, counts: result.counts, lines: result.linesJSON())
    }

    static func canonicalResult(
        job: String, asOf: String, cutoff: Cutoff, status: ReconciliationStatus, counts: [Classification: Int],
        lines: JSONValue
    ) -> JSONValue {
        // `acknowledged` is left out of the digested counts while zero, so a run recorded before acknowledgements
        // existed replays to the same digest.
        var digested = countsJSON(counts)
        if counts[.acknowledged, default: 0] == 0, case .object(var members) = digested {
            members["acknowledged"] = nil
            digested = .object(members)
        }
        return .object([
            "job": .string(job), "as_of": .string(asOf), "cutoff": .string(cutoff.instantISO8601),
            "status": .string(status.rawValue), "counts": digested, "lines": lines,
        ])
    }

    static func digest(_ canonical: JSONValue) -> String {
        // Hashed as it is encoded: the canonical result of a million lines is never whole in memory.
        final class Hashing {
            var hasher = InputHasher()
        }
        let hashing = Hashing()
        canonical.write(to: ByteSink { hashing.hasher.update($0) }, pretty: false)
        return "sha256:" + hashing.hasher.finalizeHex()
    }

    /// Counts per classification as a JSON object (every classification present).
    package static func countsJSON(_ counts: [Classification: Int]) -> JSONValue {
        .object(
            Dictionary(
                uniqueKeysWithValues: Classification.allCases.map { ($0.rawValue, .integer(counts[$0, default: 0])) }))
    }
}

/// Since when a break (or an acknowledged one) has been outstanding, from the run repository.
public struct BreakAge: Sendable, Hashable {
    /// The first as-of day of the current streak: every business day with a run from then to this one showed it.
    public let firstSeen: String
    /// Business days from ``firstSeen`` to this run's as-of day (0: new today; a break first seen on Friday is 1 on
    /// Monday). Re-running a day does not age anything.
    public let ageDays: Int
}

/// One input as a report shows it.
public struct InputSummary: Sendable, Hashable {
    /// Ledger or statement.
    public let side: Side
    /// Its label.
    public let name: String
    /// Entries or balances.
    public let kind: InputKind
    /// Its files with size, digest and format.
    public let files: [FileFacts]
    /// Rows or records read.
    public let recordCount: Int
    /// Balances it contributed.
    public let balanceCount: Int
    /// Its diagnostics.
    public let diagnostics: [Diagnostic]
    /// The error that stopped it, if any.
    public let error: String?
    /// Whether it failed.
    public let failed: Bool
    /// Whether it was skipped (optional, and no file matched).
    public var skipped = false
}

extension ReconciliationLine {
    /// The line as report JSON: amounts as decimal strings, `null` for an absent side.
    package func jsonValue(age: BreakAge?, continuity: String? = nil) -> JSONValue {
        // Keys in sorted order (the encoding is the same as a sorted object's, without the sorting).
        var members: [JSONMember] = [JSONMember("account", .string(key.account))]
        members.reserveCapacity(20)
        if let acknowledgement { members.append(JSONMember("acknowledgement", acknowledgement.jsonValue)) }
        if let age { members.append(JSONMember("age_days", .integer(age.ageDays))) }
        members.append(JSONMember("asset", .string(key.asset)))
        members.append(JSONMember("classification", .string(classification.rawValue)))
        members.append(JSONMember("compared", .string(figure.rawValue)))
        if let continuity { members.append(JSONMember("continuity", .string(continuity))) }
        members.append(JSONMember("difference", .amount(difference)))
        if valued { members.append(JSONMember("difference_value", .amount(differenceValue))) }
        if let age { members.append(JSONMember("first_seen", .string(age.firstSeen))) }
        members += [
            JSONMember("ledger", .amount(ledger)),
            JSONMember("ledger_sources", .array(ledgerSources.map { .string($0.description) })),
            JSONMember("notes", .array(notes.map { .string($0) })),
            JSONMember("relative_difference_bps", .amount(relativeDifferenceBasisPoints)),
            JSONMember("statement", .amount(statement)),
            JSONMember("statement_sources", .array(statementSources.map { .string($0.description) })),
            JSONMember("tolerance", .amount(tolerance?.value)),
            JSONMember("tolerance_source", .string(tolerance?.source)),
            JSONMember("venue", .string(key.venue)),
        ]
        return .members(members)
    }
}

extension ReconciliationLine {
    /// Appends the line's report JSON at nesting `level`: the same bytes as encoding ``jsonValue(age:continuity:)``,
    /// written without building it (report.json and the result digest take their lines from one encoding of it).
    package func writeJSON(
        to output: inout [UInt8], indent: Bool, level: Int, age: BreakAge?, continuity: String? = nil
    ) {
        var object = JSONObjectWriter(&output, indent: indent, level: level)
        object.string("account", key.account, &output)
        if let acknowledgement { object.value("acknowledgement", acknowledgement.jsonValue, &output) }
        if let age {
            object.key("age_days", &output)
            output.append(contentsOf: String(age.ageDays).utf8)
        }
        object.string("asset", key.asset, &output)
        object.string("classification", classification.rawValue, &output)
        object.string("compared", figure.rawValue, &output)
        if let continuity { object.string("continuity", continuity, &output) }
        object.amount("difference", difference, &output)
        if valued { object.amount("difference_value", differenceValue, &output) }
        if let age { object.string("first_seen", age.firstSeen, &output) }
        object.amount("ledger", ledger, &output)
        object.sources("ledger_sources", ledgerSources, &output)
        object.strings("notes", notes, &output)
        object.amount("relative_difference_bps", relativeDifferenceBasisPoints, &output)
        object.amount("statement", statement, &output)
        object.sources("statement_sources", statementSources, &output)
        object.amount("tolerance", tolerance?.value, &output)
        object.string("tolerance_source", tolerance?.source, &output)
        object.string("venue", key.venue, &output)
        object.close(&output)
    }
}

extension ReconciliationResult {
    /// The lines as a JSON array encoded one line at a time (see ``ReconciliationLine/writeJSON(to:indent:level:age:continuity:)``),
    /// with what history says about each when given.
    package func linesJSON(
        ageing: [BalanceKey: BreakAge] = [:], continuity: [BalanceKey: String] = [:]
    ) -> JSONValue {
        let lines = lines
        return .elements(
            JSONElements(count: lines.count) { position, output, indent, level in
                // Written in place: a copy of the line retained and released a dozen references a line.
                lines.withUnsafeBufferPointer { lines in
                    let key = ageing.isEmpty && continuity.isEmpty ? nil : lines[position].key
                    lines[position].writeJSON(
                        to: &output, indent: indent, level: level, age: key.flatMap { ageing[$0] },
                        continuity: key.flatMap { continuity[$0] })
                }
            })
    }
}

extension Diagnostic {
    /// The diagnostic as report JSON.
    package var jsonValue: JSONValue {
        .object([
            "severity": .string(severity.rawValue),
            "message": .string(message),
            "location": .string(location?.description),
        ])
    }
}

/// Where a run sits in its audit file: the `run_started` record (its seq and the SHA-256 of its line), which report.json
/// names so a report can be found in the chain. The completion's own head is in checkpoint.json and the repository:
/// report.json cannot name it, because the completion record carries report.json's digest.
public struct AuditReference: Sendable, Hashable {
    /// The audit file as named in the job.
    public let file: String
    /// The run's `run_started` record.
    public let runStarted: AuditAnchor

    /// Creates a reference.
    public init(file: String, runStarted: AuditAnchor) {
        self.file = file
        self.runStarted = runStarted
    }
}
