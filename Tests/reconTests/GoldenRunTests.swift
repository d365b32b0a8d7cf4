import Foundation
import Reconciliation
import Testing

/// The sample job with a pinned clock, run id and tool version, compared byte for byte with the checked-in reports.
/// Regenerate with `RECON_UPDATE_GOLDEN=1 swift test --filter GoldenRunTests` and review the diff.
@Suite struct GoldenRunTests {
    let scratch = Scratch()

    @Test func eodSampleReportsMatchTheGoldenFiles() throws {
        let environment = RunEnvironment(
            now: { Date(timeIntervalSince1970: 1_764_011_700) }, makeRunID: { job, _ in "\(job)-golden" },
            variables: [:], currentDirectory: packageRoot, toolVersion: "golden")
        let spec = try JobSpec.load(
            path: "jobs/eod-sample.yaml", overrides: JobOverrides(reportDirectory: scratch.path),
            currentDirectory: packageRoot)
        var pinned = spec
        pinned.report.formats = ReportFormat.allCases
        pinned.audit = nil
        pinned.repositoryPath = nil
        pinned.archiveDirectory = nil
        let outcome = try ReconciliationJob(spec: pinned, environment: environment).run()
        #expect(outcome.report.exitStatus == 1)
        let golden = packageRoot + "/Tests/reconTests/Golden/eod-sample"
        let update = ProcessInfo.processInfo.environment["RECON_UPDATE_GOLDEN"] == "1"
        // report.html too: with the clock, run id and tool version pinned, every byte of the page is the run's.
        for name in ["report.json", "report.md", "report.csv", "report.html"] {
            let actual = scratch.read(name)
            if update {
                try FileManager.default.createDirectory(atPath: golden, withIntermediateDirectories: true)
                _ = FileManager.default.createFile(atPath: golden + "/" + name, contents: Data(actual.utf8))
            }
            let expected = String(
                decoding: FileManager.default.contents(atPath: golden + "/" + name) ?? Data(), as: UTF8.self)
            #expect(actual == expected, "\(name) differs from the golden file; RECON_UPDATE_GOLDEN=1 regenerates it")
        }
    }
}
