import Testing

@testable import Reconciliation

@Suite struct ReconcilerTests {
    @Test func noDiscrepancies() {
        let result = Reconciler().reconcile(
            ledger: book([balance("kraken", "m", "BTC", "1.5"), balance("kraken", "m", "ETH", "2")]),
            statement: book([balance("kraken", "m", "BTC", "1.50"), balance("kraken", "m", "ETH", "2.000")]))
        #expect(result.lines.map(\.classification) == [.matched, .matched])
        #expect(result.lines.map { $0.difference?.description } == ["0.00", "0.000"])
    }

    @Test func missingCurrencyInEitherDirection() throws {
        let result = Reconciler().reconcile(
            ledger: book([balance("kraken", "m", "BTC", "1"), balance("kraken", "m", "DOT", "42.5")]),
            statement: book([balance("kraken", "m", "BTC", "1"), balance("kraken", "m", "BNB", "0.0421")]))
        let dot = try #require(result.line("kraken", "m", "DOT"))
        #expect(dot.classification == .missingInStatement)
        #expect(dot.statement == nil)
        #expect(dot.difference?.description == "-42.5")
        let bnb = try #require(result.line("kraken", "m", "BNB"))
        #expect(bnb.classification == .missingInLedger)
        #expect(bnb.ledger == nil)
        #expect(bnb.difference?.description == "0.0421")
    }

    @Test func zeroAgainstAbsentIsMatched() {
        let result = Reconciler().reconcile(
            ledger: book([balance("binance", "s", "DOGE", "0.00000000")]),
            statement: book([balance("binance", "s", "SHIB", "0")]))
        #expect(result.lines.map(\.classification) == [.matched, .matched])
        #expect(result.lines.allSatisfy { $0.notes.isEmpty })
    }

    @Test func mismatchAboveAndWithinTolerance() throws {
        let policy = TolerancePolicy(assets: ["BTC": ToleranceRule(absolute: amount("0.00000001"))])
        let result = Reconciler(tolerance: policy).reconcile(
            ledger: book([balance("k", "m", "BTC", "1.00000000"), balance("k", "m", "ETH", "1.0")]),
            statement: book([balance("k", "m", "BTC", "1.000000001"), balance("k", "m", "ETH", "1.1")]))
        let btc = try #require(result.line("k", "m", "BTC"))
        #expect(btc.classification == .withinTolerance)
        #expect(btc.tolerance == AppliedTolerance(value: amount("0.00000001"), source: "asset BTC absolute"))
        let eth = try #require(result.line("k", "m", "ETH"))
        #expect(eth.classification == .mismatch)
        #expect(eth.tolerance?.source == "default absolute")
        #expect(eth.difference?.description == "0.1")
        #expect(eth.relativeDifferenceBasisPoints?.description == "909.09")
    }

    @Test func multipleDiscrepanciesAcrossVenuesInKeyOrder() {
        let result = Reconciler().reconcile(
            ledger: book([balance("kraken", "a", "EUR", "10"), balance("coinbase", "b", "USD", "5")]),
            statement: book([balance("kraken", "a", "EUR", "11"), balance("coinbase", "b", "USD", "4")]))
        #expect(result.lines.map(\.key.venue) == ["coinbase", "kraken"])
        #expect(result.lines.map(\.classification) == [.mismatch, .mismatch])
        #expect(result.counts[.mismatch] == 2)
        #expect(result.breaks.count == 2)
    }

    @Test func duplicateBalanceOnOneSideIsAConflictNamingBothSources() throws {
        let ledger = book([balance("coinbase", "m", "BTC", "1.0", file: "ledger.csv", line: 4)])
        let statement = book(
            [balance("coinbase", "m", "BTC", "1.0", file: "page-1.json", line: 7)],
            [balance("coinbase", "m", "BTC", "1.0", file: "page-2.json", line: 3)])
        let line = try #require(Reconciler().reconcile(ledger: ledger, statement: statement).lines.first)
        #expect(line.classification == .conflict)
        #expect(line.statementSources.map(\.description) == ["page-1.json:7", "page-2.json:3"])
        #expect(line.ledgerSources.map(\.description) == ["ledger.csv:4"])
        #expect(
            line.notes == [
                "the statement reports this key 2 times: page-1.json:7 (1.0), page-2.json:3 (1.0); nothing was merged"
            ])
    }

    @Test func entriesFromSeveralLedgerFilesAddUp() throws {
        var ledger = BalanceBook()
        ledger.add([balance("k", "m", "BTC", "1.25", file: "jan.csv")], input: 0, kind: .entries)
        ledger.add([balance("k", "m", "BTC", "0.75", file: "feb.csv")], input: 1, kind: .entries)
        let line = try #require(
            Reconciler().reconcile(ledger: ledger, statement: book([balance("k", "m", "BTC", "2")])).lines.first)
        #expect(line.classification == .matched)
        #expect(line.ledger?.description == "2.00")
        #expect(line.ledgerSources.map(\.description) == ["feb.csv:1", "jan.csv:1"])
    }
}

@Suite struct BalanceSumTests {
    let big = "60000000000000000000000000000000000000"

    @Test func entriesOfSeveralInputsThatCannotBeSummedAreSaidSoNotCalledDuplicates() throws {
        let ledger = book(
            [balance("k", "m", "BTC", big, file: "a.csv", line: 2)],
            [balance("k", "m", "BTC", big, file: "b.csv", line: 2)],
            kind: .entries)
        let result = Reconciler().reconcile(ledger: ledger, statement: book([balance("k", "m", "BTC", "1")]))
        let line = try #require(result.line("k", "m", "BTC"))
        #expect(line.classification == .conflict)
        #expect(
            line.notes == [
                "the ledger's entries for this key from 2 inputs add up past the exact range (38 digits): a.csv:2 (\(big)), "
                    + "b.csv:2 (\(big)); nothing was summed"
            ])
    }

    @Test func anAvailableFigureThatCannotBeSummedIsNeverDroppedSilently() throws {
        // The totals add up; the available figures do not. Before, `available` became nil without a word.
        let ledger = book(
            [balance("k", "m", "BTC", "1", available: big)], [balance("k", "m", "BTC", "1", available: big)],
            kind: .entries)
        guard case .unsummable(let parts) = ledger.figure(for: BalanceKey(venue: "k", account: "m", asset: "BTC"))
        else {
            Issue.record("expected the figure to be unsummable")
            return
        }
        #expect(parts.count == 2)
        // Summable figures add all three.
        let summed = book(
            [balance("k", "m", "BTC", "1", available: "0.5", hold: "0.5")], [balance("k", "m", "BTC", "2", hold: "1")],
            kind: .entries
        ).figure(for: BalanceKey(venue: "k", account: "m", asset: "BTC"))
        guard case .balance(let total, let inputs, _) = summed else {
            Issue.record("expected one balance")
            return
        }
        #expect(total.total == amount("3") && total.available == amount("0.5") && total.hold == amount("1.5"))
        #expect(inputs == [0, 1])
    }

    /// Lines share one stored copy of each tolerance source, matched by bytes: two spellings of one venue (é
    /// precomposed and decomposed) meet the same venue rule, and each line's source names its own spelling.
    @Test func aToleranceSourceKeepsItsOwnSpellingOfTheVenue() {
        let spellings = ["caf\u{E9}", "cafe\u{301}"]
        var ledger = BalanceBook()
        var statement = BalanceBook()
        for (position, venue) in spellings.enumerated() {
            let key = BalanceKey(venue: venue, account: "acct-\(position)", asset: "BTC")
            ledger.add(
                [Balance(key: key, total: Amount(1), source: SourceLocation(file: "l.csv"))], input: position,
                kind: .balances)
            statement.add(
                [Balance(key: key, total: Amount(1), source: SourceLocation(file: "s.csv"))], input: position,
                kind: .balances)
        }
        let rule = ToleranceRule(absolute: Amount(uncheckedSignificand: 1, scale: 2))
        let result = Reconciler(tolerance: TolerancePolicy(venues: [spellings[0]: rule]))
            .reconcile(ledger: ledger, statement: statement)
        #expect(result.lines.count == 2)
        for line in result.lines {
            #expect(Array(line.tolerance?.source.utf8 ?? "".utf8) == Array("venue \(line.key.venue) absolute".utf8))
        }
    }
}
