import Foundation
import ReconFetch
import Testing
import VenueMock

@testable import Reconciliation

/// What a run does with the batch `recon fetch` left: reads it when it can be trusted, says what to do otherwise.
@Suite(.serialized) struct FetchBatchTests {
    @Test func aRunWithoutAFetchedBatchSaysToFetchFirst() async throws {
        let harness = try await FetchHarness()
        await harness.scenario.shutdown()
        let spec = try harness.load(harness.scenario.job(apis: [.binance]))
        let problem = try #require(spec.statements[0].problem)
        #expect(problem.hasPrefix("not fetched: there is no "))
        #expect(
            problem.hasSuffix(
                "batches/2026-11-24/fetch.json; run `recon fetch` for 2026-11-24 (or `recon run --fetch`)"))
        let run = try ReconciliationJob(spec: spec, environment: harness.runEnvironment()).run()
        #expect(run.report.status == .partial)
        // No hint about `optional:`: the remedy is to fetch.
        #expect(run.inputs[1].failure?.message == problem)
    }

    @Test func aBatchFetchedForAnotherDayIsNotRead() async throws {
        let harness = try await FetchHarness()
        let yaml = harness.scenario.job(apis: [.binance], top: "fetch: {dir: ../batch}")
        let fetched = await harness.fetch(try harness.load(yaml))
        await harness.scenario.shutdown()
        #expect(fetched.succeeded)
        let nextDay = try harness.load(yaml, asOf: "2026-11-25")
        #expect(
            nextDay.statements[0].problem?.contains("was fetched for 2026-11-24, not 2026-11-25; run `recon fetch`")
                == true)
    }

    @Test func aPageChangedAfterTheFetchIsNotRead() async throws {
        let harness = try await FetchHarness()
        let yaml = harness.scenario.job(apis: [.kraken])
        let spec = try harness.load(yaml)
        #expect(await harness.fetch(spec).succeeded)
        await harness.scenario.shutdown()
        let page = spec.fetchDirectory! + "/kraken-main/page-0001.json"
        try Data(#"{"error":[],"result":{"XXBT":"9.5","ZUSD":"200.0000"}}"#.utf8).write(to: URL(fileURLWithPath: page))
        let problem = try #require(try harness.load(yaml).statements[0].problem)
        #expect(problem.contains("page-0001.json changed since it was fetched (sha256 "))
        #expect(problem.hasSuffix("fetch again rather than edit a fetched page"))
    }

    @Test func aFailedRefetchLeavesNoEarlierPagesToRead() async throws {
        let harness = try await FetchHarness()
        let yaml = harness.scenario.job(apis: [.kraken, .binance])
        let spec = try harness.load(yaml)
        #expect(await harness.fetch(spec).succeeded)
        harness.scenario.always(.kraken, .json(#"{"error":["EAPI:Invalid key"]}"#))
        // Kraken refuses a nonce it has seen: the next fetch happens later (the manual clock stands still otherwise).
        try await harness.clock.sleep(milliseconds: 1)
        let again = await harness.fetch(spec)
        await harness.scenario.shutdown()
        #expect(again.inputs[0].failure?.hasSuffix("Kraken: EAPI:Invalid key (not retried)") == true)
        #expect(!FileManager.default.fileExists(atPath: spec.fetchDirectory! + "/kraken-main"))
        let reloaded = try harness.load(yaml)
        #expect(reloaded.statements[0].problem?.hasPrefix("the fetch failed (") == true)
        #expect(reloaded.statements[1].problem == nil)
    }

    @Test func fetchingOneInputKeepsTheOthersInTheBatch() async throws {
        let harness = try await FetchHarness()
        let yaml = harness.scenario.job(apis: [.kraken, .binance])
        let spec = try harness.load(yaml)
        #expect(await harness.fetch(spec).succeeded)
        let only = await harness.fetch(spec, only: ["binance-main"])
        await harness.scenario.shutdown()
        #expect(only.inputs.map(\.name) == ["binance-main"])
        let reloaded = try harness.load(yaml)
        #expect(reloaded.statements.allSatisfy { $0.problem == nil })
        #expect(harness.scenario.requests(.kraken).count == 1)
        #expect(harness.scenario.requests(.binance).count == 2)
    }

    @Test func theFetchTimeIsTheSnapshotTimeAndOneFarFromTheCutoffIsFlagged() async throws {
        let harness = try await FetchHarness()
        // The manual clock reads 2025-11-24T17:00:00Z; the cutoff is 2026-11-24T17:00 UTC.
        let yaml = harness.scenario.job(apis: [.kraken]).replacingOccurrences(
            of: "max_snapshot_skew: 100000d", with: "max_snapshot_skew: 1h")
        // Without being told to, a fetch a year from the cutoff is refused before any request.
        let refused = await harness.fetch(try harness.load(yaml))
        #expect(
            refused.inputs[0].failure
                == "kraken-main (kraken): the cutoff (2026-11-24T17:00:00Z) is 365d from now, more than "
                + "max_snapshot_skew (1h): the venue would answer with balances as of now, not as of the cutoff. "
                + "Fetch at the cutoff, or pass --allow-skew to fetch anyway (the run then says on every line when the "
                + "balances were taken)")
        #expect(harness.scenario.requests(.kraken).isEmpty)
        var anyway = harness.fetcher()
        anyway.allowsSkew = true
        #expect(await anyway.fetch(try harness.load(yaml)).succeeded)
        await harness.scenario.shutdown()
        let spec = try harness.load(yaml)
        #expect(spec.statements[0].options.takenAt == "2025-11-24T17:00:00.000Z")
        let run = try ReconciliationJob(spec: spec, environment: harness.runEnvironment()).run()
        let warning = run.inputs[1].diagnostics.first { $0.severity == .warning }
        #expect(
            warning?.message.contains("the snapshot was taken at 2025-11-24T17:00:00") == true,
            "\(run.inputs[1].diagnostics)")
    }

    @Test func aFetchRefusedBeforeAnyRequestLeavesTheEarlierFetchAsItWas() async throws {
        let harness = try await FetchHarness()
        let yaml = harness.scenario.job(apis: [.kraken, .binance]).replacingOccurrences(
            of: "max_snapshot_skew: 100000d", with: "max_snapshot_skew: 1h")
        var anyway = harness.fetcher()
        anyway.allowsSkew = true
        let spec = try harness.load(yaml)
        #expect(await anyway.fetch(spec).succeeded)
        let before = harness.manifest(spec)
        // A scheduler's re-run without --allow-skew: refused before any request, for every input.
        let refused = await harness.fetch(spec)
        #expect(refused.inputs.allSatisfy { $0.failure?.contains("more than max_snapshot_skew") == true })
        #expect(harness.manifest(spec) == before)
        #expect(FileManager.default.fileExists(atPath: spec.fetchDirectory! + "/kraken-main/page-0001.json"))
        // Missing credentials are refused before any request too.
        var keyless = harness.fetcher()
        keyless.allowsSkew = true
        keyless.environment = [:]
        let noKeys = await keyless.fetch(spec, only: ["kraken-main"])
        await harness.scenario.shutdown()
        #expect(noKeys.inputs[0].failure?.contains("KRAKEN_API_KEY is not set") == true)
        #expect(harness.manifest(spec) == before)
        #expect(try harness.load(yaml).statements.allSatisfy { $0.problem == nil })
        #expect(harness.scenario.requests(.kraken).count == 1)
    }

    @Test func aCredentialsFileMustBeReadableByItsOwnerOnly() async throws {
        let harness = try await FetchHarness()
        let file = harness.directory.write(
            #"{"api_key": "\#(VenueScenario.krakenKey)", "api_secret": "\#(VenueScenario.krakenSecret)"}"#,
            to: "jobs/kraken.json")
        chmod(file, 0o644)
        let yaml = harness.scenario.job(apis: [.kraken]).replacingOccurrences(
            of: "credentials: env:KRAKEN", with: "credentials: file:kraken.json")
        let open = await harness.fetch(try harness.load(yaml))
        #expect(open.inputs[0].failure?.hasSuffix("can be read by others (mode 644); run `chmod 600 \(file)`") == true)
        chmod(file, 0o600)
        let closed = await harness.fetch(try harness.load(yaml))
        await harness.scenario.shutdown()
        #expect(closed.succeeded, "\(closed.inputs.compactMap(\.failure))")
    }

    @Test func missingCredentialsNameTheVariableNotAValue() async throws {
        let harness = try await FetchHarness()
        await harness.scenario.shutdown()
        let spec = try harness.load(harness.scenario.job(apis: [.coinbaseExchange]))
        var fetcher = harness.fetcher()
        fetcher.environment = [
            "COINBASE_EXCHANGE_API_KEY": "k", "COINBASE_EXCHANGE_API_SECRET": VenueScenario.exchangeSecret,
        ]
        let outcome = await fetcher.fetch(spec)
        #expect(
            outcome.inputs[0].failure
                == "coinbase-exchange-main (coinbase-exchange): environment variable COINBASE_EXCHANGE_API_PASSPHRASE is not set "
                + "(the coinbase-exchange API needs one)")
        fetcher.environment["COINBASE_EXCHANGE_API_PASSPHRASE"] = "p"
        fetcher.environment["COINBASE_EXCHANGE_API_SECRET"] = "not base64!"
        let second = await fetcher.fetch(spec)
        #expect(
            second.inputs[0].failure?.hasSuffix("API_SECRET is not base64 (the coinbase-exchange secret is)") == true)
        #expect(second.inputs[0].failure?.contains("not base64!") == false)
    }

    @Test func coinbaseAdvancedSignsWithAnEd25519KeyToo() async throws {
        let harness = try await FetchHarness(useEd25519: true)
        let outcome = await harness.fetch(try harness.load(harness.scenario.job(apis: [.coinbaseAdvanced])))
        await harness.scenario.shutdown()
        #expect(outcome.succeeded, "\(outcome.inputs.compactMap(\.failure))")
        #expect(harness.scenario.signatureProblems.isEmpty)
        let token = try #require(harness.scenario.requests(.coinbaseAdvanced).first?.header("Authorization"))
        #expect(token.hasPrefix("Bearer eyJ"))
    }
}
