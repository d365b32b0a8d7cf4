import Foundation
import ReconWorkload
import Testing

@testable import Reconciliation

#if canImport(Glibc)
    import Glibc
#endif

/// report.json, report.csv and the result digest are made a chunk at a time; what reaches the file must be byte for
/// byte what the whole-document encoders make, wherever the chunks fall.
@Suite struct StreamedReportTests {
    let directory = TemporaryDirectory()

    /// A run of 24,000 keys (6 venues × 200 accounts × 20 assets): a CSV report past one 1 MiB chunk.
    func report() throws -> ReconciliationReport {
        let summary = try WorkloadGenerator(entries: 60_000, accountsPerVenue: 200).write(to: directory.path)
        let spec = try JobSpec.load(path: summary.jobPath, currentDirectory: directory.path)
        let environment = RunEnvironment(
            now: { Date(timeIntervalSince1970: 1_764_000_000) }, makeRunID: { job, _ in "\(job)-run" },
            variables: [:], currentDirectory: directory.path)
        return try ReconciliationJob(spec: spec, environment: environment).run().report
    }

    /// What `produce` hands its sink, and the sizes of the pieces.
    func collected(_ produce: (ByteSink) -> Void) -> (bytes: [UInt8], pieces: [Int]) {
        var bytes: [UInt8] = []
        var pieces: [Int] = []
        produce(
            ByteSink {
                bytes.append(contentsOf: $0)
                pieces.append($0.count)
            })
        return (bytes, pieces)
    }

    @Test func streamedJSONIsTheWholeEncodingWhereverTheChunksFall() throws {
        let value = try report().jsonValue
        let whole = value.prettyEncodedBytes()
        for chunk in [1, 97, 1 << 16] {
            let streamed = collected { value.write(to: $0, pretty: true, chunk: chunk) }
            #expect(streamed.bytes == whole)
            #expect(streamed.pieces.count > 1)
        }
        #expect(collected { value.write(to: $0, pretty: false, chunk: 333) }.bytes == value.encodedBytes())
    }

    /// A large array of lines is encoded a block at a time on every core and handed over in order: for every block
    /// size (one element, a prime, past the end) and array size around the blocks' edges, the bytes are one thread's.
    @Test func linesEncodedInParallelBlocksAreTheSerialEncoding() {
        for count in [0, 1, 2, 7, 64, 65, 300] {
            let lines = Self.lines(count)
            let document = JSONValue.object(["lines": ReconciliationResult(lines: lines).linesJSON(), "z": .integer(1)])
            for block in [1, 3, 64, 1000] {
                for chunk in [1, 1 << 20] {
                    let pretty = collected { document.write(to: $0, pretty: true, chunk: chunk, block: block) }
                    #expect(
                        String(decoding: pretty.bytes, as: UTF8.self) == document.prettyEncoded(),
                        "\(count) lines, blocks of \(block)")
                    let compact = collected { document.write(to: $0, pretty: false, chunk: chunk, block: block) }
                    #expect(
                        String(decoding: compact.bytes, as: UTF8.self) == document.encoded(),
                        "\(count) lines, blocks of \(block)")
                }
            }
        }
    }

    /// `count` lines of every shape, each with its own account.
    static func lines(_ count: Int) -> [ReconciliationLine] {
        let shapes = shapedLines()
        return (0..<count).map { position in
            let line = shapes[position % shapes.count]
            return ReconciliationLine(
                key: BalanceKey(venue: line.key.venue, account: "a\(position)", asset: line.key.asset),
                ledger: line.ledger, statement: line.statement, difference: line.difference,
                relativeDifferenceBasisPoints: line.relativeDifferenceBasisPoints, tolerance: line.tolerance,
                classification: line.classification, figure: line.figure, ledgerSources: line.ledgerSources,
                statementSources: line.statementSources, notes: line.notes)
        }
    }

    /// A tapped array is written as it would be untapped, and its tap takes the compact encoding of the array whose
    /// elements are the tap's own where it encodes them differently: every block size, array size and both layouts.
    @Test func aTappedArrayHandsItsTapTheCompactEncoding() {
        for count in [0, 1, 2, 7, 64, 65, 300] {
            let lines = Self.lines(count)
            let age = BreakAge(firstSeen: "2026-11-20", ageDays: 3)
            // Every fifth line is written with an age, which the tap leaves out.
            let written = JSONElements(count: count) { position, output, indent, level in
                lines[position].writeJSON(
                    to: &output, indent: indent, level: level, age: position % 5 == 0 ? age : nil)
            }
            let canonical = JSONValue.elements(
                JSONElements(count: count) { position, output, indent, level in
                    lines[position].writeJSON(to: &output, indent: indent, level: level, age: nil)
                }
            ).encodedBytes()
            for block in [1, 3, 64, 1000] {
                for pretty in [true, false] {
                    var tapped: [UInt8] = []
                    var elements = written
                    elements.tap = JSONElementsTap(sink: ByteSink { tapped.append(contentsOf: $0) }) {
                        position, output in
                        guard position % 5 == 0 else { return false }
                        lines[position].writeJSON(to: &output, indent: false, level: 0, age: nil)
                        return true
                    }
                    let document = JSONValue.object(["lines": .elements(elements), "z": .integer(1)])
                    let untapped = JSONValue.object(["lines": .elements(written), "z": .integer(1)])
                    let bytes = collected { document.write(to: $0, pretty: pretty, chunk: 1, block: block) }.bytes
                    #expect(
                        bytes == (pretty ? untapped.prettyEncodedBytes() : untapped.encodedBytes()),
                        "\(count) lines, blocks of \(block)")
                    #expect(
                        String(decoding: tapped, as: UTF8.self) == String(decoding: canonical, as: UTF8.self),
                        "\(count) lines, blocks of \(block), pretty \(pretty)")
                }
            }
        }
    }

    /// An object written as its values are made is the object holding them, and each value is asked for once, in key
    /// order (report.json's digest is made from the lines written before it).
    @Test func anObjectWhoseValuesAreMadeAsWrittenIsTheObject() {
        let members: [String: JSONValue] = [
            "zeta": .integer(1), "lines": .array([.string("a"), .null]), "result_digest": .string("d"),
            "Alpha": .object(["b": .bool(true)]), "é": .string("x"), "as_of": .array([]),
        ]
        for pretty in [true, false] {
            var asked: [String] = []
            let bytes = collected { sink in
                JSONValue.writeObject(keys: Array(members.keys), to: sink, pretty: pretty, chunk: 3) { key in
                    asked.append(key)
                    return members[key] ?? .null
                }
            }.bytes
            let object = JSONValue.object(members)
            #expect(bytes == (pretty ? object.prettyEncodedBytes() : object.encodedBytes()))
            #expect(asked == members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) })
        }
    }

    /// A report whose digest is made while report.json is written gets the digest made alone, and report.json the
    /// bytes of the report made with it — lines with ages and continuity findings (written, not digested) among them,
    /// and when report.json never takes the tap (it could not be opened) the digest is made alone.
    @Test(arguments: [0, 1, 5, 2_049, 5_000])
    func theDigestMadeWhileReportJSONIsWrittenIsTheDigestMadeAlone(count: Int) {
        let lines = Self.lines(count)
        var ageing: [BalanceKey: BreakAge] = [:]
        var continuity: [BalanceKey: String] = [:]
        for (position, line) in lines.enumerated() {
            if position % 7 == 3 { ageing[line.key] = BreakAge(firstSeen: "2026-11-02", ageDays: position % 40) }
            if position % 11 == 4 { continuity[line.key] = "opened at 5, closed at 4 the day before" }
        }
        func make(now: Bool) -> ReconciliationReport {
            ReconciliationReport(
                runID: "r", job: "eod \"desk\"", asOf: "2026-11-24", startedAt: "2026-11-24T18:00:00Z",
                toolVersion: "t", maxBreaks: 0, result: ReconciliationResult(lines: lines), inputs: [],
                ageing: ageing, continuity: continuity, digestNow: now)
        }
        let alone = make(now: true)
        var pending = make(now: false)
        #expect(pending.digestPending)
        var written: [UInt8] = []
        pending.settleDigest { tap, finish in
            written = collected { JSONReportWriter().write(make(now: false), to: $0, tap: tap, finish: finish) }.bytes
        }
        #expect(!pending.digestPending)
        #expect(pending.resultDigest == alone.resultDigest)
        #expect(written == JSONReportWriter().renderBytes(alone))
        var unwritten = make(now: false)
        unwritten.settleDigest { _, _ in }
        #expect(unwritten.resultDigest == alone.resultDigest)
    }

    /// A digest read before it is made stops the process rather than naming an empty digest anywhere.
    @Test func readingAPendingDigestTraps() async {
        await #expect(processExitsWith: .failure) {
            let report = ReconciliationReport(
                runID: "r", job: "j", asOf: "2026-11-24", startedAt: "2026-11-24T18:00:00Z", toolVersion: "t",
                maxBreaks: 0, result: ReconciliationResult(lines: []), inputs: [], digestNow: false)
            _ = report.resultDigest
        }
    }

    /// A file made before the digest and finished with it is the file of the report holding that digest — the page
    /// cut at its digest too, which escapes what follows it as the whole page does.
    @Test(arguments: ReportFormat.allCases)
    func aFilePreparedBeforeTheDigestIsTheFileWithIt(format: ReportFormat) {
        let lines = Self.lines(40)
        let pending = ReconciliationReport(
            runID: "r<1>", job: "eod & <b>", asOf: "2026-11-24", startedAt: "2026-11-24T18:00:00Z",
            toolVersion: "t\"<", maxBreaks: 3, result: ReconciliationResult(lines: lines), inputs: [],
            digestNow: false)
        let writer = ReportWriters.writer(for: format)
        for digest in ["sha256:" + String(repeating: "ab", count: 32), "<script>&\"'", "<\u{338}b>"] {
            let prepared = writer.prepare(pending)
            let bytes = collected { prepared.write(digest, $0) }.bytes
            #expect(bytes == writer.renderBytes(pending.settled(digest)), "\(format) \(digest)")
            if format == .html {
                // Escaped by the page's own escaping (a `<` joined to a combining mark included), as every value is.
                let page = String(decoding: bytes, as: UTF8.self)
                #expect(page.contains("<code id=\"digest\">\(HTMLReportWriter.escape(digest))</code>"), "\(digest)")
                #expect(page.contains("recon \(HTMLReportWriter.escape("t\"<"))</dd>"))
            }
        }
    }

    /// Without report.json the digest is made on its own, before the pages that show it.
    @Test(arguments: [[ReportFormat.markdown, .csv], [.html], [.csv]])
    func aRunWithoutReportJSONStillDigestsItsResult(formats: [ReportFormat]) throws {
        let outcome = try smallJob(writing: formats).run()
        #expect(outcome.report.resultDigest == ReconciliationReport.digest(outcome.report.canonicalResult))
        #expect(outcome.report.resultDigest.hasPrefix("sha256:"))
        for (format, file) in [(ReportFormat.markdown, "out/report.md"), (.html, "out/report.html")]
        where formats.contains(format) {
            #expect(String(decoding: directory.read(file), as: UTF8.self).contains(outcome.report.resultDigest))
        }
    }

    /// With report.json the digest is made as it is written; the pages, written after, show that digest, and the
    /// files' recorded SHA-256 are theirs.
    @Test func thePagesShowTheDigestReportJSONMade() throws {
        let outcome = try smallJob(writing: [.html, .markdown, .csv, .json]).run()
        let digest = outcome.report.resultDigest
        #expect(digest == ReconciliationReport.digest(outcome.report.canonicalResult))
        for file in ["out/report.md", "out/report.html", "out/report.json"] {
            #expect(String(decoding: directory.read(file), as: UTF8.self).contains(digest), "\(file)")
        }
        #expect(directory.read("out/report.json") == JSONReportWriter().renderBytes(outcome.report))
    }

    @Test func theCSVReportStreamsInChunksWithEveryLineOnce() throws {
        let report = try report()
        let streamed = collected { CSVReportWriter().write(report, to: $0) }
        #expect(streamed.pieces.count >= 2)
        #expect(streamed.pieces.dropLast().allSatisfy { $0 >= 1 << 20 })
        let rows = String(decoding: streamed.bytes, as: UTF8.self).split(separator: "\r\n")
        #expect(rows.count == report.result.lines.count + 1)
        #expect(
            Set(rows.dropFirst().map { $0.split(separator: ",").prefix(3).joined(separator: ",") }).count
                == report.result.lines.count)
    }

    /// The digest of a result past one block of the parallel encoder (22,263 lines), pinned: the value the serial
    /// encoder of earlier releases gave for this workload (`recon generate w --entries 60000 --accounts 200`, run in
    /// `w`), so a change that alters the serial and parallel paths alike cannot pass unnoticed.
    @Test func theDigestOfAManyBlockResultIsPinned() throws {
        let report = try report()
        #expect(report.result.lines.count == 22_263)
        #expect(report.resultDigest == "sha256:c9e2bdd46d96c78053400fd9aed076497a4f77842dfa70f0248e8de56c58f59b")
    }

    /// A job of 600 entries writing `formats`, with a pinned clock and run id.
    func smallJob(writing formats: [ReportFormat], faults: FaultInjection? = nil) throws -> ReconciliationJob {
        let summary = try WorkloadGenerator(entries: 600, accountsPerVenue: 5).write(to: directory.path)
        var spec = try JobSpec.load(path: summary.jobPath, currentDirectory: directory.path)
        spec.report.formats = formats
        var environment = RunEnvironment(
            now: { Date(timeIntervalSince1970: 1_764_000_000) }, makeRunID: { job, _ in "\(job)-run" },
            variables: [:], currentDirectory: directory.path)
        if let faults { environment.faults = faults }
        return ReconciliationJob(spec: spec, environment: environment)
    }

    /// Report writers start costliest first, but a failure is still the first format's in the job's order.
    @Test(arguments: [[ReportFormat.markdown, .json, .csv], [.html, .csv, .json, .markdown], [.csv, .json]])
    func aFailureIsTheFirstFormatsInJobOrder(formats: [ReportFormat]) throws {
        let expected = ReportWriters.writer(for: formats[0]).fileName
        do {
            _ = try smallJob(writing: formats, faults: FaultInjection(faults: [.reportWrite: .error(ENOSPC)])).run()
            Issue.record("the run did not fail")
        } catch {
            #expect("\(error)".contains(expected), "\(error)")
        }
    }

    /// Each written file's recorded SHA-256 (what the audit record and the repository keep) is that file's own,
    /// whatever order the writers ran in.
    @Test(arguments: [[ReportFormat.markdown, .json, .csv, .html], [.html, .csv, .markdown, .json]])
    func everyRecordedDigestIsItsOwnFiles(formats: [ReportFormat]) throws {
        let outcome = try smallJob(writing: formats).run()
        #expect(outcome.files.count == formats.count)
        for file in outcome.files {
            let actual = try FileByteSource(path: file.path, displayPath: file.path).finishDigest()
            #expect(file.sha256 == actual, "\(file.path): recorded \(file.sha256), the file's \(actual)")
        }
    }

    @Test func theDigestHashesTheWholeCanonicalEncoding() throws {
        let report = try report()
        let canonical = ReconciliationReport.canonicalResult(
            job: report.job, asOf: report.asOf, cutoff: report.cutoff, status: report.status,
            counts: report.result.counts, lines: .array(report.result.lines.map { $0.jsonValue(age: nil) }))
        var hasher = InputHasher()
        canonical.encodedBytes().withUnsafeBytes { hasher.update($0) }
        #expect(report.resultDigest == "sha256:" + hasher.finalizeHex())
    }

    /// Lines of every shape: each optional member present and absent, escapes, several sources, a conflict.
    static func shapedLines() -> [ReconciliationLine] {
        let key = BalanceKey(venue: "kraken", account: "ops \"desk\"\n\u{1}", asset: "BTC")
        let plain = ReconciliationLine(
            key: key, ledger: Amount(5), statement: Amount(7), difference: Amount(2),
            relativeDifferenceBasisPoints: Amount(uncheckedSignificand: 285_714, scale: 2),
            tolerance: AppliedTolerance(value: Amount(uncheckedSignificand: 1, scale: 8), source: "asset BTC absolute"),
            classification: .mismatch,
            ledgerSources: [SourceLocation(file: "ledger.csv", line: 2), SourceLocation(file: "more\\ledger.csv")],
            statementSources: [SourceLocation(file: "statement.csv", line: 9, column: 3)],
            notes: ["first note", "tab\there \u{7F} é"])
        var valued = plain
        valued.valued = true
        valued.differenceValue = Amount(uncheckedSignificand: -12_345, scale: 2)
        var unpriced = plain
        unpriced.valued = true
        var acknowledged = plain.reclassified(.acknowledged, note: "explained")
        acknowledged.acknowledgement = Acknowledgement(
            key: key, difference: Amount(2), within: Amount(uncheckedSignificand: 5, scale: 1), reason: "fee \"held\"",
            by: "alice", approvedBy: "bob", expires: nil, location: SourceLocation(file: "acks.yaml", line: 4))
        let missing = ReconciliationLine(
            key: BalanceKey(venue: "coinbase", account: "", asset: "ETH"), ledger: nil, statement: Amount(3),
            difference: Amount(3), tolerance: nil, classification: .missingInLedger, figure: .available)
        let conflict = ReconciliationLine(
            key: key, ledger: nil, statement: nil, difference: nil, tolerance: nil, classification: .conflict,
            ledgerSources: [], statementSources: [SourceLocation(file: "a.csv", line: 1)], notes: [])
        return [plain, valued, unpriced, acknowledged, missing, conflict]
    }

    @Test func aLineWrittenDirectlyIsItsJSONValueEncoded() {
        let ages: [BreakAge?] = [nil, BreakAge(firstSeen: "2026-11-20", ageDays: 3)]
        let continuities: [String?] = [nil, "opening 5 ≠ yesterday's closing 4"]
        for line in Self.shapedLines() {
            for age in ages {
                for continuity in continuities {
                    let tree = line.jsonValue(age: age, continuity: continuity)
                    for indent in [false, true] {
                        for level in 0..<3 {
                            var direct: [UInt8] = [0x5B]
                            line.writeJSON(to: &direct, indent: indent, level: level, age: age, continuity: continuity)
                            var expected: [UInt8] = [0x5B]
                            tree.append(to: &expected, indent: indent, level: level)
                            #expect(
                                String(decoding: direct, as: UTF8.self) == String(decoding: expected, as: UTF8.self),
                                "\(line.classification) age \(age != nil) continuity \(continuity != nil)")
                        }
                    }
                }
            }
        }
    }

    /// report.csv's rows, written cell by cell as bytes, are the texts each cell stands for escaped as strings and
    /// joined: lines of every shape with hostile names, several sources and notes, ages and continuity findings.
    @Test func aCSVRowIsItsCellsEscapedAndJoined() {
        var lines = Self.shapedLines()
        for (position, name) in ["=1+1", "a,b", "tab\tthere", "\u{A0}=x", "é", "＝", "\"q\"", ""].enumerated() {
            lines.append(
                ReconciliationLine(
                    key: BalanceKey(venue: name, account: "@\(position)", asset: name + "X"), ledger: Amount(1),
                    statement: nil, difference: Amount(-1), tolerance: nil, classification: .missingInStatement,
                    ledgerSources: [SourceLocation(file: name + ".csv", line: position), SourceLocation(file: "-x")],
                    notes: [name, "=2", "second; note"]))
        }
        let result = ReconciliationResult(lines: lines)
        let ageing = [lines[0].key: BreakAge(firstSeen: "=2026-11-20", ageDays: 3)]
        let continuity = [lines[7].key: "opening 5, yesterday's closing 4"]
        let report = ReconciliationReport(
            runID: "r1", job: "eod", asOf: "2026-11-24", startedAt: "2026-11-24T18:00:00Z", toolVersion: "0.1.0",
            maxBreaks: 0, result: result, inputs: [], ageing: ageing, continuity: continuity)
        func text(_ amount: Amount?) -> String { amount?.description ?? "" }
        func row(_ line: ReconciliationLine) -> String {
            let age = ageing[line.key]
            let acknowledgement = line.acknowledgement
            let texts = [
                line.key.venue, line.key.account, line.key.asset, line.classification.rawValue,
            ].map(Escaping.csv)
            let amounts = [
                line.ledger, line.statement, line.difference, line.differenceValue, line.relativeDifferenceBasisPoints,
                line.tolerance?.value,
            ].map(text)
            let rest = [
                line.tolerance?.source ?? "", line.figure.rawValue, age?.firstSeen ?? "",
                age.map { String($0.ageDays) } ?? "",
                acknowledgement?.reason ?? "", acknowledgement?.by ?? "", acknowledgement?.approvedBy ?? "",
                acknowledgement?.expires ?? "", line.ledgerSources.map(\.description).joined(separator: " "),
                line.statementSources.map(\.description).joined(separator: " "),
                report.notes(of: line).joined(separator: "; "),
            ].map(Escaping.csv)
            return (texts + amounts + rest).joined(separator: ",")
        }
        let expected =
            ([CSVReportWriter.header.joined(separator: ",")] + report.rankedBreaks.map(row)
            + report.acknowledgedLines.map(row)
            + result.lines.filter { !$0.classification.isBreak && $0.classification != .acknowledged }.map(row))
            .map { $0 + "\r\n" }.joined()
        #expect(CSVReportWriter().render(report) == expected)
        #expect(expected.contains("'=2026-11-20"))
        #expect(expected.contains("discontinuity: opening 5"))
    }

    @Test func streamedLinesEncodeAsTheirArray() {
        let lines = Self.shapedLines()
        let result = ReconciliationResult(lines: lines)
        let age = BreakAge(firstSeen: "2026-11-20", ageDays: 3)
        let ageing = Dictionary(result.lines.map { ($0.key, age) }, uniquingKeysWith: { first, _ in first })
        let streamed = result.linesJSON(ageing: ageing)
        let array = JSONValue.array(result.lines.map { $0.jsonValue(age: ageing[$0.key]) })
        #expect(streamed.encodedBytes() == array.encodedBytes())
        // Indented, each line is its compact encoding on a text line of its own.
        let compact = result.lines.map { $0.jsonValue(age: ageing[$0.key]).encoded() }
        #expect(
            streamed.prettyEncoded() == "[\n" + compact.map { "  " + $0 }.joined(separator: ",\n") + "\n]\n")
        let nested = JSONValue.object(["lines": streamed]).prettyEncoded()
        #expect(nested == "{\n  \"lines\": [\n" + compact.map { "    " + $0 }.joined(separator: ",\n") + "\n  ]\n}\n")
        #expect(streamed == result.linesJSON(ageing: ageing))
        #expect(streamed != result.linesJSON())
        #expect(ReconciliationResult(lines: []).linesJSON().encoded() == "[]")
    }

    /// The report files are written concurrently; a spec made in code that lists a format twice still writes (and
    /// publishes) each file once — two writers of one file would race for it.
    @Test func aFormatListedTwiceInASpecIsWrittenOnce() throws {
        let summary = try WorkloadGenerator(entries: 600, accountsPerVenue: 2).write(to: directory.path)
        var spec = try JobSpec.load(path: summary.jobPath, currentDirectory: directory.path)
        spec.report.formats = [.json, .csv, .markdown, .json, .csv, .html]
        let environment = RunEnvironment(
            now: { Date(timeIntervalSince1970: 1_764_000_000) }, makeRunID: { job, _ in "\(job)-run" },
            variables: [:], currentDirectory: directory.path)
        let outcome = try ReconciliationJob(spec: spec, environment: environment).run()
        #expect(
            outcome.files.map { ($0.path as NSString).lastPathComponent }.sorted()
                == ["report.csv", "report.html", "report.json", "report.md"])
        #expect(directory.read("out/report.json") == JSONReportWriter().renderBytes(outcome.report))
    }

    @Test func theRunsReportFilesAreTheWriters() throws {
        let report = try report()
        #expect(directory.read("out/report.json") == JSONReportWriter().renderBytes(report))
    }
}
