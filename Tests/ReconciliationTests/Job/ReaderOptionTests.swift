import Testing

@testable import Reconciliation

/// Each format checks its own inputs' options when the job is loaded; the loader only asks.
@Suite struct ReaderOptionTests {
    func problem(_ input: String) -> String? {
        let yaml = """
            job: j
            as_of: 2026-11-24
            ledger: [{path: l.csv, format: csv}]
            statements:
              - \(input)

            """
        let error = caught {
            try JobSpec.parse(
                yaml: yaml, file: "job.yaml", baseDirectory: "/tmp", environment: [:], overrides: JobOverrides(),
                paths: PathResolver(currentDirectory: "/tmp"))
        }
        return (error as? ReconciliationError)?.description
    }

    @Test func everyFormatSaysWhatItsInputsMustName() {
        #expect(
            problem("{path: s.csv, format: csv, columns: {account: a, asset: c, amount: b}}")
                == "job.yaml:5:5: error: at `statements[0]`: no venue: map a `venue` column or set `venue:`")
        #expect(
            problem("{path: s.csv, format: csv, venue: v, columns: {asset: c, amount: b}}")
                == "job.yaml:5:5: error: at `statements[0]`: no account: map an `account` column or set `account:`")
        #expect(
            problem("{path: s.json, format: json, fields: {asset: c, amount: b}}")
                == "job.yaml:5:5: error: at `statements[0]`: format json needs `records` (the path of one record)")
        #expect(
            problem("{path: s.xml, format: xml, records: a/b}")
                == "job.yaml:5:5: error: at `statements[0]`: format xml needs `fields`")
        #expect(
            problem("{path: k.csv, format: kraken-ledgers}")
                == "job.yaml:5:5: error: at `statements[0]`: format kraken-ledgers names no account; set `account:`")
        // A CSV input without a mapping reads the usual column names.
        #expect(problem("{path: s.csv, format: csv}") == nil)
        #expect(problem("{path: k.csv, format: kraken-ledgers, account: AA11}") == nil)
    }
}
