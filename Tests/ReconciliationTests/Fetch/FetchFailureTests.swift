import Foundation
import ReconFetch
import Testing
import VenueMock

@testable import Reconciliation

/// Each failure the issue names, against the mock venue: the exact outcome, schedule and message.
@Suite(.serialized) struct FetchFailureTests {
    @Test func rateLimited429WaitsAsLongAsRetryAfterSaysThenSucceeds() async throws {
        let (harness, spec, outcome) = try await FetchHarness.fetch([.coinbaseAdvanced]) { venue in
            venue.inject(
                .coinbaseAdvanced, .json(#"{"message":"slow down"}"#, status: 429, headers: [("Retry-After", "3")]))
        }
        #expect(outcome.succeeded)
        // Backoff alone would wait 500 ms; the venue asked for 3 s.
        #expect(harness.clock.sleeps == [3000])
        #expect(outcome.inputs[0].retries == 1)
        let manifest = harness.manifest(spec)
        #expect(manifest.contains(#""retry_after": "3""#))
        #expect(manifest.contains(#""status": 429"#))
    }

    @Test func serverErrors503TwiceThenSuccessBackOffExponentially() async throws {
        let (harness, _, outcome) = try await FetchHarness.fetch([.kraken]) { venue in
            venue.inject(.kraken, .json("{}", status: 503), .json("{}", status: 503))
        }
        #expect(outcome.succeeded)
        #expect(harness.clock.sleeps == [500, 1000])
        #expect(outcome.inputs[0].retries == 2)
        // Each attempt signs with a fresh, larger nonce.
        let nonces = harness.scenario.krakenNonces
        #expect(nonces.count == 3 && nonces == nonces.sorted() && Set(nonces).count == 3)
    }

    @Test func backoffIsFullJitterBetweenZeroAndTheDoublingCeiling() async throws {
        var settings = FetchSpec(api: .kraken)
        settings.backoffBaseMilliseconds = 500
        settings.backoffCapMilliseconds = 3000
        settings.retries = 6
        let policy = RetryPolicy(settings)
        #expect((1...6).map(policy.ceiling(beforeRetry:)) == [500, 1000, 2000, 3000, 3000, 3000])
        // With a jitter that draws half the ceiling, the waits are half.
        let harness = try await FetchHarness()
        var halved = harness
        halved.jitter = { $0 / 2 }
        harness.scenario.inject(.kraken, .json("{}", status: 502), .json("{}", status: 500), .json("{}", status: 504))
        let spec = try halved.load(harness.scenario.job(apis: [.kraken]))
        let outcome = await halved.fetch(spec)
        await harness.scenario.shutdown()
        #expect(outcome.succeeded)
        #expect(halved.clock.sleeps == [250, 500, 1000])
    }

    @Test func retryAfterIsReadAsSecondsOrAnHTTPDate() {
        let wall: Int64 = 1_764_028_800_000  // 2025-11-25T00:00:00Z
        #expect(RetryPolicy.retryAfter("7", wallMilliseconds: wall) == 7000)
        #expect(RetryPolicy.retryAfter("Tue, 25 Nov 2025 00:00:10 GMT", wallMilliseconds: wall) == 10_000)
        #expect(RetryPolicy.retryAfter("Mon, 24 Nov 2025 23:59:00 GMT", wallMilliseconds: wall) == 0)
        #expect(RetryPolicy.retryAfter("soon", wallMilliseconds: wall) == nil)
        // The dYdX indexer counts in milliseconds.
        #expect(RetryPolicy.retryAfter("1500", wallMilliseconds: wall, unitMilliseconds: 1) == 1500)
    }

    @Test func aSlowResponsePastTheTimeoutIsRetriedThenFailsThatInput() async throws {
        let (_, spec, outcome) = try await FetchHarness.fetch([.dydx], settings: [.dydx: "timeout: 300ms\nretries: 1"])
        { venue in
            venue.always(.dydx, .delayed(milliseconds: 3000, .json("{}")))
        }
        #expect(!outcome.succeeded)
        let failure = try #require(outcome.inputs[0].failure)
        #expect(failure.hasPrefix("dydx-main (dydx): GET http://127.0.0.1:"))
        #expect(failure.hasSuffix("no complete response within timeout; gave up after 2 attempts (retries: 1)"))
        #expect(!FileManager.default.fileExists(atPath: spec.fetchDirectory! + "/dydx-main"))
    }

    @Test func aBodyTricklingInPastTheTimeoutIsATimeoutToo() async throws {
        let body = Array(#"{"error":[],"result":{"XXBT":"0.5000000000","ZUSD":"200.0000"}}"#.utf8)
        let (_, _, outcome) = try await FetchHarness.fetch([.kraken], settings: [.kraken: "timeout: 400ms\nretries: 0"])
        { venue in
            // Every gap (100 ms) is shorter than the timeout; the whole body (about 1.2 s) is not.
            venue.always(.kraken, .trickle(status: 200, body: body, chunks: 12, milliseconds: 100))
        }
        let failure = try #require(outcome.inputs[0].failure)
        #expect(failure.hasSuffix("no complete response within timeout; gave up after 1 attempt (retries: 0)"))
    }

    @Test func aVenueThatNeverAcceptsTheConnectionIsAConnectTimeout() async throws {
        let harness = try await FetchHarness()
        let stalled = StalledListener()
        var yaml = harness.scenario.job(apis: [.dydx], settings: [.dydx: "connect_timeout: 300ms\nretries: 1"])
        yaml = yaml.replacingOccurrences(
            of: harness.scenario.venue.baseURL, with: "http://127.0.0.1:\(stalled.port)")
        let outcome = await harness.fetch(try harness.load(yaml))
        await harness.scenario.shutdown()
        withExtendedLifetime(stalled) {}
        let failure = try #require(outcome.inputs[0].failure)
        #expect(
            failure.hasSuffix(": could not connect within connect_timeout; gave up after 2 attempts (retries: 1)"),
            "\(failure)")
    }

    @Test func connectionRefusedIsRetriedThenFailsWithoutStoppingTheOthers() async throws {
        let harness = try await FetchHarness()
        let port = try await MockVenue.closedPort()
        var yaml = harness.scenario.job(
            apis: [.binance, .dydx], settings: [.dydx: "connect_timeout: 200ms\nretries: 2"])
        yaml = yaml.replacingOccurrences(
            of: "base_url: \(harness.scenario.venue.baseURL)\n        address",
            with: "base_url: http://127.0.0.1:\(port)\n        address")
        let spec = try harness.load(yaml)
        let outcome = await harness.fetch(spec)
        await harness.scenario.shutdown()
        #expect(outcome.inputs[0].failure == nil)
        let failure = try #require(outcome.inputs[1].failure)
        #expect(failure.contains(": connection failed: connection refused;"), "\(failure)")
        #expect(failure.hasSuffix("gave up after 3 attempts (retries: 2)"))
        #expect(harness.clock.sleeps == [500, 1000])
        // The batch records both: the fetched one readable, the failed one with its error.
        let reloaded = try harness.load(yaml)
        #expect(reloaded.statements[0].problem == nil)
        #expect(reloaded.statements[1].problem?.hasPrefix("the fetch failed") == true)
    }

    @Test func aConnectionResetMidBodyIsRetriedThenAClearError() async throws {
        let (_, _, outcome) = try await FetchHarness.fetch([.binance], settings: [.binance: "retries: 1"]) { venue in
            venue.always(.binance, .cutShort(status: 200, declaredLength: 500, body: Array(#"{"balances":["#.utf8)))
        }
        let failure = try #require(outcome.inputs[0].failure)
        #expect(failure.contains("closed the connection before the response ended"), "\(failure)")
        #expect(failure.hasSuffix("gave up after 2 attempts (retries: 1)"))
    }

    @Test func malformedJSONFailsAtOnceNamingTheVenueAndTheRequest() async throws {
        let (harness, _, outcome) = try await FetchHarness.fetch([.coinbaseExchange]) { venue in
            venue.inject(.coinbaseExchange, .json(#"[{"id":"a1","currency":"USD","#))
        }
        let failure = try #require(outcome.inputs[0].failure)
        let base = harness.scenario.venue.baseURL
        #expect(
            failure
                == "coinbase-exchange-main (coinbase-exchange): GET \(base)/accounts: HTTP 200 but the body is not valid "
                + "JSON (29 bytes) (not retried)")
        #expect(harness.scenario.requests(.coinbaseExchange).count == 1)
    }

    @Test func unauthorized401FailsAtOnceWithTheVenuesMessage() async throws {
        let (harness, _, outcome) = try await FetchHarness.fetch([.coinbaseAdvanced]) { venue in
            venue.inject(
                .coinbaseAdvanced, .json(#"{"error":"UNAUTHORIZED","message":"invalid api key"}"#, status: 401))
        }
        let failure = try #require(outcome.inputs[0].failure)
        #expect(failure.hasSuffix(": HTTP 401: invalid api key (not retried)"))
        #expect(harness.clock.sleeps.isEmpty)
        #expect(harness.scenario.requests(.coinbaseAdvanced).count == 1)
    }

    @Test func aWrongSignatureIsTheVenuesRefusal() async throws {
        let harness = try await FetchHarness()
        var environment = harness.scenario.environment
        environment["BINANCE_API_SECRET"] = "not-the-secret"
        let spec = try harness.load(harness.scenario.job(apis: [.binance]))
        var fetcher = harness.fetcher()
        fetcher.environment = environment
        let outcome = await fetcher.fetch(spec)
        await harness.scenario.shutdown()
        let failure = try #require(outcome.inputs[0].failure)
        #expect(failure.hasSuffix("HTTP 401: Signature for this request is not valid. (code -1022) (not retried)"))
        #expect(!failure.contains("not-the-secret"))
    }

    @Test func binanceBan418IsNeverRetried() async throws {
        let (harness, _, outcome) = try await FetchHarness.fetch([.binance]) { venue in
            venue.always(
                .binance,
                .json(
                    #"{"code":-1003,"msg":"Way too many requests; IP banned."}"#, status: 418,
                    headers: [("Retry-After", "120")]))
        }
        let failure = try #require(outcome.inputs[0].failure)
        #expect(
            failure.contains("HTTP 418: Way too many requests; IP banned. (code -1003); the venue has banned this IP"))
        #expect(harness.scenario.requests(.binance).count == 1)
        #expect(harness.clock.sleeps.isEmpty)
    }

    @Test func fetchesThreePagesByCursorInOrder() async throws {
        let (harness, spec, outcome) = try await FetchHarness.fetch([.coinbaseAdvanced]) { venue in
            venue.coinbasePages([["BTC"], ["ETH"], ["USDC"]])
        }
        #expect(outcome.succeeded)
        #expect(outcome.inputs[0].pages == 3)
        #expect(
            harness.scenario.requests(.coinbaseAdvanced).map(\.query) == [
                "limit=250", "limit=250&cursor=c1", "limit=250&cursor=c2",
            ])
        let reloaded = try harness.load(harness.scenario.job(apis: [.coinbaseAdvanced]))
        #expect(
            reloaded.statements[0].files.map(\.displayPath).map {
                $0.components(separatedBy: "/").suffix(2).joined(separator: "/")
            }
                == [
                    "coinbase-advanced-main/page-0001.json", "coinbase-advanced-main/page-0002.json",
                    "coinbase-advanced-main/page-0003.json",
                ])
        _ = spec
    }

    @Test func aCursorLoopIsAnErrorNamingTheRequest() async throws {
        let page = #"{"accounts":[],"has_next":true,"cursor":"c9","size":0}"#
        let (_, _, outcome) = try await FetchHarness.fetch([.coinbaseAdvanced]) { venue in
            venue.always(.coinbaseAdvanced, .json(page))
        }
        let failure = try #require(outcome.inputs[0].failure)
        #expect(failure.contains("page 2 ("), "\(failure)")
        #expect(failure.hasSuffix("returned cursor 'c9' again: the venue is paging in a loop"))
    }

    @Test func aBodyOverMaxResponseBytesIsRefusedWithoutRetry() async throws {
        let (harness, _, outcome) = try await FetchHarness.fetch(
            [.kraken], settings: [.kraken: "max_response_bytes: 1000"]
        ) {
            venue in
            venue.always(
                .kraken, .json(#"{"error":[],"result":{"XXBT":""# + String(repeating: "1", count: 2000) + #""}}"#))
        }
        let failure = try #require(outcome.inputs[0].failure)
        #expect(failure.hasSuffix("the response is larger than max_response_bytes (1000 bytes) (not retried)"))
        #expect(harness.scenario.requests(.kraken).count == 1)
    }

    @Test func aRetryAfterPastTheDeadlineFailsAtOnce() async throws {
        let (harness, _, outcome) = try await FetchHarness.fetch(
            [.coinbaseAdvanced], settings: [.coinbaseAdvanced: "deadline: 30s"]
        ) { venue in
            venue.inject(.coinbaseAdvanced, .json("{}", status: 429, headers: [("Retry-After", "600")]))
        }
        let failure = try #require(outcome.inputs[0].failure)
        #expect(failure.hasSuffix("HTTP 429; the venue asks to wait 10m (Retry-After), past the deadline (30s)"))
        #expect(harness.clock.sleeps.isEmpty)
    }

    @Test func krakenRateLimitErrorsSentWithStatus200AreRetried() async throws {
        let (harness, _, outcome) = try await FetchHarness.fetch([.kraken]) { venue in
            venue.inject(.kraken, .json(#"{"error":["EAPI:Rate limit exceeded"]}"#))
        }
        #expect(outcome.succeeded)
        #expect(harness.clock.sleeps == [500])
        let (_, _, denied) = try await FetchHarness.fetch([.kraken]) { venue in
            venue.inject(.kraken, .json(#"{"error":["EGeneral:Permission denied"]}"#))
        }
        #expect(denied.inputs[0].failure?.hasSuffix("Kraken: EGeneral:Permission denied (not retried)") == true)
    }

    @Test func inputsOfOneVenueShareItsRateLimiter() async throws {
        let harness = try await FetchHarness()
        let base = harness.scenario.venue.baseURL
        let yaml = """
            job: shared
            as_of: "2026-11-24"
            max_snapshot_skew: 100000d
            ledger: [{path: ledger.csv, kind: balances, columns: {venue: venue, account: account, asset: asset, amount: amount}}]
            statements:
              - name: first
                account: main
                fetch: {api: binance, credentials: env:BINANCE, base_url: "\(base)", rate_limit: {burst: 20, per_second: 10}}
              - name: second
                account: main
                fetch: {api: binance, credentials: env:BINANCE, base_url: "\(base)", rate_limit: {burst: 20, per_second: 10}}
              - name: third
                account: main
                fetch: {api: binance, credentials: env:BINANCE, base_url: "\(base)", rate_limit: {burst: 20, per_second: 10}}
            """
        let spec = try harness.load(yaml)
        let outcome = await harness.fetch(spec)
        await harness.scenario.shutdown()
        #expect(outcome.succeeded)
        // A request weighs 20 (Binance's account endpoint), the bucket holds 20 and refills 10 a second: the first
        // goes at once, the others wait two seconds for their turn. With a bucket per input none would wait.
        // (The manual clock adds concurrent sleeps up, so only the waits themselves are exact.)
        #expect(harness.clock.sleeps.count >= 2 && harness.clock.sleeps.allSatisfy { $0 == 2000 })
        #expect(harness.scenario.requests(.binance).count == 3)
    }

    @Test func oneVenueDownLeavesTheRunPartialWithTheOthersReconciled() async throws {
        let harness = try await FetchHarness()
        harness.scenario.always(.kraken, .json(#"{"error":["EService:Unavailable"]}"#))
        let yaml = harness.scenario.job(settings: [.kraken: "retries: 2"])
        let spec = try harness.load(yaml)
        let outcome = await harness.fetch(spec)
        await harness.scenario.shutdown()
        #expect(outcome.inputs.filter { $0.failure != nil }.map(\.name) == ["kraken-main"])
        let run = try ReconciliationJob(spec: try harness.load(yaml), environment: harness.runEnvironment()).run()
        #expect(run.report.status == .partial)
        #expect(run.report.exitStatus == 2)
        let failed = try #require(run.inputs.first { $0.spec.name == "kraken-main" }?.failure)
        #expect(failed.message.hasPrefix("the fetch failed ("))
        #expect(failed.message.contains("Kraken: EService:Unavailable; gave up after 3 attempts (retries: 2)"))
        let lines = Dictionary(
            uniqueKeysWithValues: run.report.result.lines.map { ($0.key.description, $0.classification) })
        #expect(lines["kraken/main/BTC"] == .unreconciled)
        #expect(lines["kraken/main/USD"] == .unreconciled)
        #expect(lines["binance/main/BTC"] == .matched)
        #expect(lines["coinbase-advanced/main/ETH"] == .matched)
    }
}
