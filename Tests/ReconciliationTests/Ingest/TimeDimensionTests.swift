import Testing

@testable import Reconciliation

/// Cutoffs: wall-clock times in IANA zones, DST days, and times the clocks skip or repeat.
@Suite struct CutoffTests {
    @Test(arguments: [
        // Clocks go forward at 02:00 in New York on 2026-03-08: 17:00 is EDT (UTC−4).
        ("2026-03-08", "17:00", "America/New_York", "2026-03-08T21:00:00Z"),
        ("2026-03-07", "17:00", "America/New_York", "2026-03-07T22:00:00Z"),
        // Clocks go back at 03:00 in Zurich on 2026-10-25: 17:00 is CET (UTC+1).
        ("2026-10-25", "17:00", "Europe/Zurich", "2026-10-25T16:00:00Z"),
        ("2026-10-24", "17:00", "Europe/Zurich", "2026-10-24T15:00:00Z"),
        ("2026-11-24", "23:59:59", "UTC", "2026-11-24T23:59:59Z"),
    ])
    func aWallClockCutoffIsTheInstantOfThatDay(day: String, time: String, zone: String, instant: String) throws {
        #expect(try Cutoff.resolve(asOf: day, time: time, zone: zone).instantISO8601 == instant)
    }

    @Test func withoutATimeTheWholeDayCountsToItsLastNanosecond() throws {
        let cutoff = try Cutoff.resolve(asOf: "2026-11-24", time: nil, zone: nil)
        #expect(cutoff.instantISO8601 == "2026-11-24T23:59:59.999999999Z")
        #expect(cutoff.admits(try #require(Timestamp("2026-11-24T23:59:59.999Z"))))
        #expect(!cutoff.admits(try #require(Timestamp("2026-11-25T00:00:00Z"))))
        // A zone moves the day: the end of 2026-11-24 in New York is 05:00 UTC the next day.
        #expect(
            try Cutoff.resolve(asOf: "2026-11-24", time: nil, zone: "America/New_York").instantISO8601
                == "2026-11-25T04:59:59.999999999Z")
    }

    @Test func timesTheClocksSkipOrRepeatAreRefused() {
        #expect(
            caught { try Cutoff.resolve(asOf: "2026-03-08", time: "02:30", zone: "America/New_York") }
                .map { ($0 as? CutoffError)?.message }
                == "02:30 on 2026-03-08 does not exist in America/New_York (the clocks skip it)")
        #expect(
            caught { try Cutoff.resolve(asOf: "2026-10-25", time: "02:30", zone: "Europe/Zurich") }
                .map { ($0 as? CutoffError)?.message }
                == "02:30 on 2026-10-25 happens twice in Europe/Zurich (the clocks fall back); choose a time outside the repeated hour, or write times with an offset"
        )
        #expect(
            caught { try Cutoff.resolve(asOf: "2026-11-24", time: "17:00", zone: "Mars/Olympus") }
                .map { ($0 as? CutoffError)?.message }
                == "unknown time zone 'Mars/Olympus' (use an IANA name such as America/New_York, or UTC)")
        #expect(
            caught { try Cutoff.resolve(asOf: "2026-11-24", time: "5pm", zone: nil) }
                .map { ($0 as? CutoffError)?.message }
                == "expected a time HH:MM or HH:MM:SS (24-hour clock), got '5pm'")
    }

    @Test func templatesNameTheDay() throws {
        #expect(try PathTemplate.expand("in/{as_of}/k.csv", asOf: "2026-11-24") == "in/2026-11-24/k.csv")
        #expect(
            try PathTemplate.expand("in/{as_of:%Y%m%d}/{as_of:%y-%j}.csv", asOf: "2026-11-24")
                == "in/20261124/26-328.csv")
        #expect(
            caught { try PathTemplate.expand("in/{asof}.csv", asOf: "2026-11-24") }.map {
                ($0 as? CutoffError)?.message
            }
                == "unknown placeholder {asof} in 'in/{asof}.csv' (known: {as_of}, {as_of:FORMAT})")
        #expect(
            caught { try PathTemplate.expand("in/{as_of:%B}.csv", asOf: "2026-11-24") }
                .map { ($0 as? CutoffError)?.message }
                == "unknown field %B in 'in/{as_of:%B}.csv' (known: %Y %y %m %d %j %%)")
    }
}

/// Readers take the balance as of the cutoff, whatever else the file holds.
@Suite struct CutoffReadingTests {
    func options(_ day: String, _ time: String? = nil, _ zone: String? = nil, account: String? = nil) throws
        -> InputOptions
    {
        var options = InputOptions(account: account)
        options.cutoff = try Cutoff.resolve(asOf: day, time: time, zone: zone)
        options.asOf = day
        return options
    }

    @Test func aTwoDayKrakenLedgerClosesAtTheLastRowAtOrBeforeTheCutoff() throws {
        let wholeDay = load(
            ["kraken-two-days.csv"], format: "kraken-ledgers", options: try options("2026-11-24", account: "AA11"),
            directory: "time/")
        #expect(wholeDay.summary == ["kraken/AA11/BTC=1.1500000000"])
        #expect(
            wholeDay.messages == [
                "kraken-two-days.csv: note: 1 row after the cutoff (the end of 2026-11-24 UTC) left out; the latest at 2026-11-25T08:00:00Z"
            ])
        // A row stamped exactly at the cutoff (22:00 London = 22:00 UTC in November) counts.
        let atTen = load(
            ["kraken-two-days.csv"], format: "kraken-ledgers",
            options: try options("2026-11-24", "22:00", "Europe/London", account: "AA11"), directory: "time/")
        #expect(atTen.summary == ["kraken/AA11/BTC=1.0500000000"])
        // No earlier cutoff known: the opening is the first row's balance before its movement.
        #expect(atTen.balances.first?.opening?.description == "0.0000000000")
    }

    @Test func aCoinbaseStatementAndATimedLedgerAgreeAtACutoffInAnotherZone() throws {
        let cutoff = try options("2026-11-24", "17:00", "America/New_York")
        let statement = load(
            ["coinbase-statement-two-days.csv"], format: "coinbase-exchange-statement", options: cutoff,
            directory: "time/")
        #expect(statement.summary == ["coinbase/desk/ETH=8.9900000000000000"])
        #expect(
            statement.messages == [
                "coinbase-statement-two-days.csv: note: 2 rows after the cutoff (17:00 America/New_York on 2026-11-24 (2026-11-24T22:00:00Z)) left out; the latest at 2026-11-25T09:00:00Z"
            ])
        var ledgerOptions = cutoff
        ledgerOptions.kind = .entries
        ledgerOptions.fields = FieldMapping(
            venue: "venue", account: "account", asset: "asset", amount: "amount", time: "booked_at")
        let ledger = load(["ledger-with-times.csv"], format: "csv", options: ledgerOptions, directory: "time/")
        #expect(ledger.summary == ["coinbase/desk/ETH=8.99"])
        #expect(ledger.recordCount == 3)
        #expect(
            ledger.messages == [
                "ledger-with-times.csv: note: 2 rows after the cutoff (17:00 America/New_York on 2026-11-24 (2026-11-24T22:00:00Z)) left out; the latest at 2026-11-25T09:00:00Z"
            ])
    }

    @Test func naiveTimestampsNeedAZoneAndMayHaveAFormat() throws {
        var options = try options("2026-11-24", "17:00", "America/New_York")
        options.kind = .entries
        options.delimiter = UInt8(ascii: ";")
        options.amountSyntax.decimalSeparator = UInt8(ascii: ",")
        options.fields = FieldMapping(
            venue: "venue", account: "account", asset: "asset", amount: "amount", time: "booked")
        options.timeFormat = "%d.%m.%Y %H:%M"
        options.timeZone = "America/New_York"
        let zoned = load(["ledger-naive-times.csv"], format: "csv", options: options, directory: "time/")
        #expect(zoned.summary == ["coinbase/desk/ETH=8.5"])
        options.timeZone = nil
        let naive = load(["ledger-naive-times.csv"], format: "csv", options: options, directory: "time/")
        #expect(naive.failed)
        #expect(
            naive.messages.first
                == "ledger-naive-times.csv:2:22: error: the time '24.11.2026 08:00' names no zone; set `time_zone:` on the input (an IANA name, or UTC)"
        )
    }

    @Test func aBankBalancesFileWithTwoDaysReconcilesTheAsOfDayWithoutConflict() throws {
        var options = try options("2026-11-24")
        options.venue = "db"
        options.fields = FieldMapping(account: "account", asset: "currency", amount: "balance", date: "date")
        let outcome = load(["bank-balances-two-days.csv"], format: "csv", options: options, directory: "time/")
        #expect(
            outcome.summary == ["db/DE89370400440532013000/EUR=1250.40", "db/DE89370400440532013000/USD=75.00"])
        #expect(
            outcome.messages == ["bank-balances-two-days.csv: note: 2 rows dated other days (2026-11-23) left out"])
        var wrongDay = options
        wrongDay.cutoff = try Cutoff.resolve(asOf: "2026-11-22", time: nil, zone: nil)
        let none = load(["bank-balances-two-days.csv"], format: "csv", options: wrongDay, directory: "time/")
        #expect(none.failed)
        #expect(
            none.messages.last
                == "bank-balances-two-days.csv: error: no row is dated 2026-11-22; the file has 2026-11-23, 2026-11-24 — is it the right day's file?"
        )
    }

    @Test func aCamtFileWithThreeDailyStatementsYieldsTheAsOfDaysOne() throws {
        var options = try options("2026-11-24")
        options.venue = "ing"
        let outcome = load(["camt053-three-days.xml"], format: "camt053", options: options, directory: "time/")
        #expect(outcome.summary == ["ing/NL91INGB0002445588/EUR=-45.00"])
        #expect(outcome.balances.first?.opening?.description == "120.00")
        #expect(
            outcome.messages == [
                "camt053-three-days.xml:5: note: 2 statements of NL91INGB0002445588 for other days left out"
            ])
        options.cutoff = try Cutoff.resolve(asOf: "2026-11-25", time: nil, zone: nil)
        let missing = load(["camt053-three-days.xml"], format: "camt053", options: options, directory: "time/")
        #expect(missing.failed)
        #expect(
            missing.messages == [
                "camt053-three-days.xml:5: error: no statement of NL91INGB0002445588 closes on 2026-11-25; the file has statements closing on 2026-11-22, 2026-11-23, 2026-11-24 — is it the right day's file?"
            ])
    }

    @Test func aStatementWhoseEntriesDoNotSumIsAWarningAndANote() throws {
        var options = try options("2026-11-24")
        options.venue = "ing"
        let outcome = load(["camt053-does-not-add-up.xml"], format: "camt053", options: options, directory: "time/")
        #expect(outcome.summary == ["ing/NL91INGB0002445588/EUR=1500.00"])
        #expect(!outcome.failed)
        #expect(
            outcome.messages == [
                "camt053-does-not-add-up.xml:9: warning: NL91INGB0002445588 EUR: opening 1000.00 + booked entries 400.00 (1) = 1400.00, but the closing balance is 1500.00; are entries missing?"
            ])
        #expect(
            outcome.balances.first?.notes == [
                "statement does not add up: NL91INGB0002445588 EUR: opening 1000.00 + booked entries 400.00 (1) = 1400.00, but the closing balance is 1500.00"
            ])
    }

    @Test func camt052TakesTheLatestReportCreatedAtOrBeforeTheCutoff() throws {
        var options = try options("2026-11-24", "17:00", "Europe/Amsterdam")
        options.venue = "ing"
        options.balanceType = "ITBD"
        let outcome = load(["camt052-three-reports.xml"], format: "camt052", options: options, directory: "time/")
        #expect(outcome.summary == ["ing/NL91INGB0002445588/EUR=260.00"])
        #expect(
            outcome.messages == [
                "camt052-three-reports.xml: note: 1 report after the cutoff (17:00 Europe/Amsterdam on 2026-11-24 (2026-11-24T16:00:00Z)) left out; the latest at 2026-11-24T17:00:00Z"
            ])
        options.cutoff = try Cutoff.resolve(asOf: "2026-11-24", time: "07:00", zone: "Europe/Amsterdam")
        let early = load(["camt052-three-reports.xml"], format: "camt052", options: options, directory: "time/")
        #expect(early.failed)
    }

    @Test func aSnapshotFarFromTheCutoffIsAWarningAndANoteOnItsLines() throws {
        var options = try options("2026-11-25", "17:00", "UTC")
        let outcome = load(["binance-account.json"], format: "binance-account", options: options)
        #expect(
            outcome.diagnostics.contains {
                $0.severity == .warning && $0.message.hasPrefix("the snapshot was taken at ")
            })
        #expect(outcome.balances.allSatisfy { $0.notes.first?.hasPrefix("snapshot taken ") == true })
        options.takenAt = "2026-11-25T16:30:00Z"
        let stated = load(["binance-account.json"], format: "binance-account", options: options)
        #expect(stated.diagnostics.isEmpty, "\(stated.messages)")
        options.takenAt = "2026-11-25T12:00:00Z"
        let early = load(["binance-account.json"], format: "binance-account", options: options)
        #expect(
            early.messages == [
                "warning: the snapshot was taken at 2026-11-25T12:00:00Z (taken_at), 5h before the cutoff (17:00 UTC on 2026-11-25 (2026-11-25T17:00:00Z)); more than max_snapshot_skew 1h"
            ])
        #expect(early.balances.first?.notes == ["snapshot taken 5h before the cutoff (2026-11-25T12:00:00Z)"])
    }
}

/// Found by an adversarial pass: each of these read a wrong figure (or failed a sound file) before.
@Suite struct TimeEdgeCaseTests {
    func options(_ day: String, _ time: String? = nil, _ zone: String? = nil) throws -> InputOptions {
        var options = InputOptions()
        options.cutoff = try Cutoff.resolve(asOf: day, time: time, zone: zone)
        options.asOf = day
        return options
    }

    @Test func camt052LocalCreationTimesNeedTheBanksZone() throws {
        var options = try options("2026-11-24", "17:00", "Europe/Amsterdam")
        options.venue = "ing"
        options.balanceType = "ITBD"
        let naive = load(["camt052-local-times.xml"], format: "camt052", options: options, directory: "time/")
        #expect(naive.failed)
        #expect(
            naive.messages.first
                == "camt052-local-times.xml:5: error: which report of NL91INGB0002445588 is the latest at the cutoff cannot be told: CreDtTm: the time '2026-11-24T12:00:00' names no zone; set `time_zone:` on the input (an IANA name, or UTC)"
        )
        // 16:30 Amsterdam is 15:30 UTC, before the 16:00 UTC cutoff: the later report is the balance.
        options.timeZone = "Europe/Amsterdam"
        let zoned = load(["camt052-local-times.xml"], format: "camt052", options: options, directory: "time/")
        #expect(zoned.summary == ["ing/NL91INGB0002445588/EUR=250.00"])
    }

    @Test func aNegativeCamtAmountIsRefusedNotDoubleNegated() throws {
        var options = try options("2026-11-24")
        options.venue = "ing"
        let outcome = load(["camt053-negative-amount.xml"], format: "camt053", options: options, directory: "time/")
        #expect(outcome.failed)
        #expect(
            outcome.messages == [
                "camt053-negative-amount.xml:8: error: CLBD balance of NL91INGB0002445588 has a negative Amt (-100.00) with CdtDbtInd DBIT; camt amounts are unsigned and the sign is CdtDbtInd, so the balance cannot be told"
            ])
    }

    @Test func runningBalancesFollowTheFilesDirectionAndKeepAssetsWhoseRowsAreAllLate() throws {
        var options = try options("2026-11-24", "14:30", "UTC")
        options.account = "AA11"
        let outcome = load(["kraken-newest-first.csv"], format: "kraken-ledgers", options: options, directory: "time/")
        // Newest first: of the two 14:00 rows, the one listed first is the later (1.2). XXBT, XBT and BTC are one
        // chain; ETH has only a row after the cutoff, so its balance then is 4.9 before a −0.1 withdrawal.
        #expect(outcome.summary == ["kraken/AA11/BTC=1.2", "kraken/AA11/ETH=5.0"])
        #expect(
            outcome.messages == [
                "kraken-newest-first.csv: note: 2 rows after the cutoff (14:30 UTC on 2026-11-24 (2026-11-24T14:30:00Z)) left out; the latest at 2026-11-25T00:30:00Z",
                "kraken-newest-first.csv:6: note: ETH in wallet spot / main: every row is after the cutoff; the balance at the cutoff is 5.0, the balance of line 6 before its movement",
            ])
    }

    @Test func aWholeDayCutoffWorksWhereClocksSkipMidnight() throws {
        // Chile moves its clocks from 00:00 to 01:00 on 2026-09-06: 2026-09-05 ends when they jump.
        #expect(
            try Cutoff.resolve(asOf: "2026-09-05", time: nil, zone: "America/Santiago").instantISO8601
                == "2026-09-06T03:59:59.999999999Z")
    }

    @Test func impossibleDatesAndOffsetsAreNotTimes() {
        #expect(Timestamp("2026-11-31T10:00:00Z") == nil)
        #expect(Timestamp("2026-02-29T10:00:00Z") == nil)
        #expect(Timestamp("2028-02-29T10:00:00Z") != nil)
        #expect(Timestamp("2026-11-24T10:00:00+99:00") == nil)
        #expect(Timestamp("2026-11-24T10:00:00+05:75") == nil)
    }

    @Test func aNaiveTimeInTheRepeatedHourIsReadWhenBothReadingsAgreeOnTheCutoff() throws {
        var options = try options("2026-11-01", "17:00", "America/New_York")
        options.kind = .entries
        options.timeZone = "America/New_York"
        options.timeFormat = "%d.%m.%Y %H:%M"
        options.fields = FieldMapping(venue: "venue", account: "account", asset: "asset", amount: "amount", time: "t")
        let directory = TemporaryDirectory()
        let path = directory.write(
            "venue,account,asset,amount,t\nk,a,BTC,1,01.11.2026 01:30\nk,a,BTC,2,01.11.2026 09:00\n", to: "l.csv")
        let outcome = try readRecords(path, format: "csv", options: options)
        #expect(outcome.errorCount == 0)
        #expect(outcome.records.first?.total.description == "3")
        // 01:30 in New York that day is 05:30 or 06:30 UTC; with the cutoff between them, it is refused.
        options.cutoff = Cutoff(
            asOf: "2026-11-01", time: nil, zone: "UTC",
            instant: try #require(Timestamp("2026-11-01T05:45:00Z")))
        let split = try readRecords(path, format: "csv", options: options)
        #expect(
            split.diagnostics.first?.description
                == "l.csv:2:11: error: the time '01.11.2026 01:30' happens twice in America/New_York (the clocks fall back) and the cutoff falls between the two; write times with an offset"
        )
    }

    @Test func pathTemplatesRefuseEmptyFormatsAndStrayBraces() {
        #expect(
            caught { try PathTemplate.expand("in/{as_of:}/a.csv", asOf: "2026-11-24") }
                .map { ($0 as? CutoffError)?.message } == "{as_of:} names no format in 'in/{as_of:}/a.csv'")
        #expect(
            caught { try PathTemplate.expand("in/{as_of}}/a.csv", asOf: "2026-11-24") }
                .map { ($0 as? CutoffError)?.message } == "'}' without '{' in 'in/{as_of}}/a.csv'")
    }

    @Test func globsLeaveDirectoriesOut() {
        let directory = TemporaryDirectory()
        directory.write("x", to: "in/b.csv")
        directory.write("x", to: "in/a.csv/inner")
        #expect(PathTemplate.matches(directory.path + "/in/*.csv") == [directory.path + "/in/b.csv"])
    }
}

@Suite struct ReaderEdgeCaseTests {
    @Test func ccxtCurrenciesMissingFromTotalAreKeptAndTotalsAreChecked() {
        let outcome = load(
            ["ccxt-partial-total.json"], format: "ccxt-balance", options: InputOptions(venue: "okx", account: "m"),
            directory: "time/")
        #expect(outcome.summary == ["okx/m/BTC=1.6", "okx/m/ETH=2.5"])
        #expect(
            outcome.messages == [
                "ccxt-partial-total.json:6:20: warning: BTC: total 1.6 is not free 1.0 + used 0.1 (= 1.1)"
            ])
    }

    @Test func convertNotesAreReadStrictly() {
        let outcome = load(["coinbase-convert-notes.csv"], format: "coinbase-transactions", directory: "time/")
        #expect(outcome.failed)
        #expect(
            outcome.messages == [
                "coinbase-convert-notes.csv:6:60: error: cannot tell what the conversion produced from its notes 'Converted 0.1 BTC to -330 USDC'",
                "coinbase-convert-notes.csv:7:60: error: cannot tell what the conversion produced from its notes 'Converted 0.1 BTC to 1e3 USDC'",
            ])
        #expect(
            CoinbaseTransactionsReader.conversion("Converted 0.1 BTC to 1,980.50 USDC, fee included")?.target.asset
                == "USDC")
    }

    @Test func binanceTakesTheInputsAccountOverTheResponsesUID() {
        let outcome = load(
            ["binance-account.json"], format: "binance-account", options: InputOptions(account: "spot-1"))
        #expect(outcome.summary.allSatisfy { $0.hasPrefix("binance/spot-1/") })
    }
}
