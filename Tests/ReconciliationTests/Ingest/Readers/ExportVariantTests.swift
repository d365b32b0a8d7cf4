import FuzzTargets
import Testing

@testable import Reconciliation

/// Variants of real exports that users download today: every Coinbase history header, spreadsheet padding, Kraken's
/// pending rows and newer layouts, Binance's WebSocket envelope, camt edge cases and CCXT dumps of other venues.
@Suite struct CoinbaseHistoryVersionTests {
    @Test func signedQuantitiesWinSoAStakingTransferPairNetsToZero() {
        let outcome = load(["coinbase-transactions-2024-signed.csv"], format: "coinbase-transactions")
        // 10 + 0.556122 − 0.556122 − 2 (convert) + 0.012345 + 1 + 0.5 (two sends written positive) − 0.1 + 0.1
        #expect(
            outcome.summary == [
                "coinbase/5c2f6a7e-0000-4000-8000-000000000002/ATOM=9.512345",
                "coinbase/5c2f6a7e-0000-4000-8000-000000000002/USDC=22.95",
            ])
        #expect(
            outcome.messages == [
                "coinbase-transactions-2024-signed.csv:9:48: warning: 'Send' usually takes from the asset, but 2 rows are written with the other sign; this header version signs quantities, so the written sign was taken"
            ])
        #expect(!outcome.failed)
    }

    @Test func aConvertDebitsItsSourceWhicheverSignIsWritten() {
        // 2024 file: the convert is written −2.000000; 2025 file: written +1.25. Both debit the source.
        let negative = load(["coinbase-transactions-2024-signed.csv"], format: "coinbase-transactions")
        #expect(negative.summary.contains("coinbase/5c2f6a7e-0000-4000-8000-000000000002/USDC=22.95"))
        let positive = load(["coinbase-transactions-2025.csv"], format: "coinbase-transactions")
        #expect(
            positive.summary == [
                "coinbase/5c2f6a7e-0000-4000-8000-000000000003/SOL=2.000000000",
                "coinbase/5c2f6a7e-0000-4000-8000-000000000003/USDC=1189.05",
            ])
        #expect(positive.diagnostics.isEmpty)
    }

    @Test(arguments: [
        (
            "coinbase-transactions-2021-fees.csv",
            [
                "coinbase/5c2f6a7e-0000-4000-8000-000000000004/ETH=1.25",
                "coinbase/5c2f6a7e-0000-4000-8000-000000000004/GRT=4.20",
            ]
        ),
        ("coinbase-transactions-cad.csv", ["coinbase/5c2f6a7e-0000-4000-8000-000000000005/BTC=0.03000000"]),
        ("coinbase-transactions-eur-2018.csv", ["coinbase/5c2f6a7e-0000-4000-8000-000000000006/LTC=1.50000000"]),
        ("coinbase-transactions-padded.csv", ["coinbase/5c2f6a7e-0000-4000-8000-000000000008/ADA=60"]),
    ])
    func everyHeaderVersionReadsItsBalances(file: String, expected: [String]) {
        let outcome = load([file], format: "coinbase-transactions")
        #expect(outcome.summary == expected)
        #expect(outcome.diagnostics.isEmpty, "\(outcome.messages)")
    }

    @Test func versionsAreMatchedByColumnsWithAnyFiatPrefix() throws {
        let shared = "Timestamp,Transaction Type,Asset,Quantity Transacted"
        let cases: [(String, String)] = [
            (
                "ID,\(shared),Price Currency,Price at Transaction,Subtotal,Total (inclusive of fees and/or spread),"
                    + "Fees and/or Spread,Notes,Sender Address,Recipient Address",
                "2025–26 with sender and recipient addresses"
            ),
            (
                "Notes,ID,\(shared),Price Currency,Price at Transaction,Subtotal,"
                    + "Total (inclusive of fees and/or spread),Fees and/or Spread",
                "2024 with ID and signed quantities"
            ),
            (
                "\(shared),GBP Spot Price at Transaction,GBP Subtotal,GBP Total (inclusive of fees),GBP Fees,Notes",
                "2019–20 fiat-prefixed columns"
            ),
            (
                "\(shared),Spot Price Currency,Spot Price at Transaction,Subtotal,Total (inclusive of fees),Fees,Notes",
                "2021–22 spot price currency"
            ),
            (
                "Timestamp,Balance,Amount,Currency,To,Notes", "2015–17 per-wallet export with a running balance"
            ),
        ]
        for (header, name) in cases {
            let version = try CoinbaseTransactionsReader.version(
                of: header.split(separator: ",").map(String.init), file: "f.csv", line: 1)
            #expect(version.name == name, "\(header)")
        }
    }

    @Test func theOldPerWalletExportClosesAtItsLastRunningBalance() {
        let outcome = load(["coinbase-wallet-2017.csv"], format: nil)
        #expect(outcome.summary == ["coinbase/5c2f6a7e-0000-4000-8000-000000000007/BTC=0.05182499"])
        #expect(outcome.recordCount == 3)
        #expect(outcome.diagnostics.isEmpty)
        // The same wallet listed twice in one input would double it: refused.
        let twice = load(["coinbase-wallet-2017.csv", "coinbase-wallet-2017.csv"], format: "coinbase-transactions")
        #expect(
            twice.messages == [
                "coinbase-wallet-2017.csv:8: error: a second closing balance of BTC (the first is at coinbase-wallet-2017.csv:8): list each wallet's export once"
            ])
        #expect(twice.failed)
    }

    @Test func aBlankUserIDFallsBackToTheInputsAccountOrIsAClearError() {
        let withAccount = load(
            ["coinbase-transactions-no-user.csv"], format: "coinbase-transactions",
            options: InputOptions(account: "retail-ops"))
        #expect(withAccount.summary == ["coinbase/retail-ops/DOT=3.5"])
        let without = load(["coinbase-transactions-no-user.csv"], format: "coinbase-transactions")
        #expect(
            without.failure?.description
                == "coinbase-transactions-no-user.csv:3: error: the file names no user id (no `User,<name>,<id>` line before the header): set `account:`"
        )
    }

    @Test func aHeaderLackingARequiredColumnIsRefusedNamingIt() {
        let outcome = load(["coinbase-transactions-missing-notes.csv"], format: "coinbase-transactions")
        #expect(
            outcome.failure?.description.hasPrefix(
                "coinbase-transactions-missing-notes.csv:3: error: unknown Coinbase transaction history header: ID,Timestamp,Transaction Type,Asset,Quantity Transacted,Price Currency,Price at Transaction,Subtotal,Total (inclusive of fees and/or spread),Fees and/or Spread; the closest version, 2024 with ID and signed quantities, also needs 'Notes'; known versions: "
            ) == true, "\(outcome.failure?.description ?? "")")
    }

    @Test func unsignedVersionsRefuseWhatTheirTypesCannotTell() {
        let outcome = load(["coinbase-transactions-2022-ambiguous.csv"], format: "coinbase-transactions")
        // Errors fail the input: none of its balances is reconciled as if it were right.
        #expect(outcome.failed)
        #expect(outcome.summary.isEmpty)
        #expect(
            outcome.messages == [
                "coinbase-transactions-2022-ambiguous.csv:5:22: error: 'Retail Staking Transfer' moves the asset between the user's wallets and this header version writes quantities unsigned, so the direction cannot be told",
                "coinbase-transactions-2022-ambiguous.csv:6:35: error: 'Receive' adds to the asset but its quantity is written negative (-1); this header version writes quantities unsigned, so the direction cannot be told",
                "coinbase-transactions-2022-ambiguous.csv:7:61: error: the notes convert BTC, but the row's asset is ATOM: which asset left cannot be told",
            ])
    }
}

@Suite struct ExchangeExportVariantTests {
    @Test func krakenPendingRowsAreSkippedAndCountedInUnquotedOldLayouts() {
        let outcome = load(
            ["kraken-ledgers-pending.csv"], format: nil, options: InputOptions(account: "AA11-BB22"))
        #expect(
            outcome.summary == ["kraken/AA11-BB22/BTC=0.5250000000", "kraken/AA11-BB22/EUR=1498.4000"])
        #expect(
            outcome.messages == [
                "kraken-ledgers-pending.csv:3: note: skipped 2 pending rows (no txid and no balance; Kraken lists each movement again once it is booked)"
            ])
        #expect(!outcome.failed)
    }

    @Test func krakenLayoutWithSubclassAndUSDColumns() {
        let outcome = load(["kraken-ledgers-subclass.csv"], format: nil, options: InputOptions(account: "AA11-BB22"))
        #expect(
            outcome.summary == [
                "kraken/AA11-BB22/earn / bonded/DOT=42.5000000000", "kraken/AA11-BB22/DOT=107.5000000000",
                "kraken/AA11-BB22/USD=799.6800",
            ])
        #expect(outcome.diagnostics.isEmpty)
    }

    @Test func binanceWebSocketEnvelopeIsReadLikeTheRESTObject() {
        let outcome = load(["binance-account-ws.json"], format: nil)
        #expect(outcome.summary == ["binance/354937868/BTC=1.50000000", "binance/354937868/USDT=25000.00000000"])
    }

    @Test func binanceErrorResponsesAreRefusedWithTheVenuesMessage() {
        let outcome = load(["binance-account-ws-error.json"], format: nil)
        #expect(
            outcome.failure?.description
                == "binance-account-ws-error.json:1:1: error: the Binance response has status 401 (code -2015): Invalid API-key, IP, or permissions for action."
        )
    }

    @Test func ccxtDumpsOfOtherVenuesAreDetectedAsCCXT() {
        for file in ["ccxt-binance.json", "ccxt-dydx.json"] {
            let outcome = load([file], format: nil, options: InputOptions(venue: "binance", account: "main"))
            #expect(outcome.failure == nil, "\(file): \(outcome.failure?.description ?? "")")
            #expect(outcome.files.first?.format == "ccxt-balance")
        }
    }

    @Test func whenTwoFormatsFitTheErrorListsBothAndHowToChoose() {
        let prefix = ContentPrefix(
            Array(#"{"balances":[{"asset":"BTC","free":"1","locked":"0"}],"total":{"BTC":1},"free":{"BTC":1}}"#.utf8))
        let error = caught { try InputLoader.detect(prefix, file: "both.json") }
        #expect(
            (error as? ReconciliationError)?.description
                == "both.json: error: could not tell the format of both.json: it fits both binance-account and ccxt-balance; choose one with `format:`"
        )
    }
}

@Suite struct CamtEdgeCaseTests {
    @Test func aDocumentWithoutStatementsIsAnError() {
        let outcome = load(["camt053-no-statement.xml"], format: "camt053", options: InputOptions(venue: "ing"))
        #expect(
            outcome.failure?.description
                == "camt053-no-statement.xml: error: no Stmt in the file: a camt.053 document holds at least one (BkToCstmrStmt/Stmt)"
        )
    }

    @Test func aBalanceWithoutCreditDebitIsRefusedByName() {
        let outcome = load(["camt053-no-indicator.xml"], format: "camt053", options: InputOptions(venue: "db"))
        #expect(outcome.summary.isEmpty)
        #expect(
            outcome.messages == [
                "camt053-no-indicator.xml:9: error: CLBD balance of DE89370400440532013000 has no CdtDbtInd: Amt is unsigned, so whether it is a credit or a debit cannot be told"
            ])
    }

    @Test func theVenueDefaultsToTheServicersBICAndSaysSo() {
        let bic = load(["camt053-servicer-bic.xml"], format: nil)
        #expect(bic.summary == ["ubswchzh80a/CH9300762011623852957/CHF=1250.35"])
        #expect(
            bic.messages == [
                "camt053-servicer-bic.xml:5: note: venue 'ubswchzh80a' is the servicing institution's BIC (Acct/Svcr/FinInstnId); set `venue:` to name it otherwise"
            ])
        let outcome = load(["camt053-servicer.xml"], format: "camt053")
        // The second statement names no servicer: an error that fails the input until `venue:` is set.
        #expect(outcome.failed)
        #expect(outcome.partialCoverage.map(\.venue) == ["cobadeffxxx"])
        #expect(
            outcome.messages == [
                "camt053-servicer.xml:5: note: venue 'cobadeffxxx' is the servicing institution's BIC (Acct/Svcr/FinInstnId); set `venue:` to name it otherwise",
                "camt053-servicer.xml:13: error: Stmt 2 (4711-USD) names no servicing institution BIC (Acct/Svcr/FinInstnId/BIC or BICFI): set `venue:`",
            ])
        let named = load(["camt053-servicer.xml"], format: "camt053", options: InputOptions(venue: "commerzbank"))
        #expect(
            named.summary == ["commerzbank/DE89370400440532013000/EUR=-750.00", "commerzbank/4711-USD/USD=10.00"])
    }
}

/// The XML declaration's encoding is checked before libxml2 reads a byte, the same way however the file arrives.
@Suite struct XMLEncodingTests {
    func read(_ text: [UInt8], chunks: [Int]) -> String {
        do {
            try XMLEventReader(source: ChunkedSource(text, chunks: chunks), displayPath: "s.xml").readEvents { _ in }
            return "read"
        } catch {
            return error.description
        }
    }

    @Test(arguments: [[Int](), [1], [3, 7], [128]])
    func anEncodingOtherThanUTF8IsRefusedHoweverTheFileArrives(chunks: [Int]) {
        let declared = Array(#"<?xml version="1.0" encoding='UTF.7'?><Document/>"#.utf8)
        #expect(
            read(declared, chunks: chunks)
                == #"s.xml:1: error: invalid XML: the file is in the encoding 'UTF.7'; statements are read as UTF-8 (ISO 20022 messages are UTF-8): convert it to UTF-8 and declare encoding="UTF-8""#
        )
        #expect(read([0xFF, 0xFE] + Array("<\0D\0/\0>\0".utf8), chunks: chunks).contains("the file is in UTF-16;"))
        #expect(read(Array(#"<?xml version="1.0" encoding="utf-8"?><Document/>"#.utf8), chunks: chunks) == "read")
        #expect(read([0xEF, 0xBB, 0xBF] + Array("<Document/>".utf8), chunks: chunks) == "read")
        #expect(read(Array("<Document/>".utf8), chunks: chunks) == "read")
        // A declaration padded past where it is checked is refused, not handed to libxml2 unchecked.
        let padded =
            Array(("<?xml version=\"1.0\"" + String(repeating: " ", count: 70_000)).utf8)
            + Array(#"encoding="ISO-8859-1"?><Document/>"#.utf8)
        #expect(
            read(padded, chunks: chunks)
                == "s.xml:1: error: invalid XML: the XML declaration does not end within its first 4096 bytes")
    }
}
