import Foundation
import Reconciliation
import Testing

/// The audit file under real processes: writers killed with SIGKILL mid-append, and eight runs appending at once.
@Suite(.serialized) struct AuditProcessTests {
    let scratch = Scratch()

    var stressExecutable: String {
        URL(fileURLWithPath: reconExecutable()).deletingLastPathComponent().appendingPathComponent("audit-stress").path
    }

    @Test func killedWritersNeverLoseACompletedRunOrBreakTheChain() throws {
        let path = scratch.path + "/audit.jsonl"
        var completed: Set<String> = []
        var generator = SystemRandomNumberGenerator()
        let kills = 120
        for _ in 0..<kills {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: stressExecutable)
            process.arguments = [path, "1000000", "512"]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            try process.run()
            usleep(UInt32.random(in: 5_000...60_000, using: &generator))
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            let text = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            for line in text.split(separator: "\n") where line.hasPrefix("completed ") {
                completed.insert(String(line.dropFirst("completed ".count)))
            }
        }
        // The next writer repairs whatever the last kill left, then the whole file verifies.
        try AuditLog(path: path).append([["type": .string("run_started"), "run_id": .string("after-the-kills")]])
        let verification = try AuditVerifier.verify(path: path)
        #expect(verification.isIntact, "\(verification.problems)")
        let text = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
        let present = Set(
            text.split(separator: "\n").filter { $0.contains(#""type":"run_completed""#) }.compactMap {
                line -> String? in
                guard let range = line.range(of: #""run_id":""#) else { return nil }
                return String(line[range.upperBound...].prefix { $0 != "\"" })
            })
        #expect(!completed.isEmpty)
        #expect(completed.isSubset(of: present), "lost: \(completed.subtracting(present).sorted().prefix(5))")
        let recoveries = text.components(separatedBy: #""type":"recovery""#).count - 1
        print(
            "audit kill test: \(kills) kills, \(completed.count) runs reported complete, \(recoveries) torn tails repaired"
        )
    }

    @Test func eightConcurrentRunsKeepOneCleanChainWithEachRunsRecordsTogether() throws {
        scratch.write("venue,account,asset,amount\nkraken,m,BTC,1.5\nkraken,m,ETH,2\n", to: "ledger.csv")
        scratch.write("venue,account,asset,balance\nkraken,m,BTC,1.5\nkraken,m,ETH,2.1\n", to: "statement.csv")
        for job in 0..<8 {
            scratch.write(
                """
                job: concurrent-\(job)
                as_of: 2026-11-24
                ledger: [{path: ledger.csv, format: csv}]
                statements:
                  - {path: statement.csv, format: csv, columns: {venue: venue, account: account, asset: asset, amount: balance}}
                report: {dir: out-\(job)}
                audit: {path: audit.jsonl}
                """, to: "job-\(job).yaml")
        }
        let processes = try (0..<8).map { job -> Process in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: reconExecutable())
            process.arguments = ["run", "job-\(job).yaml", "--quiet"]
            process.currentDirectoryURL = URL(fileURLWithPath: scratch.path)
            process.environment = ["RECON_LOCK_DIR": scratch.path + "/locks", "PATH": "/usr/bin:/bin"]
            try process.run()
            return process
        }
        for process in processes { process.waitUntilExit() }
        #expect(processes.map(\.terminationStatus) == Array(repeating: 1, count: 8))
        let verification = try AuditVerifier.verify(path: scratch.path + "/audit.jsonl")
        #expect(verification.isIntact, "\(verification.problems)")
        #expect(verification.completedRuns == 8)
        #expect(verification.checkpoints == 8)
        // Each run's closing batch (inputs, run_completed, checkpoint) is contiguous.
        let records = scratch.read("audit.jsonl").split(separator: "\n").map(String.init)
        var index = 0
        while index < records.count {
            if records[index].contains(#""type":"input""#) {
                let runID = records[index].components(separatedBy: #""run_id":""#)[1].prefix { $0 != "\"" }
                let batch = records[index..<min(index + 4, records.count)]
                #expect(batch.allSatisfy { $0.contains(#""run_id":"\#(runID)""#) })
                #expect(batch.last?.contains(#""type":"checkpoint""#) == true)
                index += 4
            } else {
                index += 1
            }
        }
    }
}

@Suite(.serialized) struct ReplayAndRepositoryTests {
    let scratch = Scratch()

    func writeJob(archive: Bool = true) {
        scratch.write(
            "venue,account,asset,amount\nkraken,m,BTC,1.5\nkraken,m,ETH,2\nkraken,m,SOL,3\n", to: "in/ledger.csv")
        scratch.write("venue,account,asset,balance\nkraken,m,BTC,1.5\nkraken,m,ETH,2.1\n", to: "in/statement.csv")
        scratch.write(
            """
            job: replayable
            as_of: 2026-11-24
            ledger: [{path: in/ledger.csv, format: csv}]
            statements:
              - {path: in/statement.csv, format: csv, columns: {venue: venue, account: account, asset: asset, amount: balance}}
            report: {dir: out}
            audit: {path: audit.jsonl}
            repository: recon.sqlite
            \(archive ? "archive: archive" : "")
            """, to: "job.yaml")
    }

    func runID() throws -> String {
        try #require(try scratch.json("out/report.json")["run_id"] as? String)
    }

    @Test func aRecordedRunReplaysIdenticallyFromTheArchive() throws {
        writeJob()
        let first = try recon(
            ["run", "job.yaml", "--quiet"], in: scratch.path, environment: ["RECON_LOCK_DIR": scratch.path])
        #expect(first.status == 1, "\(first.stderr)")
        let id = try runID()
        // The originals go away; the archive is all the auditor has.
        try FileManager.default.removeItem(atPath: scratch.path + "/in")
        let replay = try recon(["replay", id, "--audit", "audit.jsonl", "--archive", "archive"], in: scratch.path)
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
        #expect(replay.stdout.hasPrefix("identical: \(id) replays to sha256:"))
    }

    @Test func aChangedInputByteIsReportedWithTheDiff() throws {
        writeJob(archive: false)
        #expect(
            try recon(["run", "job.yaml", "--quiet"], in: scratch.path, environment: ["RECON_LOCK_DIR": scratch.path])
                .status == 1)
        let id = try runID()
        scratch.write(
            "venue,account,asset,balance\nkraken,m,BTC,1.6\nkraken,m,ETH,2.1\n", to: "restore/in/statement.csv")
        scratch.write(
            "venue,account,asset,amount\nkraken,m,BTC,1.5\nkraken,m,ETH,2\nkraken,m,SOL,3\n",
            to: "restore/in/ledger.csv")
        let replay = try recon(
            ["replay", id, "--audit", "audit.jsonl", "--inputs", "restore", "--repository", "recon.sqlite"],
            in: scratch.path)
        #expect(replay.status == 1)
        let lines = replay.stdout.split(separator: "\n").map(String.init)
        #expect(lines.first?.hasPrefix("input in/statement.csv: SHA-256 mismatch: recorded ") == true)
        #expect(lines.contains { $0.hasPrefix("differs: recorded sha256:") })
        #expect(
            lines.contains(
                "  kraken/m/BTC: recorded matched (ledger 1.5, statement 1.5), replayed mismatch (ledger 1.5, statement 1.6)"
            ))
    }

    @Test func historyShowAndBreakAgeing() throws {
        writeJob(archive: false)
        // Friday, then Monday three times (re-runs replace the day's observation), then Tuesday.
        for day in ["2026-11-20", "2026-11-23", "2026-11-23", "2026-11-23", "2026-11-24"] {
            #expect(
                try recon(
                    ["run", "job.yaml", "--quiet", "--as-of", day], in: scratch.path,
                    environment: ["RECON_LOCK_DIR": scratch.path]
                ).status == 1)
        }
        let history = try recon(["history", "--repository", "recon.sqlite", "--job", "replayable"], in: scratch.path)
        #expect(history.status == 0)
        #expect(history.stdout.split(separator: "\n").count == 6)
        let report = try scratch.json("out/report.json")
        let lines = try #require(report["lines"] as? [[String: Any]])
        let eth = try #require(lines.first { $0["asset"] as? String == "ETH" })
        #expect(eth["age_days"] as? Int == 2)
        #expect(eth["first_seen"] as? String == "2026-11-20")
        let show = try recon(["show", try runID(), "--repository", "recon.sqlite"], in: scratch.path)
        #expect(show.status == 0)
        #expect(
            show.stdout.contains(
                "  mismatch              kraken/m/ETH       2        2.1         0.1  since 2026-11-20 (2 business days)\n"
            ))
        #expect(show.stdout.contains("  missing_in_statement  kraken/m/SOL"))
    }

    @Test func aJobAlreadyRunningElsewhereIsRefusedOrWaitedFor() async throws {
        writeJob(archive: false)
        let lockDirectory = scratch.path + "/locks"
        var lock: JobLock? = try await JobLock.acquire(job: "replayable", directory: lockDirectory)
        let refused = try recon(
            ["run", "job.yaml", "--quiet"], in: scratch.path, environment: ["RECON_LOCK_DIR": lockDirectory])
        #expect(refused.status == 2)
        #expect(
            refused.stderr
                == "error: job replayable is already running (pid \(getpid())) (use --wait SECONDS to wait for it)\n")
        let directory = scratch.path
        let waiting = Task.detached {
            try recon(
                ["run", "job.yaml", "--quiet", "--wait", "20"], in: directory,
                environment: ["RECON_LOCK_DIR": lockDirectory])
        }
        try await Task.sleep(for: .milliseconds(400))
        #expect(lock != nil)
        lock = nil
        let waited = try await waiting.value
        #expect(waited.status == 1, "\(waited.stderr)")
    }

    @Test func theActorRefusesASecondRunOfTheSameJobInProcess() async throws {
        writeJob(archive: false)
        let spec = try JobSpec.load(path: "job.yaml", currentDirectory: scratch.path)
        let environment = RunEnvironment(
            now: { Date() }, makeRunID: { job, _ in "\(job)-\(UUID().uuidString)" },
            variables: ["RECON_LOCK_DIR": scratch.path],
            currentDirectory: scratch.path)
        let service = ReconciliationActor(environment: environment)
        let first = await service.start(spec, options: RunOptions(lockDirectory: scratch.path + "/locks"))
        let second = await service.start(spec, options: RunOptions(lockDirectory: scratch.path + "/locks"))
        var events: [String] = []
        for await event in second.events { events.append("\(event)") }
        do {
            _ = try await second.outcome()
            Issue.record("the second run was not refused")
        } catch {
            #expect(error.description == "error: job replayable is already running in this process")
        }
        let outcome = try await first.outcome()
        #expect(outcome.report.status == .breaks)
        // Once the first run is over, the job may run again.
        let third = try await service.run(spec, options: RunOptions(lockDirectory: scratch.path + "/locks"))
        #expect(third.report.status == .breaks)
    }
}
