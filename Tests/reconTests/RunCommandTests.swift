import Foundation
import Testing

@Suite(.serialized) struct RunCommandTests {
    let scratch = Scratch()

    /// Reports, audit file, repository and archive of the sample job, all in the scratch directory.
    var isolated: [String] {
        [
            "--out", scratch.path, "--audit", scratch.path + "/audit.jsonl", "--repository", scratch.path + "/r.sqlite",
            "--archive", scratch.path + "/archive",
        ]
    }

    @Test func theSampleJobReportsItsDeliberateBreaksAndExitsOne() throws {
        let result = try recon(["run", "jobs/eod-sample.yaml"] + isolated)
        #expect(result.status == 1, "\(result.stderr)")
        #expect(result.stdout.hasPrefix("eod-sample 2026-11-24: breaks ("))
        #expect(
            result.stdout.contains(
                "mismatch  otc/desk-7/USDC  ledger 227236.158627  statement 227361.158627 diff 125.000000"))
        #expect(result.stdout.contains("acknowledged  kraken/AA11-BB22/DOT  diff -42.5000000000  staking lock"))
        #expect(result.stdout.contains("conflict  coinbase/ops-main/ETH"))
        let report = try scratch.json("report.json")
        #expect(report["status"] as? String == "breaks")
        let counts = try #require(report["counts"] as? [String: Int])
        // SOL is within its 100 USD value tolerance; DOT's break is acknowledged.
        #expect(
            counts == [
                "matched": 25, "within_tolerance": 5, "mismatch": 1, "missing_in_statement": 0, "missing_in_ledger": 1,
                "conflict": 1, "unreconciled": 0, "acknowledged": 1,
            ])
        let lines = try #require(report["lines"] as? [[String: Any]])
        let dot = try #require(lines.first { $0["asset"] as? String == "DOT" })
        #expect(dot["statement"] is NSNull)
        #expect(dot["ledger"] as? String == "42.5000000000")
        #expect(dot["classification"] as? String == "acknowledged")
        #expect(dot["difference_value"] as? String == "-308.125000000000")
        let sol = try #require(lines.first { $0["asset"] as? String == "SOL" && $0["venue"] as? String == "binance" })
        #expect(sol["classification"] as? String == "within_tolerance")
        #expect(sol["tolerance_source"] as? String == "venue binance asset SOL value 100.00 USD")
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
        // BTC of kraken/m matched through good.csv, but bad.csv (kraken/m too) failed: unknown, so unreconciled.
        #expect(lines.first { $0["asset"] as? String == "BTC" }?["classification"] as? String == "unreconciled")
        // The failed input's key is not a break: it could not be reconciled, and says why.
        let eth = try #require(lines.first { $0["asset"] as? String == "ETH" })
        #expect(eth["classification"] as? String == "unreconciled")
        #expect(
            eth["notes"] as? [String] == [
                "not reconciled: the statement input bad.csv failed (bad.csv:2: error: expected 4 fields as in the header, found 5)"
            ])
        let counts = try #require(report["counts"] as? [String: Int])
        #expect(counts["unreconciled"] == 2)
        #expect(counts["missing_in_statement"] == 0)
        #expect(result.stdout.contains("2 not reconciled"))
    }

    @Test func jobFileErrorsExitSixtyFour() throws {
        scratch.write("job: x\nas_of: 2026-11-24\nledger: []\nstatements: []\n", to: "empty.yaml")
        let result = try recon(["run", "empty.yaml"], in: scratch.path)
        #expect(result.status == 64)
        #expect(result.stderr == "empty.yaml:3:9: error: at `ledger`: needs at least one input\n")
        let missing = try recon(["run", "nope.yaml"], in: scratch.path)
        #expect(missing.status == 64)
        #expect(missing.stderr == "nope.yaml: error: cannot read the job file: No such file or directory\n")
    }

    @Test func jsonSummaryForSchedulers() throws {
        let result = try recon(["run", "jobs/eod-sample.yaml", "--json"] + isolated)
        #expect(result.status == 1)
        let summary = try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any]
        #expect(summary?["status"] as? String == "breaks")
        #expect(summary?["breaks"] as? Int == 3)
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
            "inspect", "samples/statements/otc/balances.csv", "--format", "csv", "--column", "asset=asset",
            "--column", "amount=balance", "--column", "venue=venue", "--column", "account=account",
        ])
        #expect(result.status == 0, "\(result.stderr)")
        let lines = result.stdout.split(separator: "\n")
        #expect(
            lines == [
                #"{"account":"desk-7","amount":"227361.158627","asset":"USDC","available":null,"entries":1,"hold":null,"source":"samples/statements/otc/balances.csv:2","venue":"otc"}"#,
                #"{"account":"desk-7","amount":"376163.18","asset":"USD","available":null,"entries":1,"hold":null,"source":"samples/statements/otc/balances.csv:3","venue":"otc"}"#,
            ])
    }

    @Test func detectsTheFormatOfEveryVenueSample() throws {
        let samples: [(String, [String], Int)] = [
            ("samples/statements/coinbase/advanced-accounts-page-2.json", [], 3),
            ("samples/statements/coinbase/exchange-accounts.json", [], 2),
            ("samples/statements/coinbase/exchange-statement-desk.csv", [], 2),
            ("samples/statements/coinbase/transactions-retail.csv", [], 3),
            ("samples/statements/kraken/ledgers.csv", ["--account", "AA11-BB22"], 3),
            ("samples/statements/binance/account.json", [], 6),
            ("samples/statements/dydx/subaccount-0.json", [], 2),
            ("samples/statements/okx/ccxt-balance.json", ["--venue", "okx", "--account", "main"], 2),
            ("samples/statements/ing/camt053-20261124.xml.gz", ["--venue", "ing"], 2),
            ("samples/statements/ing/camt052-20261124-1200.xml", ["--venue", "ing", "--balance-type", "ITBD"], 1),
        ]
        for (file, extra, count) in samples {
            let result = try recon(["inspect", file] + extra)
            #expect(result.status == 0, "\(file): \(result.stderr)")
            #expect(result.stdout.split(separator: "\n").count == count, "\(file)")
        }
        let ccxt = try recon([
            "inspect", "samples/statements/okx/ccxt-balance.json", "--venue", "okx", "--account", "main",
        ])
        #expect(ccxt.stdout.contains(#""amount":"50000.5","asset":"USDT","available":"49000.5""#))
    }

    @Test func sumsEntriesOfAGzippedLedger() throws {
        let result = try recon(["inspect", "samples/ledger/entries.csv.gz", "--format", "csv", "--kind", "entries"])
        #expect(result.status == 0, "\(result.stderr)")
        #expect(result.stdout.contains(#""asset":"DOT","available":null"#))
        #expect(result.stdout.split(separator: "\n").count == 33)
    }
}

@Suite struct CompletionScriptTests {
    @Test(arguments: [("bash", "recon.bash"), ("zsh", "_recon"), ("fish", "recon.fish")])
    func checkedInCompletionScriptsAreCurrent(shell: String, file: String) throws {
        let generated = try recon(["--generate-completion-script", shell])
        #expect(generated.status == 0)
        let committed = String(
            decoding: FileManager.default.contents(atPath: packageRoot + "/completions/" + file) ?? Data(),
            as: UTF8.self)
        #expect(generated.stdout == committed, "completions/\(file) is stale: run scripts/completions")
    }

    @Test func everySubcommandsHelpHasAnExample() throws {
        for command in [
            [], ["run"], ["inspect"], ["audit"], ["audit", "verify"], ["audit", "keygen"], ["replay"],
            ["history"], ["show"], ["generate"],
        ] {
            let help = try recon(command + ["--help"])
            #expect(help.status == 0)
            #expect(help.stdout.contains("Example"), "recon \(command.joined(separator: " ")) --help has no example")
        }
    }
}
