import Foundation
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
    func run(faults: String?) throws -> ProcessResult {
        var environment = ["RECON_LOCK_DIR": scratch.path]
        if let faults { environment["RECON_FAULTS"] = faults }
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
        let result = try run(faults: "publish=EIO")
        #expect(result.status == 2)
        #expect(result.stderr.contains("completed (its audit records are durable), but its reports could not be moved"))
        #expect(!FileManager.default.fileExists(atPath: scratch.path + "/out/report.json"))
        let staging = try #require(stagingDirectories().first)
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/out/\(staging)/report.json"))
        let completed = try completedInAudit()
        #expect(completed.count == 1)
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
        // The next run completes and cleans up what the killed one left staged.
        let next = try run(faults: nil)
        #expect(next.status == 1, "\(next.stderr)")
        let after = try completedInAudit()
        #expect(after.count == completed.count + 1)
        #expect(try listedByHistory() == after)
        #expect(stagingDirectories() == [])
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
