import Foundation
import ReconFetch
import Testing
import VenueMock

@testable import Reconciliation

/// Kraken's Ledgers API: paged by offset, read as one running-balance statement across its pages.
@Suite(.serialized) struct KrakenLedgersFetchTests {
    @Test func theLedgersAPIIsPagedByOffsetAndReadAsOneStatement() async throws {
        let harness = try await FetchHarness()
        let yaml = harness.scenario.job(apis: [.kraken], formats: [.kraken: "kraken-ledgers"])
        let spec = try harness.load(yaml)
        #expect(spec.statements[0].fetch?.rateLimit.cost == 2)
        let outcome = await harness.fetch(spec)
        await harness.scenario.shutdown()
        #expect(outcome.succeeded, "\(outcome.inputs.compactMap(\.failure))")
        #expect(outcome.inputs[0].pages == 3)
        let bodies = harness.scenario.requests(.kraken).map { request in
            String(decoding: request.body, as: UTF8.self).split(separator: "&").dropFirst().joined(separator: "&")
        }
        // `end` is a second past the cutoff (2026-11-24T17:00:00Z): the pages cannot change while they are fetched.
        #expect(bodies == ["ofs=0&end=1795539601", "ofs=50&end=1795539601", "ofs=100&end=1795539601"])
        #expect(harness.scenario.signatureProblems.isEmpty)
        let run = try ReconciliationJob(spec: try harness.load(yaml), environment: harness.runEnvironment()).run()
        #expect(run.inputs.allSatisfy { !$0.failed }, "\(run.inputs.compactMap(\.failure))")
        let lines = Dictionary(uniqueKeysWithValues: run.report.result.lines.map { ($0.key.description, $0) })
        // 50 × (0.0101 − 0.0001) = 0.5 BTC; 62 + 69 × 2 = 200 USD. The entry at 17:00:00.5 came with the pages (it is
        // within `end`) and is left out as after the cutoff.
        #expect(lines["kraken/main/BTC"]?.classification == .matched)
        #expect(lines["kraken/main/USD"]?.classification == .matched)
        #expect(run.inputs[1].recordCount == 121)
        #expect(run.inputs[1].diagnostics.contains { $0.message.contains("after the cutoff") })
    }

    /// Writes ledger pages (entries `(id, time, asset, amount, balance)`) and reads them as one input.
    func read(_ pages: [(count: Int, entries: [(String, String, String, String, String)])]) throws -> InputOutcome {
        let directory = TemporaryDirectory()
        var files: [InputFile] = []
        for (index, page) in pages.enumerated() {
            let entries = page.entries.map { id, time, asset, amount, balance in
                #""\#(id)":{"refid":"r","time":\#(time),"type":"trade","asset":"\#(asset)","amount":"\#(amount)","fee":"0","balance":"\#(balance)"}"#
            }
            let path = directory.write(
                #"{"error":[],"result":{"ledger":{\#(entries.joined(separator: ","))},"count":\#(page.count)}}"#,
                to: "page-\(index + 1).json")
            files.append(InputFile(path: path, displayPath: "page-\(index + 1).json"))
        }
        var options = InputOptions(kind: .balances, venue: "kraken", account: "main", asOf: "2026-11-24")
        options.cutoff = Cutoff.resolve(asOf: "2026-11-24")
        let spec = InputSpec(side: .statement, name: "k", files: files, format: "kraken-ledgers", options: options)
        return withExtendedLifetime(directory) { InputLoader(prefetch: false).load(spec, index: 0) }
    }

    @Test func pagesAreOneStatementAndARepeatedEntryCountsOnce() throws {
        let outcome = try read([
            (3, [("L3", "1763985600", "XXBT", "1", "3"), ("L2", "1763899200", "XXBT", "1", "2")]),
            // The boundary moved: L2 again, then L1.
            (3, [("L2", "1763899200", "XXBT", "1", "2"), ("L1", "1763812800", "XXBT", "1", "1")]),
        ])
        #expect(outcome.failure == nil)
        #expect(outcome.balances.map { "\($0.key.asset) \($0.total)" } == ["BTC 3"])
        #expect(outcome.recordCount == 3)
    }

    @Test func aMissingPageOrALedgerThatChangedIsRefused() throws {
        let missing = try read([(120, [("L3", "1763985600", "XXBT", "1", "3")])])
        #expect(
            missing.failure?.description
                == "page-1.json: error: Kraken says the ledger holds 120 entries; the 1 page hold 1: pages are missing, "
                + "and a missing page could hold an asset's latest balance")
        let changed = try read([
            (2, [("L2", "1763899200", "XXBT", "1", "2")]), (3, [("L1", "1763812800", "XXBT", "1", "1")]),
        ])
        #expect(
            changed.failure?.description.hasSuffix(
                "this page says the ledger holds 3 entries, an earlier page 2: the ledger changed while it was paged; "
                    + "fetch again") == true)
    }

    @Test func aLedgerPageWithAnErrorIsRefused() throws {
        let directory = TemporaryDirectory()
        let path = directory.write(#"{"error":["EGeneral:Permission denied"]}"#, to: "p.json")
        let spec = InputSpec(
            side: .statement, name: "k", files: [InputFile(path: path, displayPath: "p.json")],
            format: "kraken-ledgers",
            options: InputOptions(kind: .balances, venue: "kraken", account: "main"))
        let outcome = InputLoader(prefetch: false).load(spec, index: 0)
        #expect(
            outcome.failure?.description == "p.json:1:10: error: Kraken answered with error: EGeneral:Permission denied"
        )
    }
}
