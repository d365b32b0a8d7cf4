import Foundation
import Testing

/// A settlement team's week: a break acknowledged and approved with `recon ack`, valued, aged in business days over a
/// holiday, re-run, and replayed from the archive.
@Suite(.serialized) struct AcknowledgementRunTests {
    let scratch = Scratch()

    func writeJob() {
        scratch.write("venue,account,asset,amount\nk,m,BTC,1.5\nk,m,ETH,2\nk,m,SOL,10\n", to: "in/ledger.csv")
        scratch.write("venue,account,asset,balance\nk,m,BTC,1.4\nk,m,ETH,2.1\nk,m,SOL,10.2\n", to: "in/statement.csv")
        scratch.write("# acknowledged breaks\n", to: "acks.yaml")
        scratch.write("asset,price\nBTC,96250.00\nETH,3405.50\n", to: "prices.csv")
        scratch.write("2026-11-26 Thanksgiving\n", to: "holidays.txt")
        scratch.write(
            """
            job: week
            ledger: [{path: in/ledger.csv, format: csv}]
            statements:
              - {path: in/statement.csv, format: csv, columns: {venue: venue, account: account, asset: asset, amount: balance}}
            valuation: {currency: USD, prices: prices.csv}
            tolerance: {default: {value: "1000.00"}}
            acknowledgements: acks.yaml
            calendar: holidays.txt
            report: {dir: out, formats: [json, csv, markdown, html]}
            audit: {path: audit.jsonl}
            repository: recon.sqlite
            archive: archive
            """, to: "job.yaml")
    }

    func run(_ day: String) throws -> ProcessResult {
        try recon(
            ["run", "job.yaml", "--as-of", day], in: scratch.path, environment: ["RECON_LOCK_DIR": scratch.path])
    }

    func line(_ asset: String) throws -> [String: Any] {
        let lines = try #require(try scratch.json("out/report.json")["lines"] as? [[String: Any]])
        return try #require(lines.first { $0["asset"] as? String == asset })
    }

    @Test func aBreakAcknowledgedApprovedAgedReRunAndReplayed() throws {
        writeJob()
        // Wednesday: BTC −0.1 (9,625 USD) and ETH +0.1 (340.55 USD, within the 1,000 USD materiality); SOL has no
        // price, so the value tolerance cannot judge it and it is a break.
        let wednesday = try run("2026-11-25")
        #expect(wednesday.status == 1)
        #expect(try line("BTC")["classification"] as? String == "mismatch")
        #expect(try line("BTC")["difference_value"] as? String == "-9625.000")
        #expect(try line("ETH")["classification"] as? String == "within_tolerance")
        #expect(try line("ETH")["tolerance_source"] as? String == "default value 1000.00 USD")
        #expect(try line("SOL")["difference_value"] is NSNull)
        #expect(try line("SOL")["notes"] as? [String] == ["default value 1000.00 USD not applied: no price for SOL"])
        let wednesdayRun = try #require(try scratch.json("out/report.json")["run_id"] as? String)
        // Largest first: BTC (valued) before SOL (unvalued).
        let ranked = try #require(try scratch.json("out/report.json")["breaks"] as? [[String: Any]])
        #expect(ranked.map { $0["asset"] as? String } == ["BTC", "SOL"])
        #expect(
            scratch.read("out/report.csv").split(separator: "\r\n").dropFirst().first?.hasPrefix("k,m,BTC,") == true)

        // Alice acknowledges BTC from the recorded run; until Bob approves, it explains nothing.
        let ack = try recon(
            [
                "ack", wednesdayRun, "k/m/BTC", "--job", "job.yaml", "--reason", "withdrawal in flight (OPS-1)",
                "--by", "alice", "--expires", "2026-12-31",
            ], in: scratch.path)
        #expect(ack.status == 0, "\(ack.stderr)")
        #expect(ack.stdout.hasPrefix("acks.yaml:3:3: acknowledged k/m/BTC difference -0.1 by alice"))
        #expect(scratch.read("acks.yaml").hasPrefix("# acknowledged breaks\n"))
        let again = try run("2026-11-25")
        #expect(again.status == 1)
        #expect(again.stderr.contains("acks.yaml:3:3: warning: k/m/BTC: not approved yet"))
        let selfApproval = try recon(
            ["ack", "approve", "k/m/BTC", "--job", "job.yaml", "--by", "alice"], in: scratch.path)
        #expect(selfApproval.status == 64)
        let approval = try recon(["ack", "approve", "k/m/BTC", "--job", "job.yaml", "--by", "bob"], in: scratch.path)
        #expect(approval.status == 0, "\(approval.stderr)")
        #expect(scratch.read("acks.yaml").contains("  by: \"alice\"\n  approved_by: \"bob\"\n"))

        // Friday, after the Thanksgiving holiday: BTC is acknowledged; SOL is still a break, one business day old.
        let friday = try run("2026-11-27")
        #expect(friday.status == 1)
        #expect(friday.stdout.contains("(3 lines, 1 break, 1 acknowledged)"))
        #expect(try line("BTC")["classification"] as? String == "acknowledged")
        let acknowledgement = try #require(try line("BTC")["acknowledgement"] as? [String: Any])
        #expect(acknowledgement["by"] as? String == "alice")
        #expect(acknowledgement["approved_by"] as? String == "bob")
        #expect(try line("SOL")["first_seen"] as? String == "2026-11-25")
        #expect(try line("SOL")["age_days"] as? Int == 1)
        #expect(try line("BTC")["age_days"] as? Int == 1)
        #expect(scratch.read("out/report.html").contains("<h2>Acknowledged (1)</h2>"))
        #expect(scratch.read("out/report.md").contains("## Acknowledged (1)"))
        // Re-running Friday ages nothing.
        #expect(try run("2026-11-27").status == 1)
        #expect(try line("SOL")["age_days"] as? Int == 1)
        let fridayRun = try #require(try scratch.json("out/report.json")["run_id"] as? String)

        // The audit file holds both edits of the acknowledgements file, and is intact.
        let audit = scratch.read("audit.jsonl")
        #expect(audit.components(separatedBy: "\"type\":\"acknowledgement\"").count == 3)
        #expect(try recon(["audit", "verify", "audit.jsonl"], in: scratch.path).status == 0)

        // Years later the acknowledgements and prices have changed; the archive replays Friday as it was.
        scratch.write("# emptied\n", to: "acks.yaml")
        scratch.write("asset,price\nBTC,1\n", to: "prices.csv")
        let replay = try recon(
            ["replay", fridayRun, "--audit", "audit.jsonl", "--archive", "archive"], in: scratch.path)
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
        #expect(replay.stdout.hasPrefix("identical: \(fridayRun) replays to sha256:"))
    }

    @Test func aDayOnWhichAnInputFailedNeitherEndsNorRestartsAStreak() throws {
        writeJob()
        // The statement declares its venue and account, so a failure of it is attributed to its keys.
        scratch.write(
            scratch.read("job.yaml").replacingOccurrences(
                of: "columns: {venue: venue, account: account, asset: asset, amount: balance}",
                with: "venue: k, account: m, columns: {asset: asset, amount: balance}"), to: "job.yaml")
        #expect(try run("2026-11-24").status == 1)
        // Wednesday the statement is missing: SOL is unreconciled, the run partial.
        try FileManager.default.moveItem(atPath: scratch.path + "/in/statement.csv", toPath: scratch.path + "/away.csv")
        #expect(try run("2026-11-25").status == 2)
        #expect(try line("SOL")["classification"] as? String == "unreconciled")
        // A run for Thursday with no input at all: failed, no lines — no observation either.
        try FileManager.default.moveItem(atPath: scratch.path + "/in/ledger.csv", toPath: scratch.path + "/away-l.csv")
        #expect(try run("2026-11-26").status == 2)
        // Every input of the books failed: the run failed (its reference files read fine).
        #expect(try scratch.json("out/report.json")["status"] as? String == "failed")
        try FileManager.default.moveItem(atPath: scratch.path + "/away-l.csv", toPath: scratch.path + "/in/ledger.csv")
        try FileManager.default.moveItem(atPath: scratch.path + "/away.csv", toPath: scratch.path + "/in/statement.csv")
        // Friday: the break has been open since Tuesday — Wednesday and Friday, the Thursday holiday aside.
        #expect(try run("2026-11-27").status == 1)
        #expect(try line("SOL")["first_seen"] as? String == "2026-11-24")
        #expect(try line("SOL")["age_days"] as? Int == 2)
    }

    @Test func anAcknowledgementThatWouldNeverApplyIsRefusedAndAnApprovalShowsTheWholeEntry() throws {
        writeJob()
        #expect(try run("2026-11-25").status == 1)
        let runID = try #require(try scratch.json("out/report.json")["run_id"] as? String)
        let early = try recon(
            [
                "ack", runID, "k/m/BTC", "--job", "job.yaml", "--reason", "r", "--by", "alice", "--expires",
                "2026-11-24",
            ],
            in: scratch.path)
        #expect(early.status == 64)
        #expect(
            early.stderr
                == "error: --expires 2026-11-24 is before the run's business day 2026-11-25: the acknowledgement would "
                + "never explain this break\n")
        #expect(scratch.read("acks.yaml") == "# acknowledged breaks\n")
        let added = try recon(
            [
                "ack", runID, "k/m/BTC", "--job", "job.yaml", "--reason", "in flight", "--by", "alice", "--within",
                "0.01",
            ],
            in: scratch.path)
        #expect(added.status == 0, "\(added.stderr)")
        let again = try recon(
            ["ack", runID, "k/m/BTC", "--job", "job.yaml", "--reason", "in flight", "--by", "alice"], in: scratch.path)
        #expect(again.status == 2)
        #expect(again.stderr.contains("is acknowledged by alice already, waiting for approval at line 3"))
        let approved = try recon(["ack", "approve", "k/m/BTC", "--job", "job.yaml", "--by", "bob"], in: scratch.path)
        #expect(
            approved.stdout
                == "acks.yaml:3:3: approved by bob: k/m/BTC difference -0.1 within 0.01 by alice: in flight\n")
        let nothingWaits = try recon(
            ["ack", "approve", "k/m/BTC", "--job", "job.yaml", "--by", "bob"], in: scratch.path)
        #expect(nothingWaits.status == 2)
    }

    @Test func aPricesFileThatCannotBeUsedFailsLikeAnInputAndSaysWhereOnStandardError() throws {
        writeJob()
        scratch.write("asset,price\nBTC,96250.00\nBTC,96300\n", to: "prices.csv")
        let result = try run("2026-11-25")
        #expect(result.status == 2)
        #expect(result.stderr.contains("prices.csv:3: error: BTC is priced twice: 96250.00 on line 2, 96300 here"))
        #expect(try scratch.json("out/report.json")["status"] as? String == "partial")
        // Nothing was valued: no figure rests on a file that could not be read.
        #expect(try line("BTC")["difference_value"] == nil)
        #expect(try line("BTC")["notes"] as? [String] == ["default value 1000.00 not applied: no prices were read"])
    }

    @Test func aKeyWithNoLineInAPartialRunKeepsItsAgeAndThatRunReplays() throws {
        writeJob()
        scratch.write(
            scratch.read("job.yaml").replacingOccurrences(
                of: "columns: {venue: venue, account: account, asset: asset, amount: balance}",
                with: "venue: k, account: m, columns: {asset: asset, amount: balance}"), to: "job.yaml")
        // DOGE is in the statement only: missing in the ledger, a break.
        scratch.write(
            "venue,account,asset,balance\nk,m,BTC,1.4\nk,m,ETH,2.1\nk,m,SOL,10.2\nk,m,DOGE,5\n", to: "in/statement.csv")
        #expect(try run("2026-11-24").status == 1)
        // Wednesday the statement is missing: DOGE has no line at all, the run is partial.
        try FileManager.default.moveItem(atPath: scratch.path + "/in/statement.csv", toPath: scratch.path + "/away.csv")
        #expect(try run("2026-11-25").status == 2)
        let partialRun = try #require(try scratch.json("out/report.json")["run_id"] as? String)
        try FileManager.default.moveItem(atPath: scratch.path + "/away.csv", toPath: scratch.path + "/in/statement.csv")
        #expect(try run("2026-11-27").status == 1)
        #expect(try line("DOGE")["first_seen"] as? String == "2026-11-24")
        #expect(try line("DOGE")["age_days"] as? Int == 2)
        // The partial run replays from the archive: the file it could not open is not looked for there.
        let replay = try recon(
            ["replay", partialRun, "--audit", "audit.jsonl", "--archive", "archive"], in: scratch.path)
        #expect(
            replay.stdout.hasPrefix("identical: \(partialRun) replays to sha256:"), "\(replay.stdout)\(replay.stderr)")
    }

    @Test func anExpiryThatIsNoDateIsSaidToBeNoDate() throws {
        writeJob()
        #expect(try run("2026-11-25").status == 1)
        let runID = try #require(try scratch.json("out/report.json")["run_id"] as? String)
        let result = try recon(
            ["ack", runID, "k/m/BTC", "--job", "job.yaml", "--reason", "r", "--by", "a", "--expires", "2026-02-30"],
            in: scratch.path)
        #expect(result.status == 64)
        #expect(result.stderr == "error: --expires: expected a date YYYY-MM-DD, got '2026-02-30'\n")
    }
}
