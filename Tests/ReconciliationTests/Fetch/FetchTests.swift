import Foundation
import ReconFetch
import Testing
import VenueMock

@testable import Reconciliation

@Suite(.serialized) struct FetchTests {
    @Test func fetchesAllFiveAPIsAndTheRunReconcilesWhatWasSaved() async throws {
        let harness = try await FetchHarness()
        defer { Task { await harness.scenario.shutdown() } }
        let spec = try harness.load(harness.scenario.job())
        let outcome = await harness.fetch(spec)
        #expect(outcome.succeeded, "\(outcome.inputs.compactMap(\.failure))")
        #expect(harness.scenario.signatureProblems.isEmpty)
        #expect(outcome.inputs.map(\.pages) == [1, 1, 1, 1, 1])
        let reloaded = try harness.load(harness.scenario.job())
        #expect(reloaded.statements.allSatisfy { $0.problem == nil && $0.files.count == 1 })
        let run = try ReconciliationJob(spec: reloaded, environment: harness.runEnvironment()).run()
        #expect(run.inputs.allSatisfy { !$0.failed })
        #expect(run.report.status == .reconciled, "\(run.report.result.lines.map { "\($0.key) \($0.classification)" })")
        #expect(run.report.result.lines.count == 10)
    }
}
