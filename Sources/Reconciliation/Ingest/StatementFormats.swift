/// Every format reader, by `format:` name, and detection by content.
package enum StatementFormats {
    /// The readers in the order detection tries them.
    package static let all: [any StatementReader] = [
        CoinbaseAdvancedAccountsReader(), CoinbaseExchangeAccountsReader(), CoinbaseExchangeStatementReader(),
        CoinbaseTransactionsReader(), DYDXSubaccountReader(), KrakenLedgersReader(), KrakenBalanceReader(),
        BinanceAccountReader(),
        CCXTBalanceReader(), CamtStatementReader(message: "053"), CamtStatementReader(message: "052"),
        CSVStatementReader(), JSONStatementReader(), XMLStatementReader(),
    ]

    /// The format names.
    package static var names: [String] { all.map(\.format) }

    /// The reader for a `format:` name.
    package static func reader(named name: String) -> (any StatementReader)? {
        all.first { $0.format == name }
    }

    /// The formats whose readers recognize the content.
    package static func candidates(for prefix: ContentPrefix) -> [any StatementReader] {
        all.filter { $0.recognizes(prefix) }
    }
}
