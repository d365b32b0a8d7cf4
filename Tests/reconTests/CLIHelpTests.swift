import Foundation
import Testing
import VenueMock

/// The command line as a new user meets it: every help example runs, `check` plans without writing, `inspect` reads
/// an input the way the job does, and errors speak the words the user typed.
@Suite(.serialized) struct CLIHelpTests {
    let scratch = Scratch()

    /// A copy of the jobs and samples, so examples that write `out/` write it here. With `venue`, the fetched job's
    /// venues are the mock's (the only change: its `base_url:` lines), so fetch examples run without a network.
    func workspace(venue: VenueScenario? = nil) throws -> String {
        let root = scratch.path + "/workspace"
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        for folder in ["jobs", "samples"] {
            try FileManager.default.copyItem(atPath: packageRoot + "/" + folder, toPath: root + "/" + folder)
        }
        if let venue {
            let path = root + "/jobs/eod-fetch.yaml"
            let job = try String(contentsOfFile: path, encoding: .utf8)
            let local = job.split(separator: "\n", omittingEmptySubsequences: false).map { line in
                line.contains("base_url: https://")
                    ? line.prefix { $0 != "b" } + "base_url: \(venue.venue.baseURL)" : line
            }
            try local.joined(separator: "\n").write(toFile: path, atomically: true, encoding: .utf8)
        }
        return root
    }

    /// The example lines of `recon COMMAND --help`.
    func examples(_ command: [String]) throws -> [String] {
        let help = try recon(command + ["--help"]).stdout
        guard let start = help.range(of: "Example") else { return [] }
        // A line ending in `\` continues on the next, as in a shell.
        let joined = help[start.upperBound...].replacingOccurrences(of: "\\\n", with: " ")
        return joined.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
            .filter {
                $0.hasPrefix("recon ") || $0.hasPrefix("cd ") || ($0.hasPrefix("RECON_") && $0.contains(" recon "))
            }
    }

    /// Runs one example line through the shell with `recon` on the PATH.
    func run(_ line: String, in directory: String, environment: [String: String] = [:]) throws -> ProcessResult {
        try runProcess(
            "/bin/sh", ["-c", line], in: directory,
            environment: environment.merging([
                "PATH": (reconExecutable() as NSString).deletingLastPathComponent + ":/usr/bin:/bin",
                "RECON_LOCK_DIR": directory + "/locks",
            ]) { $1 })
    }

    @Test func everyExampleInEveryHelpRunsAsPrinted() async throws {
        let venue = try await VenueScenario()
        defer { Task { await venue.shutdown() } }
        let root = try workspace(venue: venue)
        let commands: [[String]] = [
            [], ["run"], ["fetch"], ["check"], ["inspect"], ["formats"], ["audit"], ["audit", "verify"],
            ["audit", "keygen"],
            ["replay"], ["history"], ["show"], ["ack"], ["ack", "add"], ["ack", "approve"], ["generate"],
        ]
        var ran = 0
        var runID: String?
        for command in commands {
            let lines = try examples(command)
            #expect(!lines.isEmpty, "recon \(command.joined(separator: " ")) --help has no example")
            for example in lines {
                // Keep /tmp examples inside the scratch directory; fill in a real run id.
                var line = example.replacingOccurrences(of: "/tmp/", with: scratch.path + "/tmp/")
                if line.contains("RUN_ID") {
                    runID =
                        try runID ?? #require(
                            try scratch.json("workspace/out/eod-sample/report.json")["run_id"] as? String)
                    line = line.replacingOccurrences(of: "RUN_ID", with: runID ?? "")
                }
                let result = try run(line, in: root, environment: venue.environment)
                // 0, or 1 for the sample job's deliberate breaks: never a usage error or a failure (an example the help
                // wrapped in the middle fails here too).
                #expect([0, 1].contains(result.status), "`\(example)` exited \(result.status): \(result.stderr)")
                ran += 1
            }
        }
        #expect(ran >= 25)
    }

    @Test func checkPrintsThePlanAndWritesNothing() throws {
        let root = try workspace()
        func listing() -> [String] {
            (FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []).sorted()
        }
        let before = listing()
        let result = try run("recon check jobs/eod-sample.yaml", in: root)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(listing() == before)
        #expect(!FileManager.default.fileExists(atPath: root + "/out"))
        #expect(!FileManager.default.fileExists(atPath: root + "/locks"))
        #expect(result.stdout.hasPrefix("eod-sample 2026-11-24: ready\ncutoff: the end of 2026-11-24 UTC\n\ninputs:\n"))
        #expect(
            result.stdout.contains(
                "\na run would classify 34 lines: 25 matched, 5 within_tolerance, 1 mismatch, 1 missing_in_ledger, "
                    + "1 conflict, 1 acknowledged\n"))
        #expect(result.stdout.contains("  statement  kraken                              kraken-ledgers"))
        #expect(result.stdout.contains("      7  asset BTC absolute\n"))
        #expect(result.stdout.hasSuffix("\nnothing was written (a check reads the inputs only).\n"))
        let dryRun = try run("recon run jobs/eod-sample.yaml --dry-run", in: root)
        #expect(dryRun.status == 0)
        #expect(dryRun.stdout == result.stdout)
        #expect(listing() == before)
    }

    @Test func checkWarnsAboutRulesThatNeverApplyAndFailsOnABadInput() throws {
        let root = try workspace()
        let job = try String(contentsOfFile: root + "/jobs/eod-sample.yaml", encoding: .utf8)
        try job.replacingOccurrences(
            of: "    kraken: {relative_bps: \"0.01\"}", with: "    krakn: {relative_bps: \"0.01\"}"
        )
        .replacingOccurrences(of: "    ADA: {absolute: \"0.00001\"}", with: "    DOGS: {absolute: \"0.00001\"}")
        .write(toFile: root + "/jobs/typo.yaml", atomically: true, encoding: .utf8)
        let typo = try run("recon check jobs/typo.yaml", in: root)
        #expect(typo.status == 0)
        #expect(
            typo.stdout.contains(
                "\nrules that never apply:\n"
                    + "  warning: tolerance.venues.krakn: venue 'krakn' matches no input; did you mean 'kraken'?\n"
                    + "  warning: tolerance.assets.DOGS: asset 'DOGS' matches no balance; did you mean 'DOGE'?\n"))
        try job.replacingOccurrences(of: "../samples/statements/kraken/ledgers.csv", with: "../samples/nope.csv")
            .write(toFile: root + "/jobs/broken.yaml", atomically: true, encoding: .utf8)
        let broken = try run("recon check jobs/broken.yaml", in: root)
        #expect(broken.status == 2)
        #expect(broken.stdout.hasPrefix("eod-sample 2026-11-24: not ready (1 input would fail)\n"))
        #expect(broken.stdout.contains("4 unreconciled"))
        let missing = try run("recon check jobs/missing.yaml", in: root)
        #expect(missing.status == 64)
        #expect(missing.stderr == "jobs/missing.yaml: error: cannot read the job file: No such file or directory\n")
    }

    @Test func inspectReadsAnInputAsTheJobDoesAndSaysWhichFormat() throws {
        let job = try recon(["inspect", "--job", "jobs/eod-sample.yaml", "--input", "kraken"])
        #expect(job.status == 0, "\(job.stderr)")
        #expect(job.stdout.split(separator: "\n").count == 3)
        #expect(job.stdout.contains(#""account":"AA11-BB22""#))
        #expect(job.stderr.hasPrefix("format: kraken-ledgers\n"))
        let detected = try recon(["inspect", "samples/statements/binance/account.json"])
        #expect(detected.stderr.hasPrefix("format: binance-account (detected)\n"))
        let wrongInput = try recon(["inspect", "--job", "jobs/eod-sample.yaml", "--input", "krakn"])
        #expect(wrongInput.status == 64)
        #expect(wrongInput.stderr.hasPrefix("error: --input: the job has no input 'krakn'; did you mean 'kraken'? "))
        scratch.write("venue;account;asset;amount\nk;a;BTC;1,5\n", to: "semi.csv")
        let semicolons = try recon(["inspect", "semi.csv", "--format", "csv"], in: scratch.path)
        #expect(semicolons.status == 2)
        #expect(
            semicolons.stderr
                == "format: csv\nsemi.csv:1: error: column 'asset' for asset not found (the header has: venue;account;asset;amount) — the header has one column containing ';': try --delimiter ';'\n"
        )
        let flags = try recon(
            ["inspect", "semi.csv", "--delimiter", ";", "--decimal-separator", ","], in: scratch.path)
        #expect(flags.status == 0, "\(flags.stderr)")
        #expect(flags.stdout.contains(#""amount":"1.5""#))
    }

    @Test func errorsSpeakTheWordsTheUserTyped() throws {
        // On the command line a missing account is --account, said once for the whole file.
        let account = try recon(["inspect", "samples/statements/kraken/ledgers.csv"])
        #expect(account.status == 2)
        #expect(
            account.stderr
                == "format: kraken-ledgers (detected)\nsamples/statements/kraken/ledgers.csv:3: error: no account: the data names none; set --account (3 records; the first is here)\n"
        )
        let format = try recon(["inspect", "x.csv", "--format", "cvs"])
        #expect(format.status == 64)
        #expect(format.stderr.hasPrefix("error: --format: unknown format 'cvs'; did you mean 'csv'? known formats: "))
        let command = try recon(["rn", "jobs/eod-sample.yaml"])
        #expect(command.status == 64)
        #expect(
            command.stderr
                == "error: unknown command 'rn'; did you mean 'run'? commands: run, fetch, check, inspect, formats, audit, replay, history, show, ack, generate\n"
        )
        let formats = try recon(["formats"])
        #expect(formats.status == 0)
        #expect(formats.stdout.split(separator: "\n").count == 14)
        #expect(formats.stdout.contains("kraken-ledgers               Kraken ledgers export CSV"))
    }

    @Test func machineOutputIsJSONForEveryExit() throws {
        let usage = try recon(["run", "nope.yaml", "--json"])
        #expect(usage.status == 64)
        let object = try JSONSerialization.jsonObject(with: Data(usage.stdout.utf8)) as? [String: Any]
        #expect(object?["exit_status"] as? Int == 64)
        #expect(object?["error"] as? String == "nope.yaml: error: cannot read the job file: No such file or directory")
        let parse = try recon(["run", "--json"])
        #expect(parse.status == 64)
        let parsed = try JSONSerialization.jsonObject(with: Data(parse.stdout.utf8)) as? [String: Any]
        #expect(parsed?["exit_status"] as? Int == 64)
        // Commands whose failures print their message on stderr say it on stdout too with --json.
        let history = try recon(["history", "--json"])
        #expect(history.status == 64)
        let historyError = try JSONSerialization.jsonObject(with: Data(history.stdout.utf8)) as? [String: Any]
        #expect(historyError?["exit_status"] as? Int == 64)
        #expect((historyError?["error"] as? String)?.hasPrefix("no run repository") == true)
        // --log-format json: nothing but JSON lines on stderr, counts as numbers.
        let root = try workspace()
        let logged = try run(
            "recon run jobs/eod-sample.yaml --quiet --log-format json --log-level info", in: root)
        #expect(logged.status == 1)
        let lines = logged.stderr.split(separator: "\n")
        #expect(lines.count > 10)
        for line in lines {
            let value = try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
            #expect(value != nil, "not JSON: \(line)")
            if value?["message"] as? String == "input loaded" { #expect(value?["records"] is Int) }
        }
    }

    @Test func historyAndShowFindTheRepositoryFromTheJobAndSpeakJSON() throws {
        let root = try workspace()
        #expect(try run("recon run jobs/eod-sample.yaml --quiet", in: root).status == 1)
        #expect(try run("recon run jobs/eod-sample.yaml --quiet", in: root).status == 1)
        let history = try run("recon history --job jobs/eod-sample.yaml", in: root)
        #expect(history.status == 0, "\(history.stderr)")
        let rows = history.stdout.split(separator: "\n")
        #expect(rows.count == 3)
        #expect(rows.first?.hasPrefix("run ") == true)
        let ids = try run("recon history --job jobs/eod-sample.yaml --ids", in: root).stdout.split(separator: "\n")
        #expect(ids.count == 2)
        // Newest first: the second run is listed first.
        let json = try run("recon history --job jobs/eod-sample.yaml --json", in: root)
        let runs = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [[String: Any]]
        #expect(runs?.map { $0["run_id"] as? String ?? "" } == ids.map(String.init))
        let show = try run("recon show \(ids[0]) --job jobs/eod-sample.yaml --json", in: root)
        let detail = try JSONSerialization.jsonObject(with: Data(show.stdout.utf8)) as? [String: Any]
        #expect(detail?["breaks"] as? Int == 3)
        #expect((detail?["listed_lines"] as? [Any])?.count == 3)
        let none = try run("recon history", in: root)
        #expect(none.status == 64)
        #expect(
            none.stderr
                == "error: no run repository: give --repository FILE, --job JOB (a job file with `repository:`), or set RECON_REPOSITORY\n"
        )
    }

    @Test func theSummarySaysWhereTheRestOfTheBreaksAre() throws {
        let root = try workspace()
        let result = try run("recon run jobs/eod-sample.yaml", in: root)
        #expect(
            result.stdout.hasPrefix(
                "eod-sample 2026-11-24: breaks (34 lines, 3 breaks, 1 acknowledged)\nrun eod-sample-"))
        #expect(
            result.stdout.contains(
                "  conflict  coinbase/ops-main/ETH  ledger 12.345678901234567890  statement —  (the statement reports this key 2 times:"
            ))
    }

    @Test func completionsOfferJobFilesFormatsAndLogLevels() throws {
        let directory = scratch.path + "/completion"
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        scratch.write("", to: "completion/eod.yaml")
        scratch.write("", to: "completion/notes.txt")
        func complete(_ words: [String], previous: String) throws -> [String] {
            let line = words.joined(separator: " ")
            let script = """
                source \(packageRoot)/completions/recon.bash
                COMP_WORDS=(\(words.map { "'\($0)'" }.joined(separator: " "))); COMP_CWORD=\(words.count - 1)
                COMP_LINE='\(line)'; COMP_POINT=${#COMP_LINE}
                _recon recon '\(words.last ?? "")' '\(previous)'; printf '%s\\n' "${COMPREPLY[@]}"
                """
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = ["-c", script]
            process.currentDirectoryURL = URL(fileURLWithPath: directory)
            let output = Pipe()
            process.standardOutput = output
            process.standardError = Pipe()
            try process.run()
            let data = output.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return String(decoding: data, as: UTF8.self).split(separator: "\n").map(String.init).filter { !$0.isEmpty }
        }
        #expect(try complete(["recon", "check", ""], previous: "check") == ["eod.yaml"])
        #expect(
            try complete(["recon", "inspect", "--format", "kra"], previous: "--format") == [
                "kraken-ledgers", "kraken-balance",
            ])
        #expect(try complete(["recon", "run", "eod.yaml", "--log-level", "w"], previous: "--log-level") == ["warning"])
    }

    /// Found by a newcomer's and an adversary's pass over the CLI.
    @Test func flagsThatWouldBeIgnoredAreRefusedAndHintsNameFlags() throws {
        let ignored = try recon(["inspect", "--job", "jobs/eod-sample.yaml", "--input", "kraken", "--format", "csv"])
        #expect(ignored.status == 64)
        #expect(
            ignored.stderr
                == "error: --format reads a FILE; with --job the input is read as the job says (change the job)\n")
        scratch.write("venue,account,asset,amount\nk,a,BTC,$12\nk,a,ETH,(3)\n", to: "sym.csv")
        let hints = try recon(["inspect", "sym.csv"], in: scratch.path)
        #expect(
            hints.stderr
                == "format: csv (detected)\nsym.csv:2:9: error: invalid amount '$12' (column amount): unexpected character '$' (set --currency-symbols to skip a currency symbol)\nsym.csv:3:9: error: invalid amount '(3)' (column amount): unexpected character '(' (set --negative-parentheses if (12.00) means -12.00)\n"
        )
        let fixed = try recon(["inspect", "sym.csv", "--currency-symbols", "--negative-parentheses"], in: scratch.path)
        #expect(fixed.status == 0)
        let since = try recon(["history", "--repository", "x.sqlite", "--since", "yesterday"])
        #expect(since.status == 64)
        let audit = try recon(["audit", "verfy", "out/audit.jsonl"])
        #expect(audit.status == 64)
        #expect(
            audit.stderr
                == "error: unknown command 'audit verfy'; did you mean 'verify'? commands: audit verify, audit keygen\n"
        )
    }

    @Test func checkSpeaksJSONAndQuietAndNamesTheInputOfAFinding() throws {
        let root = try workspace()
        let json = try run("recon run jobs/eod-sample.yaml --dry-run --json", in: root)
        #expect(json.status == 0)
        let plan = try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) as? [String: Any]
        #expect(plan?["ready"] as? Bool == true)
        #expect((plan?["counts"] as? [String: Int])?["matched"] == 25)
        #expect(try run("recon check jobs/eod-sample.yaml --quiet", in: root).stdout.isEmpty)
        #expect((plan?["lines"] as? [Any])?.count == 34)
        let lines = try run("recon check jobs/eod-sample.yaml --lines", in: root)
        #expect(
            lines.stdout.contains(
                "  binance/spot-1/BTC                            matched            asset BTC absolute (0.00000001)\n"
            ))
        let text = try run("recon check jobs/eod-sample.yaml", in: root)
        #expect(
            text.stdout.contains(
                "  statement coinbase advanced (ops):\n    samples/statements/coinbase/advanced-accounts-page-1.json:45:5: note: skipped accounts[2]: deleted at 2022-06-01T00:00:00Z\n"
            ))
    }

    @Test func showKeepsUnreconciledLinesApartAndNamesFailedInputs() throws {
        let root = try workspace()
        let job = try String(contentsOfFile: root + "/jobs/eod-sample.yaml", encoding: .utf8)
        try job.replacingOccurrences(of: "../samples/statements/kraken/ledgers.csv", with: "../samples/nope.csv")
            .write(toFile: root + "/jobs/broken.yaml", atomically: true, encoding: .utf8)
        #expect(try run("recon run jobs/broken.yaml --quiet", in: root).status == 2)
        let id = try run("recon history --job jobs/broken.yaml --ids", in: root).stdout.trimmingCharacters(
            in: .whitespacesAndNewlines)
        let show = try run("recon show \(id) --job jobs/broken.yaml", in: root)
        #expect(show.status == 0, "\(show.stderr)")
        #expect(show.stdout.contains("\nfailed inputs:\n  kraken: samples/nope.csv: error: cannot open"))
        #expect(show.stdout.contains("4 lines not reconciled (an input failed; not breaks): --all lists them"))
        #expect(!show.stdout.contains("  unreconciled  "))
    }

    @Test func logLinesEscapeNamesSoNoneCanForgeALine() throws {
        scratch.write("venue,account,asset,amount\nk,a,BTC,1\n", to: "ledger.csv")
        scratch.write(
            """
            job: evil
            as_of: 2026-11-24
            ledger:
              - {name: "led\\e[2Jger\\nfake line", path: ledger.csv, format: csv}
            statements:
              - {path: ledger.csv, format: csv, kind: balances}
            report: {dir: out}
            """, to: "job.yaml")
        let result = try recon(["run", "job.yaml", "--quiet", "--log-level", "info"], in: scratch.path)
        #expect(result.status == 0, "\(result.stderr)")
        #expect(!result.stderr.contains("\u{1B}"))
        #expect(result.stderr.contains("input=led\\u{1b}[2Jger\\u{a}fake line"))
    }
}
