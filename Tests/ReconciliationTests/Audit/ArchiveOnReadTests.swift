import Foundation
import Testing

@testable import Reconciliation

/// Inputs are archived while they are first read: the archived bytes are the ones reconciled, and the archive stage
/// never reads an input a second time.
@Suite struct ArchiveOnReadTests {
    let directory = TemporaryDirectory()

    func spec(_ path: String) -> InputSpec {
        InputSpec(
            side: .ledger, name: "ledger", files: [InputFile(path: path, displayPath: "ledger")], format: "csv",
            options: InputOptions(
                kind: .entries,
                fields: FieldMapping(venue: "venue", account: "account", asset: "asset", amount: "amount")))
    }

    func job(_ input: InputSpec) -> ReconciliationJob {
        ReconciliationJob(
            spec: JobSpec(
                name: "j", asOf: "2026-11-24", ledger: [input], statements: [],
                report: ReportSettings(directory: directory.path + "/out"),
                archiveDirectory: directory.path + "/archive"))
    }

    func rows(_ count: Int) -> String {
        "venue,account,asset,amount\n" + (0..<count).map { "k,m,A\($0 % 7),\($0).5\n" }.joined()
    }

    @Test(arguments: ["plain", "gzip", "ranges"])
    func theArchivedCopyIsTakenOnTheFirstRead(kind: String) throws {
        let text = rows(20_000)
        let path =
            kind == "gzip"
            ? try directory.writeGzip(text, to: "ledger.csv.gz") : directory.write(text, to: "ledger.csv")
        let original = directory.read(kind == "gzip" ? "ledger.csv.gz" : "ledger.csv")
        let job = job(spec(path))
        var loader = InputLoader(prefetch: true)
        loader.archive = InputArchive(directory: directory.path + "/archive")
        // The range reader (several threads over one plain file) is taken for files this large or larger.
        if kind == "ranges" { loader.parallelThreshold = 1 }
        // A gzipped file is inflated by a thread reading ahead while another hashes and copies it: that path, here.
        loader.readAheadThreshold = 0
        let outcome = loader.load(job.spec.ledger[0], index: 0)
        #expect(outcome.failure == nil)
        #expect(outcome.archivedFiles == [0])
        let sha256 = outcome.files[0].sha256
        // The input is gone before the archive stage: it must not need to read it again.
        try FileManager.default.removeItem(atPath: path)
        try job.archive([outcome])
        let object = InputArchive(directory: directory.path + "/archive").path(for: sha256)
        #expect(FileManager.default.contents(atPath: object).map(Array.init) == original)
        // No temporary copies are left beside the objects.
        let names = try FileManager.default.contentsOfDirectory(atPath: directory.path + "/archive")
        #expect(names.filter { $0.hasPrefix(".tmp-") }.isEmpty)
    }

    @Test func aCopyThatCannotBeWrittenStopsTheRunAtTheArchiveStage() throws {
        let path = directory.write(rows(100), to: "ledger.csv")
        let job = job(spec(path))
        var loader = InputLoader(prefetch: true)
        loader.archive = InputArchive(
            directory: directory.path + "/archive", faults: try FaultInjection(text: "archive.write=ENOSPC"))
        let outcome = loader.load(job.spec.ledger[0], index: 0)
        // Not the input's failure: the input was read fine.
        #expect(outcome.failure == nil)
        #expect(outcome.archiveFailure?.message == "cannot write to the archive: No space left on device")
        let error = caught { try job.archive([outcome]) } as? ReconciliationError
        #expect(error?.message == "cannot write to the archive: No space left on device")
    }
}
