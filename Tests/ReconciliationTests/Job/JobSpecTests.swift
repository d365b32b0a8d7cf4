import Foundation
import Testing

@testable import Reconciliation

@Suite struct JobSpecTests {
    let directory = TemporaryDirectory()

    static let valid = """
        job: eod-sample
        as_of: 2026-11-24
        ledger:
          - path: ../samples/ledger/entries.csv.gz
            format: csv
            kind: entries
            columns: {venue: venue, account: account, asset: asset, amount: amount}
        statements:
          - path: ../samples/statements/balances.csv
            format: csv
            kind: balances
            columns: {venue: venue, account: account, asset: asset, amount: balance}
        tolerance:
          default: {absolute: "0"}
          assets:
            BTC: {absolute: "0.00000001"}
        report:
          dir: ../out/eod-sample
          formats: [json, markdown]

        """

    func load(_ yaml: String, environment: [String: String] = [:], overrides: JobOverrides = JobOverrides()) throws
        -> JobSpec
    {
        directory.write(yaml, to: "jobs/job.yaml")
        return try JobSpec.load(
            path: "jobs/job.yaml", environment: environment, overrides: overrides, currentDirectory: directory.path)
    }

    func message(_ yaml: String, environment: [String: String] = [:]) -> String? {
        caught { try load(yaml, environment: environment) }.map { "\($0)" }
    }

    /// A job of `count` statements; those at `broken` name a format that does not exist.
    static func manyStatements(_ count: Int, broken: Set<Int> = []) -> String {
        var yaml = """
            job: many
            as_of: 2026-11-24
            ledger:
              - path: ledger.csv
                format: csv
                kind: entries
                columns: {venue: venue, account: account, asset: asset, amount: amount}
            statements:

            """
        for position in 0..<count {
            yaml += """
                  - name: statement-\(position)
                    path: statements/s-{as_of}-\(position).csv
                    format: \(broken.contains(position) ? "nosuchformat" : "csv")
                    kind: balances
                    venue: v\(position % 7)
                    columns: {account: account, asset: asset, amount: balance}

                """
        }
        return yaml
    }

    /// Many inputs are parsed on every core, and the job is the one parsed an input at a time: the same inputs in
    /// the same order, and of several bad inputs the first in the file is the error, wherever the parts fall.
    @Test func manyInputsParseAsOneAtATimeAndTheFirstBadOneIsTheError() throws {
        let job = try load(Self.manyStatements(1_500))
        #expect(job.statements.count == 1_500)
        #expect(job.statements.map(\.name) == (0..<1_500).map { "statement-\($0)" })
        #expect(job.statements[1_499].files.map(\.displayPath).first?.hasSuffix("s-2026-11-24-1499.csv") == true)
        // The same specs as a job small enough to be parsed on one thread, input by input.
        for position in [0, 700, 1_499] {
            let small = try load(
                Self.manyStatements(1).replacingOccurrences(of: "statement-0", with: "statement-\(position)")
                    .replacingOccurrences(of: "s-{as_of}-0", with: "s-{as_of}-\(position)")
                    .replacingOccurrences(of: "venue: v0", with: "venue: v\(position % 7)"))
            #expect(small.statements[0] == job.statements[position])
        }
        for broken: Set<Int> in [[3], [1_200], [1_100, 1_400], [200, 900, 1_499]] {
            let text = message(Self.manyStatements(1_500, broken: broken)) ?? ""
            #expect(text.contains("statements[\(broken.min() ?? 0)]"), "\(broken): \(text)")
        }
    }

    @Test func theSpineShapeLoadsWithPathsRelativeToTheJobFile() throws {
        let job = try load(Self.valid)
        #expect(job.name == "eod-sample")
        #expect(job.asOf == "2026-11-24")
        #expect(job.ledger[0].files[0].path == directory.path + "/samples/ledger/entries.csv.gz")
        #expect(job.ledger[0].files[0].displayPath == "samples/ledger/entries.csv.gz")
        #expect(job.ledger[0].options.kind == .entries)
        #expect(job.statements[0].options.fields.amount == "balance")
        #expect(job.report.directory == directory.path + "/out/eod-sample")
        #expect(job.report.formats == [.json, .markdown])
        #expect(job.tolerance.assets["BTC"]?.absolute == amount("0.00000001"))
        #expect(job.tolerance.defaultRule.absolute == .zero)
    }

    @Test func environmentAndCommandLineOverrideInThatOrder() throws {
        let fromEnvironment = try load(
            Self.valid,
            environment: ["RECON_REPORT_DIR": "env-out", "RECON_LOG_LEVEL": "debug", "RECON_MAX_BREAKS": "3"])
        #expect(fromEnvironment.report.directory == directory.path + "/env-out")
        #expect(fromEnvironment.logLevel == "debug")
        #expect(fromEnvironment.maxBreaks == 3)
        let fromFlag = try load(
            Self.valid, environment: ["RECON_REPORT_DIR": "env-out"],
            overrides: JobOverrides(reportDirectory: "/tmp/flag"))
        #expect(fromFlag.report.directory == "/tmp/flag")
    }

    @Test func unknownKeysAreRejectedByNameWithASuggestion() {
        let yaml = Self.valid.replacingOccurrences(of: "    kind: balances", with: "    knd: balances")
        #expect(
            message(yaml)
                == "jobs/job.yaml:11:5: error: at `statements[0]`: unknown key `knd` (did you mean `kind`?); known keys: "
                + JobSpec.inputKeys.joined(separator: ", "))
    }

    @Test func badValuesNameTheKeyPath() {
        let yaml = Self.valid.replacingOccurrences(of: "BTC: {absolute: \"0.00000001\"}", with: "BTC: {absolute: abc}")
        #expect(
            message(yaml)
                == "jobs/job.yaml:16:21: error: at `tolerance.assets.BTC.absolute`: expected a decimal, got 'abc' (unexpected character 'a')"
        )
        let date = Self.valid.replacingOccurrences(of: "as_of: 2026-11-24", with: "as_of: 2026-02-30")
        #expect(message(date) == "jobs/job.yaml:2:8: error: at `as_of`: expected a date YYYY-MM-DD, got '2026-02-30'")
        let kind = Self.valid.replacingOccurrences(of: "kind: entries", with: "kind: movements")
        #expect(
            message(kind)
                == "jobs/job.yaml:6:11: error: at `ledger[0].kind`: expected one of entries, balances, got 'movements'")
        let format = Self.valid.replacingOccurrences(
            of: "    format: csv\n    kind: entries", with: "    format: cvs\n    kind: entries")
        #expect(
            message(format)?.hasPrefix(
                "jobs/job.yaml:5:13: error: at `ledger[0].format`: unknown format 'cvs'; did you mean 'csv'? known formats: coinbase-advanced-accounts,"
            ) == true)
    }

    @Test func theDayComesFromTheFlagThenTheEnvironmentThenTheFile() throws {
        #expect(try load(Self.valid).asOf == "2026-11-24")
        #expect(try load(Self.valid, environment: ["RECON_AS_OF": "2026-11-25"]).asOf == "2026-11-25")
        #expect(
            try load(
                Self.valid, environment: ["RECON_AS_OF": "2026-11-25"], overrides: JobOverrides(asOf: "2026-11-26")
            ).asOf == "2026-11-26")
        let undated = Self.valid.replacingOccurrences(of: "as_of: 2026-11-24\n", with: "")
        #expect(try load(undated, overrides: JobOverrides(asOf: "2026-11-27")).cutoff.asOf == "2026-11-27")
        #expect(
            message(undated, environment: ["RECON_AS_OF": "11/27/2026"])
                == "error: environment variable RECON_AS_OF: expected a date YYYY-MM-DD, got '11/27/2026'")
    }

    @Test func cutoffsAndTimeSettingsAreCheckedAtTheirKeyPath() throws {
        let cutoff = Self.valid.replacingOccurrences(
            of: "as_of: 2026-11-24", with: "as_of: 2026-03-08\ncutoff: {time: \"02:30\", zone: America/New_York}")
        #expect(
            message(cutoff)
                == "jobs/job.yaml:3:16: error: at `cutoff.time`: 02:30 on 2026-03-08 does not exist in America/New_York (the clocks skip it)"
        )
        let zone = Self.valid.replacingOccurrences(
            of: "as_of: 2026-11-24", with: "as_of: 2026-11-24\ncutoff: {time: \"17:00\", zone: EST5}")
        #expect(
            message(zone)
                == "jobs/job.yaml:3:31: error: at `cutoff.zone`: unknown time zone 'EST5' (use an IANA name such as America/New_York, or UTC)"
        )
        let good = try load(
            Self.valid.replacingOccurrences(
                of: "as_of: 2026-11-24", with: "as_of: 2026-11-24\ncutoff: {time: \"17:00\", zone: Europe/Zurich}"))
        #expect(good.cutoff.instantISO8601 == "2026-11-24T16:00:00Z")
        #expect(good.statements[0].options.cutoff == good.cutoff)
        let template = Self.valid.replacingOccurrences(
            of: "../samples/statements/balances.csv", with: "../in/{asof}/balances.csv")
        #expect(
            message(template)
                == "jobs/job.yaml:9:11: error: at `statements[0].path`: unknown placeholder {asof} in '../in/{asof}/balances.csv' (known: {as_of}, {as_of:FORMAT})"
        )
        let dateOnEntries = Self.valid.replacingOccurrences(
            of: "columns: {venue: venue, account: account, asset: asset, amount: amount}",
            with: "columns: {venue: venue, account: account, asset: asset, amount: amount, date: day}")
        #expect(
            message(dateOnEntries)
                == "jobs/job.yaml:7:83: error: at `ledger[0].columns.date`: `date` picks the balances of the as-of day; entries are cut off by `time`"
        )
        let badZone = Self.valid.replacingOccurrences(
            of: "    kind: balances", with: "    kind: balances\n    time_zone: Europe/Atlantis")
        #expect(
            message(badZone)
                == "jobs/job.yaml:12:16: error: at `statements[0].time_zone`: unknown time zone 'Europe/Atlantis' (use an IANA name such as America/New_York, or UTC)"
        )
    }

    @Test func missingKeysAndEmptyListsAreNamed() {
        let noJob = Self.valid.replacingOccurrences(of: "job: eod-sample\n", with: "")
        #expect(message(noJob) == "jobs/job.yaml:1:1: error: at `(top level)`: missing required key `job`")
        let noColumns = Self.valid.replacingOccurrences(
            of: "columns: {venue: venue, account: account, asset: asset, amount: balance}",
            with: "columns: {venue: venue, account: account, amount: balance}")
        #expect(
            message(noColumns) == "jobs/job.yaml:12:14: error: at `statements[0].columns`: missing required key `asset`"
        )
    }

    @Test func environmentValuesAreValidated() {
        #expect(
            message(Self.valid, environment: ["RECON_LOG_LEVEL": "loud"])
                == "error: environment variable RECON_LOG_LEVEL: expected one of trace, debug, info, notice, warning, error, critical, got 'loud'"
        )
    }

    /// A format is one file: listed twice, two writers would race for it (and whether the run committed before failing
    /// would depend on which won). Refused where it is written.
    @Test func aReportFormatListedTwiceIsRefusedWhereItIsWritten() {
        let yaml = Self.valid.replacingOccurrences(
            of: "formats: [json, markdown]", with: "formats: [json, markdown, json]")
        #expect(
            message(yaml)
                == "jobs/job.yaml:19:29: error: at `report.formats[2]`: report format 'json' is listed twice; list each format once"
        )
        #expect(
            message(Self.valid, environment: ["RECON_REPORT_FORMATS": "csv, html,csv"])
                == "error: environment variable RECON_REPORT_FORMATS: report format 'csv' is listed twice")
    }

    @Test func yamlSyntaxErrorsHaveALocation() {
        #expect(message("job: [unclosed\n")?.hasPrefix("jobs/job.yaml:2:1: error: not valid YAML:") == true)
    }

    @Test func tolerancesCombineKinds() throws {
        let yaml = Self.valid.replacingOccurrences(
            of: "  default: {absolute: \"0\"}",
            with:
                "  default: {absolute: \"0.01\", relative_bps: \"5\", inferred: {multiplier: \"0.5\", integers: true}}\n  venues:\n    Kraken: {relative: \"0.001\"}"
        )
        let job = try load(yaml)
        #expect(job.tolerance.defaultRule.relative == amount("0.0005"))
        #expect(job.tolerance.defaultRule.inferred == InferredTolerance(multiplier: amount("0.5"), integers: true))
        #expect(job.tolerance.venues["kraken"]?.relative == amount("0.001"))
    }

    @Test func calendarDates() {
        #expect(isCalendarDate("2024-02-29"))
        #expect(!isCalendarDate("2023-02-29"))
        #expect(!isCalendarDate("2026-13-01"))
        #expect(!isCalendarDate("26-11-24"))
    }
}
