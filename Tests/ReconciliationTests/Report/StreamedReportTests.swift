import Foundation
import ReconWorkload
import Testing

@testable import Reconciliation

/// report.json, report.csv and the result digest are made a chunk at a time; what reaches the file must be byte for
/// byte what the whole-document encoders make, wherever the chunks fall.
@Suite struct StreamedReportTests {
    let directory = TemporaryDirectory()

    /// A run of 24,000 keys (6 venues × 200 accounts × 20 assets): a CSV report past one 1 MiB chunk.
    func report() throws -> ReconciliationReport {
        let summary = try WorkloadGenerator(entries: 60_000, accountsPerVenue: 200).write(to: directory.path)
        let spec = try JobSpec.load(path: summary.jobPath, currentDirectory: directory.path)
        let environment = RunEnvironment(
            now: { Date(timeIntervalSince1970: 1_764_000_000) }, makeRunID: { job, _ in "\(job)-run" },
            variables: [:], currentDirectory: directory.path)
        return try ReconciliationJob(spec: spec, environment: environment).run().report
    }

    /// What `produce` hands its sink, and the sizes of the pieces.
    func collected(_ produce: (ByteSink) -> Void) -> (bytes: [UInt8], pieces: [Int]) {
        var bytes: [UInt8] = []
        var pieces: [Int] = []
        produce(
            ByteSink {
                bytes.append(contentsOf: $0)
                pieces.append($0.count)
            })
        return (bytes, pieces)
    }

    @Test func streamedJSONIsTheWholeEncodingWhereverTheChunksFall() throws {
        let value = try report().jsonValue
        let whole = value.prettyEncodedBytes()
        for chunk in [1, 97, 1 << 16] {
            let streamed = collected { value.write(to: $0, pretty: true, chunk: chunk) }
            #expect(streamed.bytes == whole)
            #expect(streamed.pieces.count > 1)
        }
        #expect(collected { value.write(to: $0, pretty: false, chunk: 333) }.bytes == value.encodedBytes())
    }

    @Test func theCSVReportStreamsInChunksWithEveryLineOnce() throws {
        let report = try report()
        let streamed = collected { CSVReportWriter().write(report, to: $0) }
        #expect(streamed.pieces.count >= 2)
        #expect(streamed.pieces.dropLast().allSatisfy { $0 >= 1 << 20 })
        let rows = String(decoding: streamed.bytes, as: UTF8.self).split(separator: "\r\n")
        #expect(rows.count == report.result.lines.count + 1)
        #expect(
            Set(rows.dropFirst().map { $0.split(separator: ",").prefix(3).joined(separator: ",") }).count
                == report.result.lines.count)
    }

    @Test func theDigestHashesTheWholeCanonicalEncoding() throws {
        let report = try report()
        let canonical = ReconciliationReport.canonicalResult(
            job: report.job, asOf: report.asOf, cutoff: report.cutoff, status: report.status,
            counts: report.result.counts, lines: report.canonicalLines)
        var hasher = InputHasher()
        canonical.encodedBytes().withUnsafeBytes { hasher.update($0) }
        #expect(report.resultDigest == "sha256:" + hasher.finalizeHex())
    }

    @Test func theRunsReportFilesAreTheWriters() throws {
        let report = try report()
        #expect(directory.read("out/report.json") == JSONReportWriter().renderBytes(report))
    }
}
