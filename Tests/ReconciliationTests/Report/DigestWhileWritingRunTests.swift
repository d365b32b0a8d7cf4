import Foundation
import Testing

@testable import Reconciliation

#if canImport(Glibc)
    import Glibc
#endif

/// The result digest made while report.json is written, over whole runs (repository, two business days, ageing,
/// continuity, valuation, acknowledgements, conflicts), compared with the digest made alone and the report made whole.
@Suite(.serialized) struct DigestWhileWritingRunTests {
    let directory = TemporaryDirectory()

    /// Writes the inputs of `day`: `keys` csv keys (two of three a persistent break, one conflict, one unpriced
    /// asset) and one kraken key whose opening on the second day does not continue the first day's closing.
    func writeInputs(day: String, keys: Int) {
        var ledger = "venue,account,asset,amount\n"
        var statement = "venue,account,asset,balance\n"
        for position in 0..<keys {
            let asset = position == 5 ? "SOL" : "BTC"
            ledger += "v,a\(position),\(asset),1\n"
            statement += "v,a\(position),\(asset),\(position % 3 == 0 ? "1" : "2")\n"
            if position == 7 { statement += "v,a\(position),\(asset),3\n" }  // reported twice: a conflict
        }
        let header = #""txid","refid","time","type","subtype","aclass","asset","wallet","amount","fee","balance""#
        let kraken =
            day == "2026-11-23"
            ? #""L1","R1","2026-11-23 10:00:00","deposit","","currency","XXBT","spot / main",1.5,0,1.5"#
            : #""L2","R2","2026-11-24 10:00:00","deposit","","currency","XXBT","spot / main",0.2,0,1.6"#
        directory.write(header + "\n" + kraken + "\n", to: "in/\(day)/kraken.csv")
        ledger += "kraken,AA11,BTC,\(day == "2026-11-23" ? "1.5" : "1.6")\n"
        directory.write(ledger, to: "in/\(day)/ledger.csv")
        directory.write(statement, to: "in/\(day)/statement.csv")
    }

    func writeJob(name: String = "days", repository: Bool, formats: String, out: String = "out") {
        directory.write("asset,price\nBTC,96250.00\n", to: "prices.csv")
        directory.write(
            """
            - key: {venue: v, account: a1, asset: BTC}
              difference: "1"
              reason: in flight
              by: alice
              approved_by: bob
            """, to: "acks.yaml")
        directory.write(
            """
            job: \(name)
            ledger:
              - {path: "in/{as_of}/ledger.csv", format: csv}
            statements:
              - {path: "in/{as_of}/statement.csv", format: csv, columns: {venue: venue, account: account, asset: asset, amount: balance}}
              - {path: "in/{as_of}/kraken.csv", format: kraken-ledgers, account: AA11}
            valuation: {currency: USD, prices: prices.csv}
            acknowledgements: acks.yaml
            report: {dir: "\(out)/{as_of}", formats: [\(formats)]}
            max_breaks: 100000
            \(repository ? "repository: recon.sqlite" : "")
            """, to: "\(name).yaml")
    }

    func run(_ name: String = "days", day: String, faults: FaultInjection? = nil) throws -> RunOutcome {
        let spec = try JobSpec.load(
            path: "\(name).yaml", environment: ["RECON_AS_OF": day], currentDirectory: directory.path)
        var environment = RunEnvironment(
            now: { Date(timeIntervalSince1970: 1_764_000_000) }, makeRunID: { job, _ in "\(job)-\(day)-run" },
            variables: [:], currentDirectory: directory.path)
        if let faults { environment.faults = faults }
        return try ReconciliationJob(spec: spec, environment: environment).run()
    }

    /// Day two of a job with a repository: every break aged, the kraken key with a continuity finding. The digest
    /// made while report.json is written is the digest made alone, and the digest of the same day without history;
    /// report.json is the whole encoding of the report; the pages show the digest.
    @Test(arguments: [1, 2_047, 2_048, 2_049, 4_097])
    func agedRunsDigestAsTheCanonicalResult(lines: Int) throws {
        writeInputs(day: "2026-11-23", keys: lines - 1)
        writeInputs(day: "2026-11-24", keys: lines - 1)
        writeJob(repository: true, formats: "markdown, html, csv, json")
        _ = try run(day: "2026-11-23")
        let outcome = try run(day: "2026-11-24")
        let report = outcome.report
        #expect(report.result.lines.count == lines)
        #expect(!report.ageing.isEmpty || lines == 1)
        #expect(!report.continuity.isEmpty)
        let alone = ReconciliationReport.digest(report.canonicalResult)
        #expect(report.resultDigest == alone)
        let json = directory.read("out/2026-11-24/report.json")
        #expect(json == JSONReportWriter().renderBytes(report))
        let text = String(decoding: json, as: UTF8.self)
        #expect(text.contains("\"continuity\":\"opening 1.4"))
        if lines > 1 { #expect(text.contains("\"age_days\":1")) }
        if lines > 8 {
            #expect(text.contains("\"classification\":\"acknowledged\""))
            #expect(text.contains("\"classification\":\"conflict\""))
            #expect(text.contains("\"difference_value\""))
        }
        #expect(directory.read("out/2026-11-24/report.html") == HTMLReportWriter().renderBytes(report))
        #expect(directory.read("out/2026-11-24/report.md") == MarkdownReportWriter().renderBytes(report))
        #expect(directory.read("out/2026-11-24/report.csv") == CSVReportWriter().renderBytes(report))
        for file in outcome.files {
            let actual = try FileByteSource(path: file.path, displayPath: file.path).finishDigest()
            #expect(file.sha256 == actual)
        }
        // The same day without history (no ages, no continuity): the same result, the same digest.
        writeJob(name: "days", repository: false, formats: "json", out: "plain")
        let plain = try run(day: "2026-11-24")
        #expect(plain.report.ageing.isEmpty && plain.report.continuity.isEmpty)
        #expect(plain.report.resultDigest == report.resultDigest)
        // And without report.json: made alone.
        writeJob(name: "days", repository: false, formats: "csv, markdown", out: "nojson")
        #expect(try run(day: "2026-11-24").report.resultDigest == report.resultDigest)
    }

    /// A run with no lines at all.
    @Test func anEmptyResultDigestsAsTheCanonicalResult() throws {
        directory.write("venue,account,asset,amount\n", to: "in/2026-11-24/ledger.csv")
        directory.write("venue,account,asset,balance\n", to: "in/2026-11-24/statement.csv")
        directory.write(
            """
            job: empty
            ledger:
              - {path: "in/{as_of}/ledger.csv", format: csv}
            statements:
              - {path: "in/{as_of}/statement.csv", format: csv, columns: {venue: venue, account: account, asset: asset, amount: balance}}
            report: {dir: "out", formats: [html, json]}
            repository: recon.sqlite
            """, to: "empty.yaml")
        let outcome = try run("empty", day: "2026-11-24")
        #expect(outcome.report.result.lines.isEmpty)
        #expect(outcome.report.resultDigest == ReconciliationReport.digest(outcome.report.canonicalResult))
        #expect(directory.read("out/report.json") == JSONReportWriter().renderBytes(outcome.report))
        #expect(directory.read("out/report.html") == HTMLReportWriter().renderBytes(outcome.report))
    }

    /// report.json failing to write (ENOSPC on its writes only would need a per-file fault; every report write
    /// fails here): the run fails, no repository record, and a retry writes the correct digest.
    @Test func aFailedReportWriteLeavesNothingAndTheRetryIsRight() throws {
        writeInputs(day: "2026-11-23", keys: 30)
        writeInputs(day: "2026-11-24", keys: 30)
        writeJob(repository: true, formats: "csv, json, html")
        _ = try run(day: "2026-11-23")
        #expect(
            caught { try run(day: "2026-11-24", faults: FaultInjection(faults: [.reportWrite: .error(ENOSPC)])) } != nil
        )
        let repository = try RunRepository(path: directory.path + "/recon.sqlite")
        #expect(try repository.runs(job: "days").count == 1)
        let outcome = try run(day: "2026-11-24")
        #expect(outcome.report.resultDigest == ReconciliationReport.digest(outcome.report.canonicalResult))
        #expect(directory.read("out/2026-11-24/report.json") == JSONReportWriter().renderBytes(outcome.report))
        #expect(try repository.runs(job: "days").count == 2)
    }
}

@Suite struct ParallelJobParseTests {
    let directory = TemporaryDirectory()

    func load(_ yaml: String) throws -> JobSpec {
        directory.write(yaml, to: "jobs/job.yaml")
        return try JobSpec.load(path: "jobs/job.yaml", currentDirectory: directory.path)
    }

    func message(_ yaml: String) -> String? { caught { try load(yaml) }.map { "\($0)" } }

    @Test(arguments: [511, 512, 513, 1_024])
    func inputsAroundThePartEdgesParseAsOneAtATime(count: Int) throws {
        let job = try load(JobSpecTests.manyStatements(count))
        #expect(job.statements.map(\.name) == (0..<count).map { "statement-\($0)" })
        for position in Set([0, count / 2 - 1, count / 2, count / 2 + 1, count - 1]) {
            let small = try load(
                JobSpecTests.manyStatements(1).replacingOccurrences(of: "statement-0", with: "statement-\(position)")
                    .replacingOccurrences(of: "s-{as_of}-0", with: "s-{as_of}-\(position)")
                    .replacingOccurrences(of: "venue: v0", with: "venue: v\(position % 7)"))
            #expect(small.statements[0] == job.statements[position])
        }
        let edge = count / 2
        for broken: Set<Int> in [[edge], [edge - 1, edge], [edge, edge + 1], [count - 1], [0, count - 1]] {
            let text = message(JobSpecTests.manyStatements(count, broken: broken)) ?? ""
            #expect(text.contains("statements[\(broken.min() ?? 0)]"), "\(count) \(broken): \(text)")
        }
    }

    /// Inputs that are YAML aliases of one anchored input share its nodes across the parts.
    @Test func aliasedInputsParseInParallel() throws {
        var yaml = JobSpecTests.manyStatements(1).replacingOccurrences(
            of: "  - name: statement-0", with: "  - &s\n    name: statement-0")
        for _ in 0..<700 { yaml += "  - *s\n" }
        let job = try load(yaml)
        #expect(job.statements.count == 701)
        #expect(Set(job.statements.map(\.name)) == ["statement-0"])
        #expect(job.statements.allSatisfy { $0 == job.statements[0] })
    }
}

@Suite struct JoinPlacesTests {
    /// Keys spelled differently on the two sides but equal as strings, and keys on one side only, around the
    /// threshold where the join's lookups go parallel: every key once, each side's figure its own.
    @Test(arguments: [3, 60_000])
    func theJoinFindsEachSidesFigure(count: Int) {
        var reconciler = Reconciler()
        reconciler.keysPerThread = 1_000
        reconciler.workers = 4
        var ledger: [Balance] = []
        var statement: [Balance] = []
        for position in 0..<count {
            switch position % 4 {
            case 0:
                ledger.append(balance("caf\u{E9}", "a\(position)", "BTC", "1"))
                statement.append(balance("cafe\u{301}", "a\(position)", "BTC", "2"))
            case 1: ledger.append(balance("v", "a\(position)", "BTC", "\(position)"))
            case 2: statement.append(balance("v", "a\(position)", "BTC", "\(position)"))
            default:
                ledger.append(balance("v", "a\(position)", "BTC", "1"))
                statement.append(balance("v", "a\(position)", "BTC", "1"))
            }
        }
        let result = reconciler.reconcile(ledger: book(ledger), statement: book(statement))
        #expect(result.lines.count == count)
        for line in result.lines {
            let position = Int(line.key.account.dropFirst()) ?? -1
            switch position % 4 {
            case 0:
                #expect(line.ledger == amount("1") && line.statement == amount("2"))
                #expect(line.key.venue.utf8.elementsEqual("caf\u{E9}".utf8))
            case 1: #expect(line.ledger == amount("\(position)") && line.statement == nil)
            case 2: #expect(line.statement == amount("\(position)") && line.ledger == nil)
            default: #expect(line.classification == .matched)
            }
        }
    }
}
