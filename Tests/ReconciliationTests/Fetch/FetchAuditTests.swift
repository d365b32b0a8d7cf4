import Foundation
import ReconFetch
import Testing
import VenueMock

@testable import Reconciliation

/// A fetched run is an ordinary run: audited, archived, recorded, replayed without the network, and no output of it
/// holds a credential.
@Suite(.serialized) struct FetchAuditTests {
    static let keep = """
        audit: {path: ../out/audit.jsonl}
        archive: ../out/archive
        repository: ../out/runs.sqlite
        report: {dir: ../out/reports, formats: [json, markdown, csv, html]}
        """

    @Test func aFetchedRunReplaysIdenticalWithTheNetworkUnreachable() async throws {
        let harness = try await FetchHarness()
        let yaml = harness.scenario.job(top: Self.keep)
        #expect(await harness.fetch(try harness.load(yaml)).succeeded)
        // The venue is gone before the run: a run reads the batch, never the network.
        await harness.scenario.shutdown()
        let spec = try harness.load(yaml)
        let run = try ReconciliationJob(spec: spec, environment: harness.runEnvironment()).run()
        #expect(run.report.status == .reconciled)
        // The batch can go too: the archive holds the pages.
        try FileManager.default.removeItem(atPath: spec.fetchDirectory!)
        let replay = try Replayer(
            runID: "fetched-run", auditPath: harness.directory.path + "/out/audit.jsonl",
            archiveDirectory: harness.directory.path + "/out/archive", currentDirectory: harness.directory.path
        ).replay()
        #expect(replay.identical, "\(replay.inputProblems) \(replay.differences)")
        #expect(replay.report.result.lines.count == 10)
        // The audit trail names the pages and the API each input was fetched from.
        let audit = try String(contentsOfFile: harness.directory.path + "/out/audit.jsonl", encoding: .utf8)
        #expect(audit.contains("kraken-main/page-0001.json"))
        #expect(audit.contains(#""fetch":{"api":"kraken","base_url":"http://127.0.0.1:"#))
    }

    @Test func credentialsAppearInNoOutputOfAFetchOrARun() async throws {
        let harness = try await FetchHarness()
        // One venue refuses the signature, one fails after retries, the rest answer: every path writes something.
        harness.scenario.always(.coinbaseExchange, .json(#"{"message":"invalid signature"}"#, status: 401))
        harness.scenario.always(.dydx, .json("{}", status: 503))
        let yaml = harness.scenario.job(settings: [.dydx: "retries: 1"], top: Self.keep)
        var messages: [String] = []
        let fetcher = harness.fetcher()
        let collected = MessageLog()
        var logging = fetcher
        logging.log = { collected.append($0) }
        let outcome = await logging.fetch(try harness.load(yaml))
        await harness.scenario.shutdown()
        messages += outcome.inputs.compactMap(\.failure) + collected.lines
        #expect(outcome.inputs.compactMap(\.failure).count == 2)
        let run = try ReconciliationJob(spec: try harness.load(yaml), environment: harness.runEnvironment()).run()
        #expect(run.report.status == .partial)
        messages += run.inputs.compactMap { $0.failure?.description } + run.warnings
        var scanned = 0
        let enumerator = FileManager.default.enumerator(atPath: harness.directory.path)
        while let relative = enumerator?.nextObject() as? String {
            let path = harness.directory.path + "/" + relative
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), !isDirectory.boolValue,
                !relative.hasSuffix("job.yaml"), let data = FileManager.default.contents(atPath: path)
            else { continue }
            scanned += 1
            let text = String(decoding: data, as: UTF8.self)
            for secret in harness.scenario.secrets where !secret.isEmpty {
                #expect(!text.contains(secret), "\(relative) holds a secret")
            }
        }
        #expect(scanned >= 10)
        for message in messages {
            for secret in harness.scenario.secrets where !secret.isEmpty {
                #expect(!message.contains(secret), "a message holds a secret: \(message)")
            }
        }
    }
}

/// Lines logged from concurrent tasks.
final class MessageLog: @unchecked Sendable {
    private let lock = NSLock()
    private var stored: [String] = []
    func append(_ line: String) { lock.withLock { stored.append(line) } }
    var lines: [String] { lock.withLock { stored } }
}
