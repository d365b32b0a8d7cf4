import Foundation
import Reconciliation
import Testing

/// The README's library example, as printed there (run from the package root, with the reports kept out of it).
@Suite struct LibraryExampleTests {
    let scratch = Scratch()

    @Test func theReadmeExampleRunsTheSampleJob() throws {
        // As the README's example, with the reports, audit file, repository and archive kept out of the working tree.
        let job = try JobSpec.load(
            path: packageRoot + "/jobs/eod-sample.yaml",
            overrides: JobOverrides(
                reportDirectory: scratch.path, archiveDirectory: scratch.path + "/archive",
                auditPath: scratch.path + "/audit.jsonl", repositoryPath: scratch.path + "/r.sqlite"),
            currentDirectory: packageRoot)
        let outcome = try ReconciliationJob(
            spec: job,
            environment: RunEnvironment(
                now: { Date() }, makeRunID: { name, _ in "\(name)-example" }, variables: [:],
                currentDirectory: packageRoot)
        ).run()
        var printed: [String] = []
        for line in outcome.report.rankedBreaks {
            printed.append("\(line.key) \(line.classification.rawValue) \(line.difference?.description ?? "—")")
        }
        #expect(
            printed == [
                "otc/desk-7/USDC mismatch 125.000000", "binance/spot-1/BNB missing_in_ledger 0.04210000",
                "coinbase/ops-main/ETH conflict —",
            ])
    }
}
