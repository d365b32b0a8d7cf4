import Foundation
import Testing

@Suite(.serialized) struct RunCommandTests {
    let scratch = Scratch()

    @Test func theSampleJobReportsItsDeliberateBreaksAndExitsOne() throws {
        let result = try recon(["run", "jobs/eod-sample.yaml", "--out", scratch.path])
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("eod-sample 2026-11-24: breaks ("))
        #expect(result.stdout.contains("mismatch  coinbase/ops-main/USDC"))
        #expect(result.stdout.contains("missing_in_statement  kraken/AA11-BB22/DOT"))
        let report = try scratch.json("report.json")
        #expect(report["status"] as? String == "breaks")
        let counts = try #require(report["counts"] as? [String: Int])
        #expect(counts["mismatch"] == 2)
        #expect(counts["missing_in_ledger"] == 1)
        #expect(counts["missing_in_statement"] == 1)
        #expect(counts["within_tolerance"] == 1)
        let lines = try #require(report["lines"] as? [[String: Any]])
        let dot = try #require(lines.first { $0["asset"] as? String == "DOT" })
        #expect(dot["statement"] is NSNull)
        #expect(dot["ledger"] as? String == "42.5000000000")
        #expect(dot["classification"] as? String == "missing_in_statement")
        #expect(scratch.read("report.md").hasPrefix("# Reconciliation `eod-sample` — 2026-11-24"))
    }

    @Test func aBadInputMakesTheRunPartialWhileTheOthersStillReconcile() throws {
        scratch.write("venue,account,asset,amount\nkraken,m,BTC,1\nkraken,m,ETH,2\n", to: "ledger.csv")
        scratch.write("venue,account,asset,balance\nkraken,m,BTC,1\n", to: "good.csv")
        scratch.write(
            "venue,account,asset,balance\nkraken,m,ETH,1,5\nkraken,m,XRP,abc\nkraken,m,ETH,2\n", to: "bad.csv")
        scratch.write(
            """
            job: partial
            as_of: 2026-11-24
            ledger:
              - {path: ledger.csv, format: csv}
            statements:
              - {path: good.csv, format: csv, columns: {venue: venue, account: account, asset: asset, amount: balance}}
              - {path: bad.csv, format: csv, columns: {venue: venue, account: account, asset: asset, amount: balance}}
            report: {dir: out}
            """, to: "job.yaml")
        let result = try recon(["run", "job.yaml"], in: scratch.path)
        #expect(result.status == 2)
        #expect(result.stderr.contains("bad.csv:2: error: expected 4 fields as in the header, found 5"))
        #expect(
            result.stderr.contains(
                "bad.csv:3:14: error: invalid amount 'abc' (column balance): unexpected character 'a'"))
        let report = try scratch.json("out/report.json")
        #expect(report["status"] as? String == "partial")
        let inputs = try #require(report["inputs"] as? [[String: Any]])
        #expect(inputs.map { $0["status"] as? String } == ["ok", "ok", "failed"])
        let lines = try #require(report["lines"] as? [[String: Any]])
        #expect(lines.first { $0["asset"] as? String == "BTC" }?["classification"] as? String == "matched")
        let eth = try #require(lines.first { $0["asset"] as? String == "ETH" })
        #expect(eth["classification"] as? String == "missing_in_statement")
        #expect(eth["notes"] as? [String] == ["incomplete: the statement input bad.csv failed and is left out"])
    }

    @Test func jobFileErrorsExitSixtyFour() throws {
        scratch.write("job: x\nas_of: 2026-11-24\nledger: []\nstatements: []\n", to: "empty.yaml")
        let result = try recon(["run", "empty.yaml"], in: scratch.path)
        #expect(result.status == 64)
        #expect(result.stderr == "empty.yaml:3:9: error: at `ledger`: needs at least one input\n")
        let missing = try recon(["run", "nope.yaml"], in: scratch.path)
        #expect(missing.status == 64)
        #expect(missing.stderr == "nope.yaml: error: cannot read the job file\n")
    }

    @Test func jsonSummaryForSchedulers() throws {
        let result = try recon(["run", "jobs/eod-sample.yaml", "--out", scratch.path, "--json"])
        #expect(result.status == 1)
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(summary?["status"] as? String == "breaks")
        #expect(summary?["breaks"] as? Int == 4)
    }

    @Test func environmentOverridesTheReportDirectory() throws {
        let result = try recon(
            ["run", "jobs/eod-sample.yaml", "--quiet"], environment: ["RECON_REPORT_DIR": scratch.path + "/env"])
        #expect(result.status == 1)
        #expect(result.stdout.isEmpty)
        #expect(FileManager.default.fileExists(atPath: scratch.path + "/env/report.json"))
    }
}

@Suite struct InspectCommandTests {
    @Test func printsNormalizedRecordsAsJSONLines() throws {
        let result = try recon([
            "inspect", "samples/statements/balances.csv", "--format", "csv", "--column", "asset=asset",
            "--column", "amount=balance", "--column", "venue=venue", "--column", "account=account",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(lines.count == 17)
        #expect(
            lines.first
                == #"{"account":"spot-1","amount":"31.28349437","asset":"BTC","available":null,"entries":1,"hold":null,"source":"samples/statements/balances.csv:2","venue":"binance"}"#
        )
    }

    @Test func sumsEntriesOfAGzippedLedger() throws {
        let result = try recon(["inspect", "samples/ledger/entries.csv.gz", "--format", "csv", "--kind", "entries"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#""asset":"DOT","available":null,"entries":1"#))
        #expect(result.stdout.split(separator: "\n").count == 17)
    }
}
