/// Every format reader, by `format:` name, and detection by content.
public enum StatementFormats {
    /// The readers in the order detection tries them.
    public static let all: [any StatementReader] = [
        CoinbaseAdvancedAccountsReader(), CoinbaseExchangeAccountsReader(), CoinbaseExchangeStatementReader(),
        CoinbaseTransactionsReader(), DYDXSubaccountReader(), KrakenLedgersReader(), BinanceAccountReader(),
        CCXTBalanceReader(), CamtStatementReader(message: "053"), CamtStatementReader(message: "052"),
        CSVStatementReader(), JSONStatementReader(), XMLStatementReader(),
    ]

    /// The format names.
    public static var names: [String] { all.map(\.format) }

    /// The reader for a `format:` name.
    public static func reader(named name: String) -> (any StatementReader)? {
        all.first { $0.format == name }
    }

    /// The formats whose readers recognize the content.
    public static func candidates(for prefix: ContentPrefix) -> [any StatementReader] {
        all.filter { $0.recognizes(prefix) }
    }
}
