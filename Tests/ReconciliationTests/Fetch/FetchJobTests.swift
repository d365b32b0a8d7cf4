import Foundation
import Testing

@testable import Reconciliation

/// The `fetch:` block of a job: what is accepted, and the message for each mistake.
@Suite struct FetchJobTests {
    let directory = TemporaryDirectory()

    func load(_ fetch: String, input: String = "", top: String = "") throws(ReconciliationError) -> JobSpec {
        let path = directory.write(
            """
            job: fetched
            as_of: "2026-11-24"
            ledger: [{path: ledger.csv}]
            statements:
              - name: venue
            \(input)    fetch: \(fetch)
            \(top)
            """, to: "jobs/job.yaml")
        return try JobSpec.load(path: path, currentDirectory: directory.path)
    }

    func message(_ fetch: String, input: String = "") -> String {
        do {
            _ = try load(fetch, input: input)
            return "loaded"
        } catch {
            return error.description
        }
    }

    @Test func defaultsComeFromTheAPI() throws {
        let spec = try load("{api: binance, credentials: env:BINANCE}")
        let input = spec.statements[0]
        #expect(input.format == "binance-account")
        let fetch = try #require(input.fetch)
        #expect(fetch.baseURL == "https://api.binance.com")
        #expect(fetch.rateLimit == RateLimit(burst: 6000, perSecond: 100, cost: 20))
        #expect(fetch.timeoutMilliseconds == 10_000 && fetch.deadlineMilliseconds == 120_000 && fetch.retries == 5)
        #expect(fetch.credentials == .environment(prefix: "BINANCE"))
        #expect(spec.fetchDirectory == directory.path + "/batches/2026-11-24")
    }

    @Test func everySettingIsRead() throws {
        let spec = try load(
            """
            {api: coinbase-advanced, credentials: "file:/etc/recon/cb.json", base_url: "https://sandbox.example.com/",
                  timeout: 2500ms, connect_timeout: 1s, deadline: 3m, retries: 2, backoff: {base: 200ms, cap: 5s},
                  rate_limit: {burst: 5, per_second: 2.5}, max_response_bytes: 1000000, max_pages: 7, page_size: 100}
            """, top: "fetch: {dir: \"../b/{as_of:%Y%m%d}\"}")
        let fetch = try #require(spec.statements[0].fetch)
        #expect(fetch.credentials == .file(path: "/etc/recon/cb.json"))
        #expect(fetch.baseURL == "https://sandbox.example.com")
        #expect(fetch.timeoutMilliseconds == 2500 && fetch.connectTimeoutMilliseconds == 1000)
        #expect(fetch.deadlineMilliseconds == 180_000 && fetch.retries == 2)
        #expect(fetch.backoffBaseMilliseconds == 200 && fetch.backoffCapMilliseconds == 5000)
        #expect(fetch.rateLimit == RateLimit(burst: 5, perSecond: 2.5, cost: 1))
        #expect(fetch.maxResponseBytes == 1_000_000 && fetch.maxPages == 7 && fetch.pageSize == 100)
        #expect(spec.fetchDirectory == directory.path + "/b/20261124")
    }

    @Test func mistakesAreRefusedWithTheKeyPath() {
        #expect(message("{api: ftx}").contains("at `statements[0].fetch.api`: expected one of coinbase-advanced, "))
        #expect(
            message("{api: kraken}").hasSuffix(
                "missing required key `credentials` (env:NAME or file:PATH): the kraken API is private"))
        #expect(
            message("{api: kraken, credentials: \"sk-live-abc\"}").contains(
                "expected env:NAME or file:PATH (never the key itself"))
        #expect(!message("{api: kraken, credentials: \"sk-live-abc\"}").contains("sk-live-abc"))
        #expect(
            message("{api: dydx, address: dydx1qqqsyqcyq5rqwzqfpg9scrgwpugpzysnzv3mfv, credentials: env:X}")
                .hasSuffix("the dydx API is public: remove `credentials`"))
        #expect(message("{api: dydx}").hasSuffix("missing required key `address` (the dydx1… wallet address)"))
        #expect(message("{api: dydx, address: cosmos1abc}").contains("expected a dYdX address"))
        #expect(
            message("{api: binance, credentials: env:B, base_url: \"http://api.binance.com\"}").contains(
                "http:// would send signed requests in clear; use https"))
        #expect(
            message("{api: kraken, credentials: env:K}", input: "    format: binance-account\n").contains(
                "api kraken returns what format kraken-balance or kraken-ledgers reads, not binance-account; set "))
        #expect(
            message("{api: kraken, credentials: env:K}", input: "    path: x.json\n").contains(
                "a fetched input reads the pages `recon fetch` saved: remove `path`/`paths`"))
        #expect(message("{api: kraken, credentials: env:K, timeout: 10 seconds}").contains("expected a duration"))
        #expect(
            message("{api: kraken, credentials: env:K, base_url: \"http://127.0.0.1:99999\"}").contains(
                "expected a port from 1 to 65535 in 'http://127.0.0.1:99999', got '99999'"))
        #expect(
            message("{api: kraken, credentials: env:K, rate_limit: {per_second: 0.0000001}}").contains(
                "expected at least 0.001 tokens a second"))
        #expect(
            message("{api: kraken, credentials: env:K}", input: "    optional: true\n").contains(
                "a fetched input cannot be `optional`: a failed or missing fetch must fail the run"))
        #expect(
            message("{api: kraken, credentials: env:K, backoff: {base: 5s, cap: 1s}}").contains(
                "`cap` is shorter than `base`"))
        #expect(
            message("{api: binance, credentials: env:K, rate_limit: {burst: 10}}").contains(
                "a request costs 20.0, more than the bucket holds (burst 10.0)"))
        #expect(
            message("{api: binance, credentials: env:K, page_size: 10}").contains(
                "only the coinbase-advanced API pages by size"))
    }

    @Test func aFetchedInputCannotBeNamedLikeTheBatchRecord() {
        let path = directory.write(
            """
            job: fetched
            as_of: "2026-11-24"
            ledger: [{path: ledger.csv}]
            statements:
              - {name: fetch.json, fetch: {api: binance, credentials: env:B}}
            """, to: "jobs/manifest.yaml")
        #expect(throws: ReconciliationError.self) { try JobSpec.load(path: path, currentDirectory: directory.path) }
    }

    @Test func aFetchedInputNeedsASafeUniqueName() {
        let path = directory.write(
            """
            job: fetched
            as_of: "2026-11-24"
            ledger: [{path: ledger.csv}]
            statements:
              - {name: "../up", fetch: {api: binance, credentials: env:B}}
            """, to: "jobs/bad.yaml")
        #expect(throws: ReconciliationError.self) { try JobSpec.load(path: path, currentDirectory: directory.path) }
        let twice = directory.write(
            """
            job: fetched
            as_of: "2026-11-24"
            ledger: [{path: ledger.csv}]
            statements:
              - {name: b, fetch: {api: binance, credentials: env:B}}
              - {name: b, fetch: {api: binance, credentials: env:C}}
            """, to: "jobs/twice.yaml")
        do {
            _ = try JobSpec.load(path: twice, currentDirectory: directory.path)
            Issue.record("loaded")
        } catch {
            #expect(error.description.contains("two fetched inputs are named 'b'"))
        }
        let ledger = directory.write(
            """
            job: fetched
            as_of: "2026-11-24"
            ledger: [{name: l, fetch: {api: binance, credentials: env:B}}]
            statements: [{path: s.csv}]
            """, to: "jobs/ledger.yaml")
        do {
            _ = try JobSpec.load(path: ledger, currentDirectory: directory.path)
            Issue.record("loaded")
        } catch {
            #expect(error.description.contains("only statements are fetched from venues"))
        }
    }

    @Test func krakenBalanceKeepsSuffixedBalancesApartAndRefusesErrors() throws {
        let path = directory.write(
            #"{"error":[],"result":{"XXBT":"0.5","XBT.F":"0.25","ZUSD":"10.00","DOT.S":"3"}}"#, to: "kraken.json")
        let records = try readRecords(path, format: "kraken-balance", options: InputOptions(kind: .balances))
        #expect(records.records.map(\.asset) == ["BTC", "BTC.F", "USD", "DOT.S"])
        #expect(records.diagnostics.contains { $0.message.hasPrefix("XBT.F, DOT.S are balances held apart from spot") })
        let refused = directory.write(#"{"error":["EAPI:Invalid key"]}"#, to: "refused.json")
        #expect(throws: ReconciliationError.self) {
            try readRecords(refused, format: "kraken-balance", options: InputOptions(kind: .balances))
        }
    }
}
