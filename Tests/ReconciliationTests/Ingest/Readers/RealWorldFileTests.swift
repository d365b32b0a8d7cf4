import Testing

@testable import Reconciliation

/// The public statement files in `../shared/real-world/`, written by other projects, yield exactly the balances their
/// README lists.
@Suite(
    .enabled(
        if: realWorldFilesAvailable,
        "../shared/real-world/ is not beside this clone (it holds other projects' files under their own licences)"))
struct RealWorldFileTests {
    func read(_ name: String, format: String, options: InputOptions = InputOptions()) -> InputOutcome {
        let spec = InputSpec(
            side: .statement, name: name, files: [InputFile(path: realWorld(name), displayPath: name)], format: format,
            options: options)
        return InputLoader(prefetch: false).load(spec, index: 0)
    }

    @Test(arguments: ["camt/camt053.v2.minimal.xml", "camt/camt053.v4.xml", "camt/camt053.v8.xml"])
    func camt053BalancesOfEveryType(file: String) {
        let expected = [
            ("OPBD", "EUR", "18.15"), ("CLBD", "SEK", "-27.00"), ("OPAV", "CHF", "35.00"), ("CLAV", "JPY", "-2700"),
        ]
        for (type, currency, amount) in expected {
            let outcome = read(file, format: "camt053", options: InputOptions(venue: "bank", balanceType: type))
            #expect(!outcome.failed, "\(outcome.firstError ?? "")")
            #expect(outcome.summary == ["bank/NL26VAYB8060476890/\(currency)=\(amount)"], "\(file) \(type)")
        }
        // The default balance type is CLBD, a debit.
        #expect(
            read(file, format: "camt053", options: InputOptions(venue: "bank")).summary == [
                "bank/NL26VAYB8060476890/SEK=-27.00"
            ])
    }

    @Test func camt052WithoutBalancesIsAWarningNotACrash() {
        let outcome = read("camt/camt052.v2.xml", format: "camt052", options: InputOptions(venue: "bank"))
        #expect(!outcome.failed)
        #expect(outcome.balances.isEmpty)
        #expect(
            outcome.messages == [
                "camt/camt052.v2.xml: warning: the file has no balance (no `Bal` element): nothing to reconcile from it"
            ])
    }

    @Test func coinbaseAdvancedTrade() {
        let outcome = read("coinbase/advanced-trade-accounts.json", format: "coinbase-advanced-accounts")
        #expect(outcome.summary == ["coinbase/portfolio-001/BTC=1.23956789", "coinbase/portfolio-001/USD=10450.50"])
        #expect(outcome.balances.map { $0.available?.description } == ["1.23456789", "10000.50"])
        #expect(outcome.balances.map { $0.hold?.description } == ["0.00500000", "450.00"])
    }

    @Test func coinbaseExchangeAccounts() {
        let outcome = read("coinbase/exchange-accounts.json", format: "coinbase-exchange-accounts")
        let account = "75da88c5-05bf-4f54-bc85-5c775bd68254"
        #expect(outcome.summary == ["coinbase/\(account)/BAT=10.5000000000", "coinbase/\(account)/ETH=2.5"])
        #expect(outcome.balances.map { $0.available?.description } == ["10.00000000", "2.15"])
        #expect(outcome.balances.map { $0.hold?.description } == ["0.5000000000000000", "0.35"])
        #expect(outcome.diagnostics.isEmpty)
    }

    @Test func coinbaseExchangeStatements() {
        #expect(
            read("coinbase/exchange-account-statement-bat.csv", format: "coinbase-exchange-statement").summary
                == ["coinbase/default/BAT=182.7000000000000000"])
        #expect(
            read("coinbase/exchange-account-statement-eth.csv", format: "coinbase-exchange-statement").summary
                == ["coinbase/default/ETH=0.0002000044500000"])
    }

    @Test func dydxWrappedSubaccount() {
        let outcome = read("dydx/subaccount-0.json", format: "dydx-subaccount")
        #expect(outcome.summary == ["dydx/dydx1n56z5fhmemtffzkt2eqyf9kuc7ycjfs86mvqy7/0/USDC=45.201296"])
    }

    @Test(arguments: [
        ("camt/camt053.v8.xml", "camt053"), ("camt/camt052.v2.xml", "camt052"),
        ("coinbase/advanced-trade-accounts.json", "coinbase-advanced-accounts"),
        ("coinbase/exchange-accounts.json", "coinbase-exchange-accounts"),
        ("coinbase/exchange-account-statement-bat.csv", "coinbase-exchange-statement"),
        ("dydx/subaccount-0.json", "dydx-subaccount"),
    ])
    func formatsAreDetectedByContent(file: String, format: String) {
        let spec = InputSpec(
            side: .statement, name: file, files: [InputFile(path: realWorld(file), displayPath: file)], format: nil,
            options: InputOptions(venue: "bank"))
        let outcome = InputLoader(prefetch: false).load(spec, index: 0)
        #expect(outcome.files.first?.format == format)
    }
}
