import Foundation
import Testing

@testable import Reconciliation

@Suite struct ValuationTests {
    let valuation = Valuation(
        currency: "usd", decimals: 2, prices: ["BTC": amount("96250.00"), "SOL": amount("238.40")])

    func prices(_ text: String) throws -> [String: Amount] {
        try Valuation.parsePrices(Array(text.utf8), file: "prices.csv", currency: "USD")
    }

    @Test func everyDifferenceIsValuedExactlyOrSaysItHasNoPrice() throws {
        let result = Reconciler(valuation: valuation).reconcile(
            ledger: book([
                balance("k", "m", "BTC", "1.00000000"), balance("k", "m", "DOT", "42.5"),
                balance("k", "m", "USD", "10"),
            ]),
            statement: book([balance("k", "m", "BTC", "1.00000001"), balance("k", "m", "USD", "9.99")]))
        let btc = try #require(result.line("k", "m", "BTC"))
        #expect(btc.differenceValue?.description == "0.0009625000")
        let dot = try #require(result.line("k", "m", "DOT"))
        #expect(dot.valued && dot.differenceValue == nil)
        #expect(dot.notes == ["no price for DOT"])
        // The reporting currency prices at 1.
        #expect(result.line("k", "m", "USD")?.differenceValue == amount("-0.01"))
        #expect(valuation.display(amount("-2762.505")) == "-2762.51 USD")
        #expect(valuation.display(amount("0.0009625")) == "0.00 USD")
        // Without a valuation, lines are not valued and their JSON has no value member (old digests stay).
        let plain = Reconciler().reconcile(
            ledger: book([balance("k", "m", "BTC", "1")]), statement: book([balance("k", "m", "BTC", "2")]))
        #expect(plain.lines[0].valued == false)
        #expect(plain.lines[0].jsonValue(age: nil).encoded().contains("difference_value") == false)
    }

    @Test func aValueToleranceDecidesALineAtExactlyItsBoundaryAndSaysSo() throws {
        // 100 USD of SOL at 238.40 is 0.41946308… SOL: 0.41946308 is within, 0.41946309 is not.
        let policy = TolerancePolicy(defaultRule: ToleranceRule(absolute: .zero, value: amount("100.00")))
        let result = Reconciler(tolerance: policy, valuation: valuation).reconcile(
            ledger: book([balance("a", "m", "SOL", "10.00000000"), balance("b", "m", "SOL", "10.00000000")]),
            statement: book([balance("a", "m", "SOL", "10.41946308"), balance("b", "m", "SOL", "10.41946309")]))
        let within = try #require(result.line("a", "m", "SOL"))
        #expect(within.classification == .withinTolerance)
        #expect(within.tolerance?.source == "default value 100.00 USD")
        #expect(within.tolerance?.value == amount("0.41946308"))
        #expect(try #require(within.differenceValue) <= amount("100"))
        let over = try #require(result.line("b", "m", "SOL"))
        #expect(over.classification == .mismatch)
        #expect(try #require(over.differenceValue) > amount("100"))
    }

    @Test func theLargestKindAppliesAndAValueRuleWithoutAPriceSaysItDidNotApply() throws {
        let policy = TolerancePolicy(
            defaultRule: ToleranceRule(absolute: amount("0.5"), value: amount("5.00")))
        let result = Reconciler(tolerance: policy, valuation: valuation).reconcile(
            ledger: book([balance("k", "m", "BTC", "1"), balance("k", "m", "DOT", "10")]),
            statement: book([balance("k", "m", "BTC", "1.4"), balance("k", "m", "DOT", "10.4")]))
        // BTC: 0.5 absolute is larger than 5 USD of BTC.
        let btc = try #require(result.line("k", "m", "BTC"))
        #expect(btc.tolerance?.source == "default absolute")
        #expect(btc.classification == .withinTolerance)
        let dot = try #require(result.line("k", "m", "DOT"))
        #expect(dot.classification == .withinTolerance)
        #expect(dot.notes.contains("default value 5.00 USD not applied: no price for DOT"))
    }

    @Test func aPricesFileIsReadOnlyWhenEveryLineIsAClearPrice() throws {
        #expect(
            try prices("asset,price\nbtc, 96250.00\r\n\nSOL,238.40\nSOL,238.4\n") == [
                "BTC": amount("96250.00"), "SOL": amount("238.40"),
            ])
        let failures: [(String, String)] = [
            ("price,asset\nBTC,1\n", "prices.csv:1: error: expected the header `asset,price`, got 'price,asset'"),
            ("asset,price\nBTC,abc\n", "prices.csv:2: error: price of BTC: expected a decimal, got 'abc'"),
            ("asset,price\nBTC,0\n", "prices.csv:2: error: price of BTC must be positive, got '0'"),
            ("asset,price\nBTC,-1\n", "prices.csv:2: error: price of BTC must be positive, got '-1'"),
            ("asset,price\nBTC,1\nBTC,2\n", "prices.csv:3: error: BTC is priced twice: 1 on line 2, 2 here"),
            ("asset,price\nUSD,1.01\n", "prices.csv:2: error: USD is the reporting currency, priced at 1"),
            ("asset,price\n\"BTC\",1,2\n", "prices.csv:2: error: expected `asset,price` (two fields, no quotes)"),
            ("", "prices.csv: error: the prices file is empty"),
        ]
        for (text, message) in failures {
            let error = caught { try prices(text) } as? ReconciliationError
            #expect(error?.description.hasPrefix(message) == true, "\(error?.description ?? "no error")")
        }
    }

    @Test func breaksRankByValueThenByRelativeSizeThenConflicts() {
        let result = Reconciler(valuation: valuation).reconcile(
            ledger: book([
                balance("k", "m", "BTC", "1"), balance("k", "m", "SOL", "100"), balance("k", "m", "DOT", "100"),
                balance("k", "m", "XTZ", "100"), balance("k", "m", "ADA", "5"), balance("k", "m", "ETH", "1"),
            ]),
            statement: book(
                [
                    balance("k", "m", "BTC", "1.001"), balance("k", "m", "SOL", "90"), balance("k", "m", "DOT", "99"),
                    balance("k", "m", "XTZ", "50"), balance("k", "m", "ETH", "1"),
                ], [balance("k", "m", "ETH", "1")]))
        let report = ReconciliationReport(
            runID: "r", job: "j", asOf: "2026-11-24", startedAt: "t", toolVersion: "v", maxBreaks: 0,
            result: result, inputs: [])
        // SOL 2384 USD, BTC 96.25 USD; then unvalued: ADA (absent, 100%), XTZ (50%), DOT (1%); then the conflict.
        #expect(report.rankedBreaks.map(\.key.asset) == ["SOL", "BTC", "ADA", "XTZ", "DOT", "ETH"])
        let totals = report.valueTotals
        #expect(totals == nil)  // the report carries no valuation
        let valued = ReconciliationReport(
            runID: "r", job: "j", asOf: "2026-11-24", startedAt: "t", toolVersion: "v", maxBreaks: 0,
            result: result, inputs: [], valuation: valuation)
        #expect(valued.valueTotals?.breakValue == amount("2480.25000"))
        #expect(valued.valueTotals?.unvaluedBreaks == 4)
    }

    @Test func aJobRefusesAValueToleranceWithoutValuationAndACurrencyWithoutAKnownMinorUnit() throws {
        let base = """
            job: j
            as_of: 2026-11-24
            ledger: [{path: l.csv, format: csv}]
            statements: [{path: s.csv, format: csv, columns: {venue: v, account: a, asset: c, amount: b}}]

            """
        func load(_ yaml: String) -> String? {
            let error = caught {
                try JobSpec.parse(
                    yaml: base + yaml, file: "job.yaml", baseDirectory: "/tmp", environment: [:],
                    overrides: JobOverrides(), paths: PathResolver(currentDirectory: "/tmp"))
            }
            return (error as? ReconciliationError)?.description
        }
        #expect(
            load("tolerance: {default: {value: \"5\"}}\n")?.contains(
                "a `value` tolerance is an amount in the reporting currency: add `valuation:") == true)
        #expect(
            load("valuation: {currency: USDT, prices: p.csv}\n")?.contains(
                "the minor unit of USDT is not known here; say how many decimals it shows with `decimals:`") == true)
        #expect(load("valuation: {currency: USDT, decimals: 2, prices: p.csv}\n") == nil)
        #expect(load("valuation: {currency: JPY, prices: p.csv}\ntolerance: {default: {value: \"500\"}}\n") == nil)
    }
}

@Suite struct BusinessCalendarTests {
    let calendar = BusinessCalendar(holidays: ["2026-11-26", "2026-12-25"])

    @Test func weekendsAndHolidaysAreNotBusinessDays() {
        #expect(calendar.isBusinessDay("2026-11-27"))  // Friday
        #expect(!calendar.isBusinessDay("2026-11-28"))  // Saturday
        #expect(!calendar.isBusinessDay("2026-11-29"))  // Sunday
        #expect(!calendar.isBusinessDay("2026-11-26"))  // Thanksgiving
        #expect(!calendar.isBusinessDay("not a date"))
    }

    @Test func businessDaysCountAcrossAWeekendAndAHoliday() {
        #expect(calendar.businessDays(after: "2026-11-24", through: "2026-11-24") == 0)
        #expect(calendar.businessDays(after: "2026-11-20", through: "2026-11-23") == 1)  // Friday → Monday
        #expect(calendar.businessDays(after: "2026-11-25", through: "2026-11-27") == 1)  // over Thanksgiving
        #expect(BusinessCalendar.weekdays.businessDays(after: "2026-11-25", through: "2026-11-27") == 2)
        #expect(calendar.businessDays(after: "2026-11-20", through: "2026-12-31") == 27)
        #expect(calendar.businessDays(after: "2026-11-24", through: "2026-11-20") == 0)
        // Whole weeks and the days left over agree with counting day by day.
        for span in 0..<40 {
            let end = CalendarDay(civilDays: Timestamp.daysFromCivil(year: 2026, month: 11, day: 2) + Int64(span))
            var counted = 0
            var day = CalendarDay(year: 2026, month: 11, day: 2)
            for _ in 0..<span {
                day = day.next
                if calendar.isBusinessDay(day.description) { counted += 1 }
            }
            #expect(calendar.businessDays(after: "2026-11-02", through: end.description) == counted)
        }
    }

    @Test func aCalendarFileIsReadOrRefusedWithItsLine() throws {
        let read = try BusinessCalendar.parse(
            Array("# US\n2026-11-26 Thanksgiving\n2026-12-25,Christmas\n\n".utf8), file: "cal.txt")
        #expect(read.holidays == ["2026-11-26", "2026-12-25"])
        let error = caught { try BusinessCalendar.parse(Array("2026-11-26\n26/12/2026\n".utf8), file: "cal.txt") }
        #expect(
            (error as? ReconciliationError)?.description
                == "cal.txt:2: error: expected a holiday `YYYY-MM-DD` (then an optional name), got '26/12/2026'")
    }
}
