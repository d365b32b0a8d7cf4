import Foundation
import NIOConcurrencyHelpers
import ReconFetch
import VenueMock

@testable import Reconciliation

/// A clock whose sleeps return at once and move time forward: backoff and rate-limit tests assert the exact waits.
final class ManualClock: FetchClock, Sendable {
    private let state = NIOLockedValueBox((monotonic: Int64(0), wall: Int64(1_764_003_600_000), sleeps: [Int64]()))

    func monotonicMilliseconds() -> Int64 { state.withLockedValue { $0.monotonic } }
    func wallMilliseconds() -> Int64 { state.withLockedValue { $0.wall } }
    func sleep(milliseconds: Int64) async throws {
        state.withLockedValue { state in
            state.sleeps.append(milliseconds)
            state.monotonic += milliseconds
            state.wall += milliseconds
        }
    }

    /// Every wait asked for, in order.
    var sleeps: [Int64] { state.withLockedValue { $0.sleeps } }
}

/// A scenario's job written beside its ledger, loaded, and fetched.
struct FetchHarness {
    let scenario: VenueScenario
    let directory = TemporaryDirectory()
    let clock = ManualClock()
    var jitter: @Sendable (Int64) -> Int64 = { $0 }

    init(useEd25519: Bool = false) async throws {
        scenario = try await VenueScenario(useEd25519: useEd25519)
    }

    /// Writes the job (and ledger) and loads it.
    func load(_ yaml: String, asOf: String? = nil) throws -> JobSpec {
        directory.write(VenueScenario.ledger, to: "jobs/ledger.csv")
        let path = directory.write(yaml, to: "jobs/job.yaml")
        var overrides = JobOverrides()
        overrides.asOf = asOf
        return try JobSpec.load(
            path: path, environment: scenario.environment, overrides: overrides, currentDirectory: directory.path)
    }

    func fetcher() -> Fetcher {
        var fetcher = Fetcher(environment: scenario.environment)
        fetcher.clock = clock
        fetcher.jitter = jitter
        return fetcher
    }

    /// A harness whose venue `prepare` scripted, the scenario's job over `apis` (with extra `fetch:` lines), and what
    /// fetching it did; the venue is shut down.
    static func fetch(
        _ apis: [VenueScenario.API], settings: [VenueScenario.API: String] = [:],
        prepare: (VenueScenario) -> Void = { _ in }
    ) async throws -> (FetchHarness, JobSpec, FetchOutcome) {
        let harness = try await FetchHarness()
        prepare(harness.scenario)
        let spec = try harness.load(harness.scenario.job(apis: apis, settings: settings))
        let outcome = await harness.fetch(spec)
        await harness.scenario.shutdown()
        return (harness, spec, outcome)
    }

    /// Fetches the job.
    func fetch(_ spec: JobSpec, only: [String]? = nil) async -> FetchOutcome {
        await fetcher().fetch(spec, only: only)
    }

    func runEnvironment() -> RunEnvironment {
        RunEnvironment(
            now: { Date(timeIntervalSince1970: 1_764_003_700) }, makeRunID: { job, _ in "\(job)-run" },
            variables: [:], currentDirectory: directory.path)
    }

    /// The batch's `fetch.json` as text.
    func manifest(_ spec: JobSpec) -> String {
        (try? String(contentsOfFile: (spec.fetchDirectory ?? "") + "/fetch.json", encoding: .utf8)) ?? ""
    }
}
