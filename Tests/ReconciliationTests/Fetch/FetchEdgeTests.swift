import Crypto
import Foundation
import ReconFetch
import Testing
import VenueMock

@testable import Reconciliation

/// The less common outcomes, one test each: statuses never retried, deadlines, paging mistakes, settings that
/// changed, Kraken's key rules, Retry-After forms, key formats.
@Suite(.serialized) struct FetchEdgeTests {
    @Test(arguments: [400, 403, 404, 409])
    func statusesThatAreNotPassingFaultsFailAtOnce(status: Int) async throws {
        let (harness, spec, outcome) = try await FetchHarness.fetch([.coinbaseExchange]) { venue in
            venue.always(.coinbaseExchange, .json(#"{"message":"refused \#(status)"}"#, status: status))
        }
        #expect(outcome.inputs[0].failure?.hasSuffix("HTTP \(status): refused \(status) (not retried)") == true)
        #expect(harness.scenario.requests(.coinbaseExchange).count == 1)
        // The failed request is in fetch.json with its attempt.
        let manifest = harness.manifest(spec)
        #expect(manifest.contains(#""status": \#(status)"#))
        #expect(manifest.contains(#""url": "\#(harness.scenario.venue.baseURL)/accounts""#))
    }

    @Test func aSuccessThatIsNotTheAPIsAnswerIsAnError() async throws {
        let (_, _, outcome) = try await FetchHarness.fetch([.coinbaseExchange, .binance, .dydx]) { venue in
            venue.always(.coinbaseExchange, .json(#"{"message":"invalid signature"}"#))
            venue.always(.binance, .json(#"{"code":0,"msg":"maintenance"}"#))
            venue.always(.dydx, .json("[]"))
        }
        #expect(
            outcome.inputs[0].failure?.hasSuffix(
                "HTTP 200 but the body is not a JSON array of accounts: invalid signature (not retried)") == true)
        #expect(
            outcome.inputs[1].failure?.hasSuffix(
                "HTTP 200 but the body has no `balances`: maintenance (code 0) (not retried)") == true)
        #expect(outcome.inputs[2].failure?.hasSuffix("HTTP 200 but the body has no `subaccount` (not retried)") == true)
    }

    @Test func controlCharactersInAVenuesMessageAreShownNotSent() async throws {
        let (harness, spec, outcome) = try await FetchHarness.fetch([.coinbaseExchange]) { venue in
            venue.always(
                .coinbaseExchange,
                .json(#"{"message":"\u001b[31mRED\u001b]0;pwned\u0007\r\nerror: forged"}"#, status: 400))
        }
        let failure = try #require(outcome.inputs[0].failure)
        #expect(failure.hasSuffix(#"HTTP 400: \u{1b}[31mRED\u{1b}]0;pwned\u{7}\u{d}\u{a}error: forged (not retried)"#))
        #expect(!failure.unicodeScalars.contains { $0.value < 0x20 })
        #expect(!harness.manifest(spec).contains("\u{1b}"))
    }

    @Test func aRetryAfterThatCannotBeReadWaitsTheLongestBackoff() async throws {
        let (harness, _, outcome) = try await FetchHarness.fetch([.binance]) { venue in
            venue.inject(.binance, .json("{}", status: 429, headers: [("Retry-After", "soon")]))
        }
        #expect(outcome.succeeded)
        #expect(harness.clock.sleeps == [30_000])
        // With the monotonic clock past zero, a hold of "forever" must not overflow.
        let later = try await FetchHarness()
        try await later.clock.sleep(milliseconds: 1000)
        let bucket = TokenBucket(RateLimit(burst: 1, perSecond: 1, cost: 1), clock: later.clock)
        await bucket.holdOff(milliseconds: .max)
        await #expect(throws: TokenBucket.PastDeadline.self) { try await bucket.acquire(deadline: 5000) }
        await later.scenario.shutdown()
        let (_, _, huge) = try await FetchHarness.fetch([.binance]) { venue in
            venue.inject(.binance, .json("{}", status: 429, headers: [("Retry-After", "99999999999999999999")]))
        }
        #expect(huge.inputs[0].failure?.contains("(Retry-After), past the deadline (2m)") == true)
    }

    @Test func everyAttemptOfAFailedRequestIsRecorded() async throws {
        let (harness, spec, _) = try await FetchHarness.fetch([.kraken], settings: [.kraken: "retries: 2"]) { venue in
            venue.always(.kraken, .json("{}", status: 502))
        }
        let manifest = harness.manifest(spec)
        #expect(manifest.components(separatedBy: #""status": 502"#).count - 1 == 3)
        #expect(manifest.contains(#""attempt": 3"#))
        #expect(manifest.contains(#""waited_ms": 1000"#))
    }

    @Test func theDeadlineEndsRetriesBetweenPages() async throws {
        let (harness, _, outcome) = try await FetchHarness.fetch(
            [.coinbaseAdvanced], settings: [.coinbaseAdvanced: "deadline: 2s\nretries: 9"]
        ) { venue in
            venue.coinbasePages([["BTC"], ["ETH"]])
            venue.inject(.coinbaseAdvanced, .json("{}", status: 200))
        }
        _ = harness
        // The first answer lacks `accounts`: a clear error, not an empty page.
        #expect(outcome.inputs[0].failure?.hasSuffix("HTTP 200 but the body has no `accounts` (not retried)") == true)
        let (slow, _, late) = try await FetchHarness.fetch(
            [.coinbaseAdvanced], settings: [.coinbaseAdvanced: "deadline: 2s\nretries: 9"]
        ) {
            venue in
            venue.coinbasePages([["BTC"], ["ETH"]])
            venue.inject(.coinbaseAdvanced, .json(#"{"message":"busy"}"#, status: 503))
            venue.inject(.coinbaseAdvanced, .json(#"{"message":"busy"}"#, status: 503))
            venue.inject(.coinbaseAdvanced, .json(#"{"message":"busy"}"#, status: 503))
        }
        // 500 ms, then 1 s; the third wait (2 s) would end past the 2 s deadline.
        #expect(slow.clock.sleeps == [500, 1000])
        #expect(
            late.inputs[0].failure?.hasSuffix(
                "HTTP 503: busy; the next attempt would wait 2s, past the deadline (2s)") == true)
    }

    @Test func aRateLimitWaitPastTheDeadlineFailsAtOnce() async throws {
        let (harness, _, outcome) = try await FetchHarness.fetch(
            [.coinbaseAdvanced],
            settings: [.coinbaseAdvanced: "deadline: 5s\nrate_limit: {burst: 1, per_second: 0.1}"]
        ) { venue in venue.coinbasePages([["BTC"], ["ETH"]]) }
        // Page 2 would wait 10 s for a token.
        #expect(
            outcome.inputs[0].failure?.hasSuffix(
                "the rate limit (1.0 tokens, 0.1 a second) would hold page 2 for 10s, past the deadline (5s)") == true
        )
        #expect(harness.clock.sleeps.isEmpty)
    }

    @Test func hasNextWithoutACursorAndTooManyPagesAreErrors() async throws {
        let (_, _, noCursor) = try await FetchHarness.fetch([.coinbaseAdvanced]) { venue in
            venue.always(.coinbaseAdvanced, .json(#"{"accounts":[],"has_next":true,"cursor":"","size":0}"#))
        }
        #expect(
            noCursor.inputs[0].failure?.hasSuffix("the page says has_next but gives no cursor (not retried)") == true)
        let (_, _, tooMany) = try await FetchHarness.fetch(
            [.coinbaseAdvanced], settings: [.coinbaseAdvanced: "max_pages: 2"]
        ) {
            venue in
            venue.coinbasePages([["BTC"], ["ETH"], ["USDC"]])
        }
        #expect(
            tooMany.inputs[0].failure?.contains(
                "more than max_pages (2) pages; the venue keeps paging (last: ") == true)
    }

    @Test func aRetryAfterHTTPDateAndDydxMillisecondsAreHonoured() async throws {
        // The manual clock reads 2025-11-24T17:00:00Z.
        let (dated, _, first) = try await FetchHarness.fetch([.binance]) { venue in
            venue.inject(
                .binance, .json("{}", status: 429, headers: [("Retry-After", "Mon, 24 Nov 2025 17:00:07 GMT")]))
        }
        #expect(first.succeeded)
        #expect(dated.clock.sleeps == [7000])
        let (indexer, _, second) = try await FetchHarness.fetch([.dydx]) { venue in
            venue.inject(
                .dydx,
                .json(#"{"errors":[{"msg":"Too many requests"}]}"#, status: 429, headers: [("Retry-After", "1500")]))
        }
        #expect(second.succeeded)
        #expect(indexer.clock.sleeps == [1500])
    }

    @Test func aRetryAfterHoldsTheSharedBucketAndIsWaitedOnce() async throws {
        let harness = try await FetchHarness()
        let base = harness.scenario.venue.baseURL
        harness.scenario.inject(.binance, .json("{}", status: 429, headers: [("Retry-After", "5")]))
        let yaml = """
            job: shared
            as_of: "2026-11-24"
            max_snapshot_skew: 100000d
            ledger: [{path: ledger.csv}]
            statements:
              - {name: one, account: main, fetch: {api: binance, credentials: env:BINANCE, base_url: "\(base)"}}
            """
        let outcome = await harness.fetch(try harness.load(yaml))
        await harness.scenario.shutdown()
        #expect(outcome.succeeded)
        // The Retry-After holds the bucket (for every input sharing it) and the retry waits it once, not twice.
        #expect(harness.clock.sleeps == [5000])
    }

    @Test func binancesUsedWeightHeaderSlowsTheSharedBucket() async throws {
        var harness = try await FetchHarness()
        harness.jitter = { _ in 0 }
        // The IP has 5 of its 6,000 a minute left (others spent them): the retry (weight 20) waits for 15 to refill
        // at 100 a second.
        harness.scenario.inject(
            .binance, .json(#"{"code":-1003,"msg":"busy"}"#, status: 503, headers: [("X-MBX-USED-WEIGHT-1M", "5995")]))
        let outcome = await harness.fetch(try harness.load(harness.scenario.job(apis: [.binance])))
        await harness.scenario.shutdown()
        #expect(outcome.succeeded)
        #expect(harness.clock.sleeps == [0, 150])
    }

    @Test func krakenKeyErrorsFailAtOnceAndOneKeyIsUsedOneRequestAtATime() async throws {
        for error in ["EAPI:Invalid nonce", "EGeneral:Temporary lockout", "EAPI:Invalid key"] {
            let (harness, _, outcome) = try await FetchHarness.fetch([.kraken]) { venue in
                venue.always(.kraken, .json(#"{"error":["\#(error)"]}"#))
            }
            #expect(outcome.inputs[0].failure?.hasSuffix("Kraken: \(error) (not retried)") == true)
            #expect(harness.scenario.requests(.kraken).count == 1)
        }
        let harness = try await FetchHarness()
        let base = harness.scenario.venue.baseURL
        var inputs = ""
        for index in 1...6 {
            inputs +=
                "  - {name: k\(index), account: main, fetch: {api: kraken, credentials: env:KRAKEN, base_url: \"\(base)\"}}\n"
        }
        let yaml = """
            job: kraken
            as_of: "2026-11-24"
            max_snapshot_skew: 100000d
            ledger: [{path: ledger.csv}]
            statements:
            \(inputs)
            """
        let outcome = await harness.fetch(try harness.load(yaml))
        await harness.scenario.shutdown()
        #expect(outcome.succeeded, "\(outcome.inputs.compactMap(\.failure))")
        // Six inputs on one key: the venue saw six strictly increasing nonces, in the order it received them.
        let nonces = harness.scenario.krakenNonces
        #expect(nonces.count == 6 && nonces == nonces.sorted() && Set(nonces).count == 6)
        #expect(harness.scenario.signatureProblems.isEmpty)
    }

    @Test func aBatchFetchedWithOtherSettingsIsNotRead() async throws {
        let harness = try await FetchHarness()
        let yaml = harness.scenario.job(apis: [.binance])
        #expect(await harness.fetch(try harness.load(yaml)).succeeded)
        await harness.scenario.shutdown()
        let moved = yaml.replacingOccurrences(of: harness.scenario.venue.baseURL, with: "https://api.binance.com")
        let problem = try #require(try harness.load(moved).statements[0].problem)
        #expect(
            problem.contains("holds 'binance-main' fetched with other settings (api=binance base_url=http://127.0.0.1:")
        )
        #expect(problem.contains("the job now says api=binance base_url=https://api.binance.com"))
        let otherKey = yaml.replacingOccurrences(of: "env:BINANCE", with: "env:BINANCE_SUB")
        #expect(try harness.load(otherKey).statements[0].problem?.contains("credentials=env:BINANCE_SUB") == true)
    }

    @Test func aBatchOfAnotherJobOrWithAPageMissingIsNotRead() async throws {
        let harness = try await FetchHarness()
        let yaml = harness.scenario.job(apis: [.kraken])
        let spec = try harness.load(yaml)
        #expect(await harness.fetch(spec).succeeded)
        await harness.scenario.shutdown()
        let renamed = try harness.load(yaml.replacingOccurrences(of: "job: fetched", with: "job: other"))
        #expect(renamed.statements[0].problem?.contains("was fetched for job 'fetched', not 'other'") == true)
        try FileManager.default.removeItem(atPath: spec.fetchDirectory! + "/kraken-main/page-0001.json")
        #expect(
            try harness.load(yaml).statements[0].problem?.contains("page-0001.json is missing or unreadable") == true)
    }

    @Test func aSEC1ECKeyAndAShortPassphraseAreHandled() async throws {
        // Coinbase's key files hold the EC key as SEC1 (`EC PRIVATE KEY`), newlines written out.
        let key = P256.Signing.PrivateKey()
        let sec1 = try sec1PEM(key)
        #expect(sec1.hasPrefix("-----BEGIN EC PRIVATE KEY-----"))
        let token = try CoinbaseJWT.token(
            keyName: "k", secret: sec1.replacingOccurrences(of: "\n", with: "\\n"), uri: "GET h/p", now: 0)
        #expect(token.split(separator: ".").count == 3)
        // Secrets of four characters or more are redacted wherever a message could quote them (a PEM key line by
        // line too); shorter strings are too common to tell from text.
        let credentials = Credentials(key: "key-1234", secret: sec1, passphrase: "q7z!")
        #expect(credentials.redact("echo q7z! and key-1234") == "echo [redacted] and [redacted]")
        let pemLine = String(sec1.split(separator: "\n")[1])
        #expect(credentials.redact("leaked \(pemLine)") == "leaked [redacted]")
        #expect("\(credentials)" == "credentials (redacted)")
    }

    /// SEC1 DER of a P-256 key, as PEM: SEQUENCE { 1, OCTET STRING key, [0] prime256v1, [1] BIT STRING public }.
    func sec1PEM(_ key: P256.Signing.PrivateKey) throws -> String {
        let scalar = [UInt8](key.rawRepresentation)
        let point = [UInt8](key.publicKey.x963Representation)
        let oid: [UInt8] = [0x06, 0x08, 0x2A, 0x86, 0x48, 0xCE, 0x3D, 0x03, 0x01, 0x07]
        var body: [UInt8] = [0x02, 0x01, 0x01, 0x04, 0x20] + scalar
        body += [0xA0, UInt8(oid.count)] + oid
        body += [0xA1, UInt8(point.count + 3), 0x03, UInt8(point.count + 1), 0x00] + point
        let der: [UInt8] = [0x30, UInt8(body.count)] + body
        let base64 = Data(der).base64EncodedString()
        let lines = stride(from: 0, to: base64.count, by: 64).map { start in
            String(base64.dropFirst(start).prefix(64))
        }
        return "-----BEGIN EC PRIVATE KEY-----\n" + lines.joined(separator: "\n") + "\n-----END EC PRIVATE KEY-----\n"
    }
}
