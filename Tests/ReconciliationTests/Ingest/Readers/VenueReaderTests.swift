import Testing

@testable import Reconciliation

@Suite struct CoinbaseReaderTests {
    @Test func advancedAccountsPagesFormOneStatementAndDeletedAccountsAreSkipped() {
        let outcome = load(
            ["coinbase-advanced-page-1.json", "coinbase-advanced-page-2.json"], format: "coinbase-advanced-accounts")
        #expect(
            outcome.summary == [
                "coinbase/4f9e-ops/BTC=0.49211540", "coinbase/4f9e-ops/USDC=251123.407713",
                "coinbase/4f9e-ops/USD=18234.11",
            ])
        #expect(
            outcome.messages == [
                "coinbase-advanced-page-1.json:7:5: note: skipped accounts[1]: deleted at 2022-06-01T00:00:00Z"
            ])
        #expect(outcome.balances[0].available?.description == "0.48211540")
        #expect(outcome.balances[0].hold?.description == "0.01000000")
    }

    @Test func aMissingLastPageIsAWarning() {
        let outcome = load(["coinbase-advanced-page-1.json"], format: "coinbase-advanced-accounts")
        #expect(
            outcome.messages.last
                == "coinbase-advanced-page-1.json: warning: this page says more follow (has_next: true, cursor 8bfc20d7-0002); list every page under `paths:`"
        )
        #expect(!outcome.failed)
    }

    @Test func exchangeAccountsWarnWhenBalanceIsNotAvailablePlusHold() {
        let outcome = load(["coinbase-exchange-accounts.json"], format: "coinbase-exchange-accounts")
        #expect(
            outcome.summary == [
                "coinbase/prof-treasury/BTC=3.1415926500000000", "coinbase/prof-treasury/USDC=100.0000000000000000",
            ])
        #expect(
            outcome.messages == [
                "coinbase-exchange-accounts.json:3:3: warning: [1]: balance 100.0000000000000000 is not available 90.0000000000000000 + hold 9.0000000000000000 (= 99.0000000000000000)"
            ])
    }

    @Test func exchangeStatementTakesTheLastRowInTimeOrderAndFileOrderOnTies() {
        let outcome = load(["coinbase-exchange-statement.csv"], format: "coinbase-exchange-statement")
        // ETH: rows at 08:00, 10:00 (later in the file) and two at 12:00 — the fee row, last in the file, closes.
        #expect(
            outcome.summary == ["coinbase/desk/ETH=3.7475000000000000", "coinbase/desk/USDC=1000.0000000000000000"])
        #expect(outcome.balances[0].source.line == 4)
        // The 10:00 withdrawal sits between the deposit and the trade: the chain 5 → 4.5 → 3.25 breaks at 12:00.
        #expect(
            outcome.messages == [
                "coinbase-exchange-statement.csv:3: warning: ETH of portfolio desk: the balance 3.7500000000000000 does not follow from the previous balance 4.5000000000000000 (line 6) and the movement -1.2500000000000000 (expected 3.2500000000000000); are rows missing?"
            ])
    }

    @Test func transactionHistory2021DirectionsComeFromTheTypeAndConvertCreditsTheTarget() {
        let outcome = load(["coinbase-transactions-2021.csv"], format: "coinbase-transactions")
        #expect(outcome.kind == .entries)
        #expect(
            outcome.summary == [
                "coinbase/5c2f6a7e-0000-4000-8000-000000000001/BTC=0.25000000",
                "coinbase/5c2f6a7e-0000-4000-8000-000000000001/XRP=1750.5",
                "coinbase/5c2f6a7e-0000-4000-8000-000000000001/XLM=12.5000000",
            ])
        #expect(outcome.recordCount == 6)
        #expect(outcome.diagnostics.isEmpty)
    }

    @Test func transactionHistory2024WithSignedQuantitiesAndCurrencySymbols() {
        let outcome = load(
            ["coinbase-transactions-2024.csv"], format: "coinbase-transactions", options: InputOptions(account: "ops"))
        #expect(
            outcome.summary == [
                "coinbase/5c2f6a7e-0000-4000-8000-000000000001/ETH=0.719123026403000000",
                "coinbase/5c2f6a7e-0000-4000-8000-000000000001/USDC=330.00",
            ])
    }

    @Test func anUnknownHeaderVersionIsAClearError() {
        let outcome = load(["coinbase-transactions-unknown.csv"], format: "coinbase-transactions")
        #expect(
            outcome.failure?.description
                == "coinbase-transactions-unknown.csv:2: error: unknown Coinbase transaction history header: Timestamp,Type,Asset,Amount; the closest version, 2015–17 per-wallet export with a running balance, also needs 'Balance', 'Currency'; known versions: 2025–26 with sender and recipient addresses; 2024 with ID and signed quantities; 2022–23 spot price currency, fees and/or spread; 2021–22 spot price currency; 2019–20 fiat-prefixed columns; 2018 tax transactions report; 2015–17 per-wallet export with a running balance"
        )
    }
}

@Suite struct ExchangeReaderTests {
    /// Bad times count towards `max_errors` like any other row error: reading stops at the limit.
    @Test(arguments: [
        (
            "kraken-ledgers", "txid,refid,time,type,subtype,aclass,asset,wallet,amount,fee,balance",
            "t,r,never,trade,,currency,XXBT,spot / main,1,0,1", 5
        ),
        (
            "coinbase-exchange-statement", "portfolio,type,time,amount,balance,amount/balance unit",
            "default,match,never,1,1,BTC", 15
        ),
    ])
    func badTimesStopReadingAtTheErrorLimit(format: String, header: String, row: String, column: Int) throws {
        let directory = TemporaryDirectory()
        let path = directory.write(([header] + Array(repeating: row, count: 50)).joined(separator: "\n"), to: "s.csv")
        var options = InputOptions(account: "treasury")
        options.limits.maxErrors = 5
        let collector = try readRecords(path, format: format, options: options)
        #expect(collector.errorCount == 5)
        #expect(
            collector.diagnostics.first?.description == "s.csv:2:\(column): error: invalid time 'never' (column time)")
    }

    @Test func dydxSignsBySideMapsPerpetualsAndAcceptsNullMaps() {
        let outcome = load(["dydx-subaccounts.json"], format: "dydx-subaccount")
        #expect(
            outcome.summary == [
                "dydx/dydx1q2w3e4r5t6y7u8i9o0p/0/USDC=-1500.25", "dydx/dydx1q2w3e4r5t6y7u8i9o0p/0/ETH-USD-PERP=-2.5",
            ])
        #expect(outcome.diagnostics.isEmpty)
    }

    @Test func krakenMapsLegacyCodesKeepsWalletsApartAndChecksTheChain() {
        let outcome = load(["kraken-ledgers.csv"], format: "kraken-ledgers", options: InputOptions(account: "treasury"))
        #expect(
            outcome.summary == [
                "kraken/treasury/earn / flexible/BTC.M=0.0300000000", "kraken/treasury/BTC=0.0533000000",
                "kraken/treasury/EUR=3990.0000",
            ])
        #expect(
            outcome.messages == [
                "kraken-ledgers.csv:7: warning: EUR in wallet spot / main: the balance 3990.0000 does not follow from the previous balance 4992.0000 (line 3) and the movement -1001.0000 (expected 3991.0000); are rows missing?"
            ])
    }

    @Test func binanceTotalIsFreePlusLockedAndTheAccountIsTheUID() {
        let outcome = load(["binance-account.json"], format: "binance-account")
        #expect(
            outcome.summary == [
                "binance/354937868/BTC=4723846.89208129", "binance/354937868/LTC=4763368.68006011",
                "binance/354937868/BNB=0.05210000",
            ])
    }

    @Test func ccxtNumbersAreReadFromTheirExactText() {
        let outcome = load(
            ["ccxt-balance.json"], format: "ccxt-balance", options: InputOptions(venue: "okx", account: "main"))
        #expect(
            outcome.summary == ["okx/main/BTC=321.0", "okx/main/SHIB=0.00000905", "okx/main/USDT=91281897308368.59"])
        #expect(outcome.balances[1].hold == nil)
    }
}

@Suite struct CamtReaderTests {
    @Test func severalStatementsSignsFromCreditDebitAndAccountsFromIBANOrOther() {
        let outcome = load(
            ["camt053-multi.xml"], format: "camt053", options: InputOptions(venue: "ing", asOf: "2026-11-24"))
        #expect(outcome.summary == ["ing/NL91INGB0002445588/EUR=322688.66", "ing/INGB-USD-7781/USD=-1520.40"])
        #expect(
            outcome.messages == [
                "camt053-multi.xml:18: warning: Stmt 3 (GB33BUKB20201555555555) has no CLBD balance; it has OPBD (set `balance_type:` to choose one)"
            ])
    }

    @Test func theBalanceTypeIsTheJobsChoice() {
        let outcome = load(
            ["camt053-multi.xml"], format: "camt053", options: InputOptions(venue: "ing", balanceType: "CLAV"))
        #expect(outcome.summary == ["ing/NL91INGB0002445588/EUR=320000.00"])
    }

    @Test func aBalanceDatedOffTheJobsDayIsAWarning() {
        let outcome = load(
            ["camt053-multi.xml"], format: "camt053",
            options: InputOptions(venue: "ing", balanceType: "OPBD", asOf: "2026-11-24"))
        #expect(outcome.summary == ["ing/GB33BUKB20201555555555/GBP=10.00"])
        #expect(
            outcome.messages.contains(
                "camt053-multi.xml:21: warning: OPBD balance of GB33BUKB20201555555555 GBP is dated 2026-11-23, not the job's as-of 2026-11-24"
            ))
    }

    @Test func unsupportedVersionsAndTheWrongMessageAreErrors() {
        #expect(
            load(["camt053-v14.xml"], format: "camt053", options: InputOptions(venue: "ing")).failure?.description
                == "camt053-v14.xml:2: error: camt.053 version 14 is not supported (versions 02–13)")
        #expect(
            load(["camt053-multi.xml"], format: "camt052", options: InputOptions(venue: "ing")).failure?.description
                == "camt053-multi.xml:2: error: this is a camt.053 document; read it with `format: camt053`")
    }
}
