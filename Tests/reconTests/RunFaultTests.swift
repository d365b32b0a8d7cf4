import Foundation
import Synchronization
import Testing

@testable import Reconciliation

/// Faults at every step of a run's writes — a full disk, an I/O error, a short write, a failed fsync, a kill — and
/// what the audit file, the repository and the reports say afterwards. Each case runs the real `recon` binary with
/// `RECON_FAULTS`, then checks that the three agree: a run is complete in the audit file exactly when `recon history`
/// lists it, report.json is in place only for a completed run, and the exit status is the one report.json states.
@Suite(.serialized) struct RunFaultTests {
    let scratch = Scratch()

    func writeJob() {
        scratch.write(
            "venue,account,asset,amount\nkraken,m,BTC,1.5\nkraken,m,ETH,2\nkraken,m,SOL,3\n", to: "in/ledger.csv")
        scratch.write("venue,account,asset,balance\nkraken,m,BTC,1.5\nkraken,m,ETH,2.1\n", to: "in/statement.csv")
        scratch.write(
            """
            job: faulty
            as_of: 2026-11-24
            ledger: [{path: in/ledger.csv, format: csv}]
            statements:
              - {path: in/statement.csv, format: csv, columns: {venue: venue, account: account, asset: asset, amount: balance}}
            report: {dir: out, formats: [json, csv, markdown, html]}
            audit: {path: audit.jsonl}
            repository: recon.sqlite
            archive: archive
            """, to: "job.yaml")
    }

    /// Runs the job with `faults`; returns the process result.
    func run(faults: String?, asOf: String? = nil) throws -> ProcessResult {
        var environment = ["RECON_LOCK_DIR": scratch.path]
        if let faults { environment["RECON_FAULTS"] = faults }
        if let asOf { environment["RECON_AS_OF"] = asOf }
        return try recon(["run", "job.yaml", "--quiet"], in: scratch.path, environment: environment)
    }

    /// The runs the audit file completes.
    func completedInAudit() throws -> [String] {
        guard FileManager.default.fileExists(atPath: scratch.path + "/audit.jsonl") else { return [] }
        let verified = try AuditVerifier.verify(path: scratch.path + "/audit.jsonl")
        #expect(verified.isIntact, "\(verified.problems)")
        return verified.completions.map(\.runID)
    }

    /// The runs `recon history` lists (it brings the repository level with the audit file first).
    func listedByHistory() throws -> [String] {
        guard FileManager.default.fileExists(atPath: scratch.path + "/recon.sqlite") else { return [] }
        let history = try recon(["history", "--job", "job.yaml", "--json"], in: scratch.path)
        #expect(history.status == 0, "\(history.stderr)")
        let runs = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]] ?? []
        return runs.compactMap { $0["run_id"] as? String }.reversed()
    }

    func stagingDirectories() -> [String] {
        ((try? FileManager.default.contentsOfDirectory(atPath: scratch.path + "/out")) ?? []).filter {
            $0.hasPrefix(".recon-staging-")
        }
    }

    /// What a run that failed before its commit leaves: no report, no staging, a `run_failed` (or nothing, when
    /// the audit file itself cannot be written) and no completed run anywhere.
    @Test(arguments: [
        "report.write=ENOSPC", "report.write=short:ENOSPC", "report.sync=EIO", "checkpoint.write=ENOSPC",
        "audit.write=ENOSPC", "audit.write=short:ENOSPC", "audit.sync=EIO", "archive.write=ENOSPC",
        "archive.sync=EIO",
    ])
    func aFailureBeforeTheCommitCompletesNothingAndPublishesNothing(fault: String) throws {
        writeJob()
        let result = try run(faults: fault)
        #expect(result.status == 2, "\(result.stderr)")
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/out/report.json"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/out/report.md"))
        #expect(stagingDirectories() == [])
        #expect(try completedInAudit() == [])
        #expect(try listedByHistory() == [])
        let records = lines(of: scratch.path + "/audit.jsonl")
        if fault.hasPrefix("audit.") {
            // The disk that refused the completion refuses the run_failed record too: the run just never completed.
            #expect(records.count == 1 && records[0].contains(#""type":"run_started""#))
        } else {
            #expect(records.contains { $0.contains(#""type":"run_failed""#) })
        }
        // The next run on a healthy disk completes, and everything agrees again.
        let next = try run(faults: nil)
        #expect(next.status == 1, "\(next.stderr)")
        let completed = try completedInAudit()
        #expect(completed.count == 1)
        #expect(try listedByHistory() == completed)
        #expect(try scratch.json("out/report.json")["run_id"] as? String == completed.first)
    }

    @Test func aRepositoryFailureAfterTheCommitIsRecordedAndLevelledLater() throws {
        writeJob()
        let result = try run(faults: "repository.insert=EIO")
        // The run completed: its exit status is report.json's.
        #expect(result.status == 1, "\(result.stderr)")
        #expect(try scratch.json("out/report.json")["exit_status"] as? Int == 1)
        #expect(result.stderr.contains("warning: the run completed, but the run repository could not record it"))
        let completed = try completedInAudit()
        #expect(completed.count == 1)
        #expect(lines(of: scratch.path + "/audit.jsonl").contains { $0.contains(#""type":"post_commit_failure""#) })
        let verify = try recon(["audit", "verify", "audit.jsonl"], in: scratch.path)
        #expect(verify.stdout.contains("completed, then repository failed: "))
        // history brings the repository level: the run is listed, marked as restored from the audit file.
        #expect(try listedByHistory() == completed)
        let table = try recon(["history", "--job", "job.yaml"], in: scratch.path)
        #expect(table.stdout.contains("restored"))
    }

    @Test func aPublishFailureAfterTheCommitKeepsTheReportsStagedAndExitsTwo() throws {
        writeJob()
        // A previous run's reports are in place: a failed publication must not leave its report.json beside.
        #expect(try run(faults: nil).status == 1)
        let result = try run(faults: "publish=EIO")
        #expect(result.status == 2)
        #expect(result.stderr.contains("completed (its audit records are durable), but its reports could not be moved"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/out/report.json"))
        let staging = try #require(stagingDirectories().first)
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/out/\(staging)/report.json"))
        let completed = try completedInAudit()
        #expect(completed.count == 2)
        #expect(try listedByHistory() == completed)
        let verify = try recon(["audit", "verify", "audit.jsonl"], in: scratch.path)
        #expect(verify.stdout.contains("completed, then publish failed: "))
    }

    /// A kill at every step boundary and inside every write: afterwards the audit file verifies, `recon history`
    /// lists exactly the runs it completes, and report.json is in place only when the kill came after publishing.
    @Test(arguments: [
        ("after.start", false), ("after.ingest", false), ("after.stage", false), ("archive.write", false),
        ("report.write", false), ("checkpoint.write", false), ("audit.write", false), ("after.commit", true),
        ("repository.insert", true), ("after.repository", true), ("publish", true), ("after.publish", true),
    ])
    func aKillAtAnyStepLeavesAuditHistoryAndReportsAgreeing(step: String, completes: Bool) throws {
        writeJob()
        let killed = try run(faults: "\(step)=kill")
        #expect(killed.status == 9, "\(killed.stderr)")
        let completed = try completedInAudit()
        #expect(completed.count == (completes ? 1 : 0))
        #expect(try listedByHistory() == completed)
        let published = FileManager.default.fileExists(atPath: scratch.path + "/out/report.json")
        #expect(published == (step == "after.publish"))
        // The next run completes; it removes what a run that did not complete left staged, and keeps (and names)
        // the staged reports of a run that completed but was killed before publishing them: they are the only copy.
        let next = try run(faults: nil)
        #expect(next.status == 1, "\(next.stderr)")
        let after = try completedInAudit()
        #expect(after.count == completed.count + 1)
        #expect(try listedByHistory() == after)
        let unpublished = completes && step != "after.publish"
        #expect(stagingDirectories().count == (unpublished ? 1 : 0))
        #expect(next.stderr.contains("were never moved into place; they are in out/.recon-staging-") == unpublished)
        #expect(try scratch.json("out/report.json")["run_id"] as? String == after.last)
        let verify = try recon(["audit", "verify", "audit.jsonl", "--repository", "recon.sqlite"], in: scratch.path)
        #expect(verify.status == 0, "\(verify.stdout)")
        #expect(verify.stdout.contains("checked against the repository (run \(after.last ?? "")): seq "))
    }

    @Test func aRepositoryRunTheAuditFileNoLongerCompletesIsMarkedMissing() throws {
        writeJob()
        #expect(try run(faults: nil).status == 1)
        #expect(try run(faults: nil).status == 1)
        let completed = try completedInAudit()
        // Someone cuts the last run off the audit file.
        let records = lines(of: scratch.path + "/audit.jsonl")
        let lastStart = try #require(records.lastIndex { $0.contains(#""type":"run_started""#) })
        write(lines: Array(records[..<lastStart]), to: scratch.path + "/audit.jsonl")
        let verify = try recon(["audit", "verify", "audit.jsonl", "--repository", "recon.sqlite"], in: scratch.path)
        #expect(verify.status == 1)
        #expect(
            verify.stdout.contains(
                "audit.jsonl: error: the repository records the completion of run \(completed[1]) at seq "))
        let history = try recon(["history", "--job", "job.yaml"], in: scratch.path)
        #expect(
            history.stderr.contains(
                "warning: run \(completed[1]) is marked missing in the run repository: the audit file "),
            "\(history.stderr)")
        #expect(history.stderr.contains("audit.jsonl does not hold its completion"))
        #expect(history.stdout.contains("missing"))
        // Marked missing, the run is still an anchor: verify keeps failing until the file holds it again.
        #expect(
            try recon(["audit", "verify", "audit.jsonl", "--repository", "recon.sqlite"], in: scratch.path).status == 1)
        write(lines: records, to: scratch.path + "/audit.jsonl")
        let restored = try recon(["history", "--job", "job.yaml"], in: scratch.path)
        #expect(restored.stderr.contains("is no longer marked missing in the run repository: the audit file "))
        #expect(
            try recon(["audit", "verify", "audit.jsonl", "--repository", "recon.sqlite"], in: scratch.path).status == 0)
        // A copy of the file is not the file the repository recorded: verify says it is not anchored.
        try FileManager.default.copyItem(atPath: scratch.path + "/audit.jsonl", toPath: scratch.path + "/copy.jsonl")
        let copy = try recon(["audit", "verify", "copy.jsonl", "--repository", "recon.sqlite"], in: scratch.path)
        #expect(copy.stdout.contains("not anchored: the repository records no completion in this file"))
        #expect(copy.status == 1)
    }

    @Test func aRestoredRunFoundAgainAfterGoingMissingIsStillRestored() throws {
        writeJob()
        #expect(try run(faults: nil).status == 1)
        #expect(try run(faults: "repository.insert=EIO").status == 1)
        let full = lines(of: scratch.path + "/audit.jsonl")
        #expect(try listedByHistory().count == 2)
        let secondStart = try #require(full.lastIndex { $0.contains(#""type":"run_started""#) })
        write(lines: Array(full[..<secondStart]), to: scratch.path + "/audit.jsonl")
        #expect(try recon(["history", "--job", "job.yaml"], in: scratch.path).stdout.contains("missing"))
        write(lines: full, to: scratch.path + "/audit.jsonl")
        let history = try recon(["history", "--job", "job.yaml", "--json"], in: scratch.path)
        let runs = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]] ?? []
        // It has no lines: found again, it is what it was — restored — and break ageing still skips it.
        #expect(runs.map { $0["audit"] as? String } == ["restored", "committed"])
    }

    @Test func theStagedReportsOfACommittedRunSurviveWithoutARepository() throws {
        writeJob()
        scratch.write(
            scratch.read("job.yaml").replacingOccurrences(of: "repository: recon.sqlite\n", with: ""), to: "job.yaml")
        #expect(try run(faults: "publish=EIO").status == 2)
        let next = try run(faults: nil)
        #expect(next.status == 1)
        #expect(next.stderr.contains("were never moved into place; they are in out/.recon-staging-"))
        #expect(stagingDirectories().count == 1)
    }

    @Test func aRunOfAnotherJobSharingTheAuditFileIsStillLevelled() throws {
        writeJob()
        let other = scratch.read("job.yaml").replacingOccurrences(of: "job: faulty", with: "job: other")
            .replacingOccurrences(of: "{dir: out,", with: "{dir: out-other,")
        scratch.write(other, to: "other.yaml")
        // faulty's run completes but cannot record itself; then other runs, and records a later position.
        #expect(try run(faults: "repository.insert=EIO").status == 1)
        let environment = ["RECON_LOCK_DIR": scratch.path]
        #expect(try recon(["run", "other.yaml", "--quiet"], in: scratch.path, environment: environment).status == 1)
        #expect(try run(faults: nil).status == 1)
        let history = try recon(["history", "--job", "job.yaml", "--json"], in: scratch.path)
        let runs = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [[String: Any]] ?? []
        #expect(runs.count == 2)
        #expect(runs.map { $0["audit"] as? String } == ["committed", "restored"])
    }

    @Test func aRestoredRunNeitherEndsNorExtendsABreakStreak() throws {
        writeJob()
        #expect(try run(faults: nil, asOf: "2026-11-20").status == 1)
        #expect(try run(faults: "repository.insert=EIO", asOf: "2026-11-23").status == 1)
        #expect(try run(faults: nil, asOf: "2026-11-24").status == 1)
        let lines = try #require(try scratch.json("out/report.json")["lines"] as? [[String: Any]])
        let eth = try #require(lines.first { $0["asset"] as? String == "ETH" })
        // Friday's run and this one are known whole; Monday's, restored, has no lines to judge by: the streak runs
        // from Friday, two business days ago.
        #expect(eth["first_seen"] as? String == "2026-11-20")
        #expect(eth["age_days"] as? Int == 2)
    }

    @Test func aMetricsFileThatCannotBeWrittenIsAWarningNotAnotherOutcome() throws {
        writeJob()
        let result = try recon(
            ["run", "job.yaml", "--quiet", "--metrics-file", "/nonexistent/dir/m.prom"], in: scratch.path,
            environment: ["RECON_LOCK_DIR": scratch.path])
        #expect(result.status == 1)
        #expect(result.stderr.contains("warning: "))
        #expect(try scratch.json("out/report.json")["exit_status"] as? Int == 1)
    }

    @Test func replayRefusesARunWhoseCompletionWasNeverSealed() throws {
        writeJob()
        #expect(try run(faults: nil).status == 1)
        let runID = try #require(try completedInAudit().first)
        var records = lines(of: scratch.path + "/audit.jsonl")
        records.removeLast()  // the checkpoint that sealed the completion
        write(lines: records, to: scratch.path + "/audit.jsonl")
        let replay = try recon(["replay", runID, "--audit", "audit.jsonl", "--archive", "archive"], in: scratch.path)
        #expect(replay.status == 2)
        #expect(replay.stderr.contains("never completed (no run_completed record sealed by its checkpoint)"))
    }
}

/// The lines of a file (without newlines).
func lines(of path: String) -> [String] {
    let text = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
}

func write(lines: [String], to path: String) {
    _ = FileManager.default.createFile(atPath: path, contents: Data((lines.joined(separator: "\n") + "\n").utf8))
}

/// The repository against the audit file, in process.
@Suite struct LevellingTests {
    let scratch = Scratch()

    @Test func aRunsOwnRecordReplacesTheRestoredCopyLevellingMadeFirst() throws {
        scratch.writeSmallJob("race", formats: "json", repository: true)
        let spec = try JobSpec.load(path: scratch.path + "/job.yaml", currentDirectory: scratch.path)
        var environment = RunEnvironment.live()
        environment.faults = FaultInjection(faults: [.repositoryInsert: .error(EIO)])
        environment.currentDirectory = scratch.path
        let outcome = try ReconciliationJob(spec: spec, environment: environment).run()
        #expect(outcome.warnings.count == 1)
        // Levelling (as `recon history` would, between the commit and the run's insert) adds it from the audit file…
        let repository = try RunRepository(path: scratch.path + "/recon.sqlite")
        #expect(try repository.level(with: AuditLog(path: scratch.path + "/audit.jsonl")).count == 1)
        #expect(try repository.runs().map(\.auditState) == ["restored"])
        // …and the run's own record, arriving late, replaces that copy with the whole run.
        try repository.record(
            outcome.report, config: spec.jsonValue, reports: outcome.files, audit: nil,
            anchor: (scratch.path + "/audit.jsonl", AuditAnchor(runID: outcome.report.runID, seq: 7, hash: "h", end: 1))
        )
        #expect(try repository.runs().map(\.auditState) == ["committed"])
        #expect(try repository.run(outcome.report.runID)?.lines.count == 1)
    }

    @Test func aCompletedRunInAnAuditFileOfThePreviousReleaseIsRestored() throws {
        // The previous release wrote no `hash`, no `sealed_by`, and no `job` in run_completed.
        var lines: [String] = []
        var prev = AuditChain.genesis
        for (seq, fields) in [
            #"{"job":"eod","as_of":"2026-11-20","run_id":"old-1","time":"2026-11-20T18:00:00Z","type":"run_started","#,
            #"{"files":[],"name":"ledger","position":0,"run_id":"old-1","side":"ledger","status":"ok","type":"input","#,
            #"{"breaks":0,"counts":{"matched":3},"exit_status":0,"result_digest":"sha256:x","run_id":"old-1","status":"reconciled","type":"run_completed","#,
        ].enumerated() {
            let line = fields + #""prev":"\#(prev)","seq":\#(seq + 1)}"#
            lines.append(line)
            prev = AuditChain.hash(Array((line + "\n").utf8))
        }
        write(lines: lines, to: scratch.path + "/audit.jsonl")
        let repository = try RunRepository(path: scratch.path + "/recon.sqlite")
        let notices = try repository.level(with: AuditLog(path: scratch.path + "/audit.jsonl"), jobs: ["eod"])
        #expect(notices.count == 1)
        let runs = try repository.runs()
        #expect(runs.map(\.runID) == ["old-1"])
        #expect(runs.map(\.job) == ["eod"])
        #expect(runs.map(\.asOf) == ["2026-11-20"])
        #expect(try repository.run("old-1")?.inputs.map(\.name) == ["ledger"])
    }
}

/// The events one run emits, in order: what logs and progress displays are built on.
@Suite struct RunEventTests {
    let scratch = Scratch()

    @Test func oneRunEmitsItsStagesInOrder() throws {
        scratch.writeSmallJob("events", formats: "json, csv")
        let spec = try JobSpec.load(path: scratch.path + "/job.yaml", currentDirectory: scratch.path)
        var environment = RunEnvironment.live()
        environment.currentDirectory = scratch.path
        let names = Mutex<[String]>([])
        _ = try ReconciliationJob(spec: spec, environment: environment).run { event in
            let name: String
            switch event {
            case .started: name = "started"
            case .inputLoaded(let input, _): name = "input \(input.name)"
            case .stageFinished(let stage, _): name = "stage \(stage)"
            case .linesClassified(let lines): name = "lines \(lines.count)"
            case .reportWritten(let file): name = "wrote \(file.displayPath)"
            case .notice: name = "notice"
            case .completed(let report): name = "completed \(report.status.rawValue)"
            case .failed: name = "failed"
            }
            names.withLock { $0.append(name) }
        }
        let events = names.withLock { $0 }
        // Inputs load in parallel: their order among themselves is free.
        #expect(events.first == "started")
        #expect(Set(events[1...2]) == ["input in/ledger.csv", "input in/statement.csv"])
        #expect(
            Array(events[3...]) == [
                "stage ingest", "stage reconcile", "lines 1", "stage reports", "wrote out/report.json",
                "wrote out/report.csv", "wrote out/checkpoint.json", "stage audit", "completed breaks",
            ])
    }
}
