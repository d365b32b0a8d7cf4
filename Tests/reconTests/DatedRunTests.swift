import Foundation
import Testing

/// End-of-day runs as a scheduler makes them: one job file, the day on the command line, templated and globbed
/// paths, a cutoff, inputs that fail, and continuity from one business day to the next.
@Suite(.serialized) struct DatedRunTests {
    let scratch = Scratch()

    @Test func theDatedSampleJobRunsForTheDayGivenAndReplaysIdentically() throws {
        let result = try recon([
            "run", "jobs/eod-dated.yaml", "--as-of", "2026-11-24", "--out", scratch.path + "/{as_of:%Y%m%d}",
            "--audit", scratch.path + "/audit.jsonl", "--repository", scratch.path + "/recon.sqlite",
            "--archive", scratch.path + "/archive", "--metrics-file", scratch.path + "/metrics-{as_of}.prom",
        ])
        #expect(result.status == 0, "\(result.stdout)\(result.stderr)")
        #expect(scratch.read("metrics-2026-11-24.prom").contains("recon_run_exit_status{job=\"eod-dated\"} 0"))
        #expect(result.stdout.hasPrefix("eod-dated 2026-11-24: reconciled (4 lines, 0 breaks)\n"))
        #expect(result.stdout.contains("cutoff: 17:00 America/New_York on 2026-11-24 (2026-11-24T22:00:00Z)\n"))
        // The report directory was templated from --out.
        let report = try scratch.json("20261124/report.json")
        #expect(report["as_of"] as? String == "2026-11-24")
        let cutoff = try #require(report["cutoff"] as? [String: Any])
        #expect(cutoff["instant"] as? String == "2026-11-24T22:00:00Z")
        #expect(cutoff["zone"] as? String == "America/New_York")
        let inputs = try #require(report["inputs"] as? [[String: Any]])
        // The glob found both pages of the Coinbase dump, in order.
        let coinbase = try #require(inputs.first { $0["name"] as? String == "coinbase advanced" })
        let files = try #require(coinbase["files"] as? [[String: Any]])
        #expect(
            files.compactMap { $0["path"] as? String } == [
                "samples/dated/2026-11-24/coinbase-page-1.json", "samples/dated/2026-11-24/coinbase-page-2.json",
            ])
        // Rows after 17:00 New York were left out, and the inputs say so.
        let ledger = try #require(inputs.first { $0["side"] as? String == "ledger" })
        let notes = (ledger["diagnostics"] as? [[String: Any]] ?? []).compactMap { $0["message"] as? String }
        #expect(
            notes == [
                "2 rows after the cutoff (17:00 America/New_York on 2026-11-24 (2026-11-24T22:00:00Z)) left out; the latest at 2026-11-24T23:10:00Z"
            ])
        // The audit trail records the time dimension; a replay reproduces it.
        let started = scratch.read("audit.jsonl").split(separator: "\n").first.map(String.init) ?? ""
        #expect(started.contains(#""cutoff":{"as_of":"2026-11-24","instant":"2026-11-24T22:00:00Z""#))
        let runID = try #require(report["run_id"] as? String)
        let replay = try recon([
            "replay", runID, "--audit", scratch.path + "/audit.jsonl", "--archive", scratch.path + "/archive",
        ])
        #expect(replay.status == 0, "\(replay.stdout)\(replay.stderr)")
        #expect(replay.stdout.hasPrefix("identical: \(runID)"))
    }

    @Test func theDayMayComeFromTheEnvironmentAndIsRequiredFromSomewhere() throws {
        let missing = try recon(["run", "jobs/eod-dated.yaml", "--out", scratch.path])
        #expect(missing.status == 64)
        #expect(
            missing.stderr
                == "jobs/eod-dated.yaml:5:1: error: at `(top level)`: missing required key `as_of` (or run with --as-of YYYY-MM-DD, or set RECON_AS_OF)\n"
        )
        let fromEnvironment = try recon(
            ["run", "jobs/eod-dated.yaml", "--out", scratch.path + "/env", "--quiet"],
            environment: ["RECON_AS_OF": "2026-11-24"])
        #expect(fromEnvironment.status == 0, "\(fromEnvironment.stderr)")
        #expect(try scratch.json("env/report.json")["as_of"] as? String == "2026-11-24")
        let badFlag = try recon(["run", "jobs/eod-dated.yaml", "--as-of", "24.11.2026"])
        #expect(badFlag.status == 64)
        #expect(badFlag.stderr == "error: --as-of: expected a date YYYY-MM-DD, got '24.11.2026'\n")
        // A day with no folder: the templated paths name what is missing; every input failed.
        let otherDay = try recon(["run", "jobs/eod-dated.yaml", "--as-of", "2026-11-25", "--out", scratch.path + "/25"])
        #expect(otherDay.status == 2)
        #expect(otherDay.stderr.contains("samples/dated/2026-11-25/coinbase-page-*.json"))
    }

    /// A mistyped statement path used to turn every key of that account into a `missing_in_statement` break with no
    /// note: now the keys are `unreconciled`, say why, and are counted apart.
    @Test func aMistypedStatementPathLeavesItsKeysUnreconciledNotBroken() throws {
        scratch.write(
            "venue,account,asset,amount\nkraken,AA11,BTC,1\nkraken,AA11,ETH,2\nkraken,AA11,DOT,3\nbinance,b,BTC,1\n",
            to: "ledger.csv")
        scratch.write("venue,account,asset,balance\nbinance,b,BTC,1\n", to: "binance.csv")
        scratch.write(
            """
            job: typo
            as_of: 2026-11-24
            ledger:
              - {path: ledger.csv, format: csv}
            statements:
              - {name: kraken, path: statements/krakn.csv, format: kraken-ledgers, account: AA11}
              - {path: binance.csv, format: csv, columns: {venue: venue, account: account, asset: asset, amount: balance}}
            report: {dir: out, formats: [json, markdown, csv, html]}
            """, to: "job.yaml")
        let result = try recon(["run", "job.yaml"], in: scratch.path)
        #expect(result.status == 2)
        #expect(result.stdout.hasPrefix("typo 2026-11-24: partial (4 lines, 0 breaks, 3 not reconciled)\n"))
        #expect(result.stdout.contains("not reconciled (an input failed or was missing; not breaks):\n"))
        let report = try scratch.json("out/report.json")
        let counts = try #require(report["counts"] as? [String: Int])
        #expect(counts["unreconciled"] == 3)
        #expect(counts["missing_in_statement"] == 0)
        #expect(counts["matched"] == 1)
        let lines = try #require(report["lines"] as? [[String: Any]])
        for line in lines where line["venue"] as? String == "kraken" {
            #expect(line["classification"] as? String == "unreconciled")
            let notes = line["notes"] as? [String] ?? []
            #expect(notes.count == 1)
            #expect(notes.first?.hasPrefix("not reconciled: the statement input kraken failed (") == true)
            #expect(notes.first?.contains("krakn.csv") == true)
        }
        #expect(scratch.read("out/report.md").contains("## Not reconciled (3)"))
        #expect(scratch.read("out/report.html").contains("3 lines not reconciled: the statement input kraken failed"))
        #expect(scratch.read("out/report.csv").contains("kraken,AA11,BTC,unreconciled,"))
    }

    @Test func aFailedInputThatNamesNoKeysIsANoticeOnTheRun() throws {
        scratch.write("venue,account,asset,amount\nkraken,AA11,BTC,1\n", to: "ledger.csv")
        scratch.write("venue,account,asset,balance\nkraken,AA11,BTC,1\n", to: "kraken.csv")
        scratch.write(
            """
            job: notice
            as_of: 2026-11-24
            ledger:
              - {path: ledger.csv, format: csv}
              - {name: otc desk, path: otc-missing.csv, format: csv}
            statements:
              - {path: kraken.csv, format: csv, columns: {venue: venue, account: account, asset: asset, amount: balance}}
            report: {dir: out}
            """, to: "job.yaml")
        let result = try recon(["run", "job.yaml"], in: scratch.path)
        #expect(result.status == 2)
        let report = try scratch.json("out/report.json")
        let notices = try #require(report["notices"] as? [String])
        #expect(notices.count == 1)
        #expect(notices.first?.hasPrefix("the ledger input otc desk failed (") == true)
        #expect(
            notices.first?.hasSuffix(
                "its keys cannot be told apart from the others, so some breaks may be caused by it")
                == true)
        #expect(result.stdout.contains("note: the ledger input otc desk failed"))
    }

    @Test func aGlobThatMatchesNothingFailsItsInputOrIsSkippedWhenOptional() throws {
        scratch.write("venue,account,asset,amount\nkraken,AA11,BTC,1\nokx,o,BTC,2\n", to: "ledger.csv")
        scratch.write("venue,account,asset,balance\nkraken,AA11,BTC,1\n", to: "in/2026-11-24/kraken-1.csv")
        let job = """
            job: globs
            ledger:
              - {path: ledger.csv, format: csv}
            statements:
              - {path: "in/{as_of}/kraken-*.csv", format: csv, columns: {venue: venue, account: account, asset: asset, amount: balance}}
              - {name: okx, path: "in/{as_of}/okx-*.json", format: ccxt-balance, venue: okx, account: o, OPTIONAL}
            report: {dir: out}
            """
        scratch.write(job.replacingOccurrences(of: ", OPTIONAL", with: ""), to: "job.yaml")
        let failed = try recon(["run", "job.yaml", "--as-of", "2026-11-24"], in: scratch.path)
        #expect(failed.status == 2)
        #expect(
            failed.stderr.contains(
                "error: no file matches in/2026-11-24/okx-*.json (from in/{as_of}/okx-*.json) (set `optional: true` on the input if that can happen)"
            ))
        scratch.write(job.replacingOccurrences(of: "OPTIONAL", with: "optional: true"), to: "job.yaml")
        let skipped = try recon(["run", "job.yaml", "--as-of", "2026-11-24"], in: scratch.path)
        #expect(skipped.status == 0, "\(skipped.stdout)\(skipped.stderr)")
        let report = try scratch.json("out/report.json")
        let inputs = try #require(report["inputs"] as? [[String: Any]])
        #expect(inputs.map { $0["status"] as? String } == ["ok", "ok", "skipped"])
        let lines = try #require(report["lines"] as? [[String: Any]])
        let okx = try #require(lines.first { $0["venue"] as? String == "okx" })
        #expect(okx["classification"] as? String == "unreconciled")
        #expect(okx["notes"] as? [String] == ["not reconciled: the optional statement input okx had no file"])
    }

    /// Day two's statement must open where day one's closed; the repository remembers the closing.
    @Test func anOpeningThatDoesNotContinueThePreviousClosingIsFlagged() throws {
        let header = #""txid","refid","time","type","subtype","aclass","asset","wallet","amount","fee","balance""#
        scratch.write(
            header + "\n" + #""L1","R1","2026-11-23 10:00:00","deposit","","currency","XXBT","spot / main",1.5,0,1.5"#
                + "\n", to: "in/2026-11-23/kraken.csv")
        // Day two opens at 1.4 (1.6 − 0.2), not at the 1.5 recorded for day one.
        scratch.write(
            header + "\n" + #""L2","R2","2026-11-24 10:00:00","deposit","","currency","XXBT","spot / main",0.2,0,1.6"#
                + "\n", to: "in/2026-11-24/kraken.csv")
        scratch.write("venue,account,asset,amount\nkraken,AA11,BTC,1.5\n", to: "in/2026-11-23/ledger.csv")
        scratch.write("venue,account,asset,amount\nkraken,AA11,BTC,1.6\n", to: "in/2026-11-24/ledger.csv")
        scratch.write(
            """
            job: days
            ledger:
              - {path: "in/{as_of}/ledger.csv", format: csv}
            statements:
              - {path: "in/{as_of}/kraken.csv", format: kraken-ledgers, account: AA11}
            report: {dir: "out/{as_of}"}
            repository: recon.sqlite
            """, to: "job.yaml")
        let first = try recon(["run", "job.yaml", "--as-of", "2026-11-23"], in: scratch.path)
        #expect(first.status == 0, "\(first.stderr)")
        let second = try recon(["run", "job.yaml", "--as-of", "2026-11-24"], in: scratch.path)
        #expect(second.status == 0, "\(second.stderr)")
        let firstReport = try scratch.json("out/2026-11-23/report.json")
        let firstRun = try #require(firstReport["run_id"] as? String)
        let finding =
            "opening 1.4 does not continue the closing 1.5 recorded for 2026-11-23 (run \(firstRun))"
        #expect(second.stderr.contains("in/2026-11-24/kraken.csv:2: warning: kraken/AA11/BTC: \(finding)"))
        let report = try scratch.json("out/2026-11-24/report.json")
        let lines = try #require(report["lines"] as? [[String: Any]])
        #expect(lines.first?["continuity"] as? String == finding)
        #expect(lines.first?["classification"] as? String == "matched")
    }

    /// AUDIT.md says the recorded configuration shows whether checkpoints are signed; a key given in the environment
    /// was recorded as `false`.
    @Test func aSigningKeyFromTheEnvironmentIsRecordedAsSigning() throws {
        scratch.write("venue,account,asset,amount\nkraken,AA11,BTC,1\n", to: "ledger.csv")
        scratch.write("venue,account,asset,balance\nkraken,AA11,BTC,1\n", to: "kraken.csv")
        scratch.write(
            """
            job: signed
            as_of: 2026-11-24
            ledger:
              - {path: ledger.csv, format: csv}
            statements:
              - {path: kraken.csv, format: csv, columns: {venue: venue, account: account, asset: asset, amount: balance}}
            report: {dir: out}
            audit: {path: audit.jsonl}
            """, to: "job.yaml")
        let result = try recon(
            ["run", "job.yaml", "--quiet"], in: scratch.path,
            environment: ["RECON_AUDIT_SIGNING_KEY": String(repeating: "11", count: 32)])
        #expect(result.status == 0, "\(result.stderr)")
        let started = scratch.read("audit.jsonl").split(separator: "\n").first.map(String.init) ?? ""
        #expect(started.contains(#""signing_key":true"#))
        #expect(!started.contains(String(repeating: "11", count: 32)))
    }
}
