import Testing

@testable import Reconciliation

@Suite struct TolerancePolicyTests {
    let key = BalanceKey(venue: "kraken", account: "m", asset: "BTC")

    @Test func precedenceIsVenueAssetThenAssetThenVenueThenDefault() {
        var policy = TolerancePolicy(defaultRule: ToleranceRule(absolute: amount("0.1")))
        #expect(policy.rule(for: key).scope == "default")
        policy.venues["kraken"] = ToleranceRule(absolute: amount("0.2"))
        #expect(policy.rule(for: key).scope == "venue kraken")
        policy.assets["BTC"] = ToleranceRule(absolute: amount("0.3"))
        #expect(policy.rule(for: key).scope == "asset BTC")
        policy.venueAssets["kraken"] = ["BTC": ToleranceRule(absolute: amount("0"))]
        #expect(policy.rule(for: key).scope == "venue kraken asset BTC")
        // The most specific rule wins even when it is stricter.
        #expect(policy.tolerance(for: key, ledger: amount("1"), statement: amount("1.1"), precision: 1).value == .zero)
    }

    @Test func theLargestKindOfARuleApplies() {
        let rule = ToleranceRule(absolute: amount("0.01"), relative: amount("0.0005"), inferred: InferredTolerance())
        let policy = TolerancePolicy(defaultRule: rule)
        // relative: 0.0005 × 1000 = 0.5 beats 0.01 and 0.005.
        let large = policy.tolerance(for: key, ledger: amount("1000.00"), statement: amount("999.90"), precision: 2)
        #expect(large == AppliedTolerance(value: amount("0.5"), source: "default relative 5 bps"))
        // absolute 0.01 beats relative 0.0005 and inferred 0.005.
        let small = policy.tolerance(for: key, ledger: amount("1.00"), statement: amount("1.01"), precision: 2)
        #expect(small.value == amount("0.01"))
        #expect(small.source == "default absolute")
    }

    @Test func relativeToleranceIsSymmetric() {
        let policy = TolerancePolicy(venues: ["kraken": ToleranceRule(relative: amount("0.001"))])
        let forward = policy.tolerance(for: key, ledger: amount("100"), statement: amount("-200"), precision: 0)
        let backward = policy.tolerance(for: key, ledger: amount("-200"), statement: amount("100"), precision: 0)
        #expect(forward == backward)
        #expect(forward == AppliedTolerance(value: amount("0.200"), source: "venue kraken relative 10 bps"))
    }

    @Test func inferredIsHalfAUnitOfTheLastPrintedDigitAndIntegersAreExact() {
        let policy = TolerancePolicy(assets: ["BTC": ToleranceRule(inferred: InferredTolerance())])
        let eight = policy.tolerance(for: key, ledger: amount("1"), statement: amount("1"), precision: 8)
        #expect(eight == AppliedTolerance(value: amount("0.000000005"), source: "asset BTC inferred from 8 decimals"))
        let integer = policy.tolerance(for: key, ledger: amount("1"), statement: amount("1"), precision: 0)
        #expect(
            integer == AppliedTolerance(value: .zero, source: "asset BTC inferred from 0 decimals (integers exact)"))
        let configured = TolerancePolicy(
            assets: ["BTC": ToleranceRule(inferred: InferredTolerance(multiplier: amount("1"), integers: true))])
        #expect(
            configured.tolerance(for: key, ledger: amount("1"), statement: amount("1"), precision: 0).value
                == amount("1"))
    }
}

@Suite struct ClassificationScenarioTests {
    @Test func precisionToleranceAcceptsTheVenuesRounding() throws {
        // The ledger sums to 18 decimals; the venue prints 8 and rounds.
        let policy = TolerancePolicy(defaultRule: ToleranceRule(inferred: InferredTolerance()))
        let result = Reconciler(tolerance: policy).reconcile(
            ledger: book([balance("k", "m", "ETH", "1.234567894999999999"), balance("k", "m", "BTC", "0.123456786")]),
            statement: book([balance("k", "m", "ETH", "1.23456789"), balance("k", "m", "BTC", "0.12345678")]))
        let eth = try #require(result.line("k", "m", "ETH"))
        #expect(eth.classification == .withinTolerance)
        #expect(eth.tolerance?.source == "default inferred from 8 decimals")
        let btc = try #require(result.line("k", "m", "BTC"))
        #expect(btc.classification == .mismatch)  // 0.000000006 is more than half a unit of the 8th decimal
    }

    @Test func inferredToleranceReadsTheStatementsPrecisionNotACoarserLedger() throws {
        // The venue prints 4 decimals, so it is exact to half of 0.0001; our ledger's coarser 25.0 does not make the
        // venue's figure less exact. (Taking the coarser side called this within a 0.05 tolerance.)
        let policy = TolerancePolicy(defaultRule: ToleranceRule(inferred: InferredTolerance()))
        let result = Reconciler(tolerance: policy).reconcile(
            ledger: book([balance("k", "m", "EUR", "25.0")]), statement: book([balance("k", "m", "EUR", "25.0049")]))
        let line = try #require(result.line("k", "m", "EUR"))
        #expect(
            line.tolerance == AppliedTolerance(value: amount("0.00005"), source: "default inferred from 4 decimals"))
        #expect(line.classification == .mismatch)
    }

    @Test func zeroValueBalances() throws {
        let result = Reconciler().reconcile(
            ledger: book([balance("b", "s", "DOGE", "0"), balance("b", "s", "ADA", "0.000")]),
            statement: book([balance("b", "s", "DOGE", "0.00000000"), balance("b", "s", "XRP", "0.0")]))
        #expect(result.lines.map(\.classification) == [.matched, .matched, .matched])
        #expect(result.line("b", "s", "XRP")?.ledger == nil)
        #expect(result.line("b", "s", "ADA")?.statement == nil)
    }

    @Test func missingMeansZeroTurnsAnAbsentSideIntoZeroAndSaysSo() throws {
        var statement = BalanceBook()
        statement.add([balance("binance", "spot", "BTC", "1")], input: 0, kind: .balances)
        let policies = [0: InputPolicy(label: "ccxt.json", missingMeansZero: true)]
        let ledger = book([
            balance("binance", "spot", "BTC", "1"), balance("binance", "spot", "DOGE", "0.5"),
            balance("binance", "margin", "ETH", "2"),
        ])
        let result = Reconciler(statementPolicies: policies).reconcile(ledger: ledger, statement: statement)
        let doge = try #require(result.line("binance", "spot", "DOGE"))
        #expect(doge.classification == .mismatch)
        #expect(doge.statement == .zero)
        #expect(doge.notes == ["statement has no balance; counted as zero (missing_means_zero on ccxt.json)"])
        // Another account the source never reported stays missing.
        #expect(result.line("binance", "margin", "ETH")?.classification == .missingInStatement)
    }

    @Test func missingMeansZeroOnTheLedgerSide() throws {
        var ledger = BalanceBook()
        ledger.add([balance("k", "m", "BTC", "1")], input: 0, kind: .balances)
        let result = Reconciler(ledgerPolicies: [0: InputPolicy(label: "positions.csv", missingMeansZero: true)])
            .reconcile(
                ledger: ledger, statement: book([balance("k", "m", "BTC", "1"), balance("k", "m", "EUR", "0.01")]))
        let eur = try #require(result.line("k", "m", "EUR"))
        #expect(eur.classification == .mismatch)
        #expect(eur.ledger == .zero)
        #expect(eur.notes == ["ledger has no balance; counted as zero (missing_means_zero on positions.csv)"])
    }

    @Test func comparedFigureFallsBackToTotalAndSaysWhy() throws {
        var statement = BalanceBook()
        statement.add(
            [balance("cb", "m", "BTC", "1.5", available: "1.0", hold: "0.5"), balance("cb", "m", "ETH", "2")],
            input: 0, kind: .balances)
        let ledger = book([balance("cb", "m", "BTC", "1.2", available: "1.0"), balance("cb", "m", "ETH", "2")])
        let result = Reconciler(statementPolicies: [0: InputPolicy(label: "cb", compare: .available)])
            .reconcile(ledger: ledger, statement: statement)
        let btc = try #require(result.line("cb", "m", "BTC"))
        #expect(btc.figure == .available)
        #expect(btc.classification == .matched)
        let eth = try #require(result.line("cb", "m", "ETH"))
        #expect(eth.figure == .total)
        #expect(eth.notes == ["compared total: the ledger and statement does not report available"])
    }

    @Test(arguments: [
        ([Classification](), ReconciliationStatus.reconciled, 0, Int32(0)),
        ([.matched, .withinTolerance], .reconciledWithinTolerance, 0, 0),
        ([.matched, .mismatch], .breaks, 0, 1),
        ([.missingInLedger, .conflict], .breaks, 2, 0),
        ([.missingInLedger, .conflict, .mismatch], .breaks, 2, 1),
    ])
    func statusAndExitStatus(
        classifications: [Classification], status: ReconciliationStatus, maxBreaks: Int, exit: Int32
    ) {
        let lines = classifications.enumerated().map { position, classification in
            ReconciliationLine(
                key: BalanceKey(venue: "v", account: "a", asset: "A\(position)"), ledger: nil, statement: nil,
                difference: nil, tolerance: nil, classification: classification)
        }
        let report = ReconciliationReport(
            runID: "r", job: "j", asOf: "2026-11-24", startedAt: "t", toolVersion: "0", maxBreaks: maxBreaks,
            result: ReconciliationResult(lines: lines), inputs: [])
        #expect(report.status == status)
        #expect(report.exitStatus == exit)
    }

    @Test func failedInputsMakeTheRunPartialOrFailed() {
        func input(_ failed: Bool) -> InputSummary {
            InputSummary(
                side: .ledger, name: "x", kind: .entries, files: [], recordCount: 0, balanceCount: 0, diagnostics: [],
                error: failed ? "boom" : nil, failed: failed)
        }
        let result = ReconciliationResult(lines: [])
        #expect(ReconciliationReport.status(of: result, inputs: [input(false), input(true)]) == .partial)
        #expect(ReconciliationReport.status(of: result, inputs: [input(true), input(true)]) == .failed)
        let report = ReconciliationReport(
            runID: "r", job: "j", asOf: "d", startedAt: "t", toolVersion: "0", maxBreaks: 100, result: result,
            inputs: [input(true), input(false)])
        #expect(report.exitStatus == 2)
    }
}
