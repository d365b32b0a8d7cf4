import Foundation
import ReconWorkload
import Testing

@testable import Reconciliation

@Suite struct GeneratedWorkloadTests {
    let directory = TemporaryDirectory()

    func environment() -> RunEnvironment {
        RunEnvironment(
            now: { Date(timeIntervalSince1970: 1_764_000_000) }, makeRunID: { job, _ in "\(job)-run" },
            variables: [:], currentDirectory: directory.path)
    }

    @Test func theGeneratorIsDeterministicAndInjectsEveryClassification() throws {
        let first = try WorkloadGenerator(entries: 3000, seed: 7).write(to: directory.path + "/a")
        let second = try WorkloadGenerator(entries: 3000, seed: 7).write(to: directory.path + "/b")
        #expect(directory.read("a/ledger.csv.gz") == directory.read("b/ledger.csv.gz"))
        #expect(directory.read("a/statement.csv") == directory.read("b/statement.csv"))
        // Every classification a reconciliation of two readable files can give (`unreconciled` needs a failed input,
        // `acknowledged` an acknowledgements file).
        #expect(Set(first.expected.values) == Set(Classification.allCases).subtracting([.unreconciled, .acknowledged]))
        #expect(first.expected == second.expected)
        // Every ledger entry is a line of the CSV, and the sums in the statement are the sums of the ledger.
        let ledger = try readRecords(
            first.ledgerPath, format: "csv",
            options: InputOptions(
                kind: .entries,
                fields: FieldMapping(venue: "venue", account: "account", asset: "asset", amount: "amount")))
        #expect(ledger.rowCount == 3000)
        #expect(ledger.diagnostics.isEmpty)
    }

    @Test func manyKeysSplitOverManyStatementFilesReconcileExactly() throws {
        // 6 venues × 40 accounts × 20 assets, the statement split by key into 25 inputs.
        let summary = try WorkloadGenerator(entries: 20_000, accountsPerVenue: 40, statementFiles: 25)
            .write(to: directory.path)
        let spec = try JobSpec.load(path: summary.jobPath, currentDirectory: directory.path)
        #expect(spec.statements.count == 25)
        let outcome = try ReconciliationJob(spec: spec, environment: environment()).run()
        #expect(outcome.inputs.count == 26)
        #expect(outcome.inputs.allSatisfy { !$0.failed })
        let actual = Dictionary(uniqueKeysWithValues: outcome.report.result.lines.map { ($0.key, $0.classification) })
        #expect(actual == summary.expected)
        // A conflict (a key twice in the statement) stays a conflict: a key's rows are never split across files.
        #expect(summary.expected.values.contains(.conflict))
        #expect(Set(summary.expected.keys.map(\.account)).count == 40)
    }

    @Test func twoHundredThousandGzippedEntriesReconcileToTheExpectedClassificationPerKey() throws {
        let summary = try WorkloadGenerator(entries: 200_000).write(to: directory.path)
        let spec = try JobSpec.load(path: summary.jobPath, currentDirectory: directory.path)
        let outcome = try ReconciliationJob(spec: spec, environment: environment()).run()
        let actual = Dictionary(uniqueKeysWithValues: outcome.report.result.lines.map { ($0.key, $0.classification) })
        #expect(outcome.inputs.allSatisfy { !$0.failed })
        #expect(outcome.inputs[0].recordCount == 200_000)
        #expect(actual.count == summary.expected.count)
        let wrong = summary.expected.filter { actual[$0.key] != $0.value }
        #expect(
            wrong.isEmpty,
            "\(wrong.count) keys classified differently, e.g. \(wrong.first.map { "\($0.key) expected \($0.value), got \(actual[$0.key].map(\.rawValue) ?? "nothing")" } ?? "")"
        )
        #expect(outcome.report.status == .breaks)
        #expect(outcome.report.exitStatus == 1)
    }
}
