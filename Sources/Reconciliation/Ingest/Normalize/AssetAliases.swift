/// Asset codes venues are known to write differently, mapped by the readers of their formats.
package enum AssetAliases {
    /// Kraken's legacy four-letter codes (X for crypto, Z for fiat) and its XBT/XDG spellings.
    package static let kraken: [String: String] = [
        "XXBT": "BTC", "XBT": "BTC", "XBT.M": "BTC.M", "XETH": "ETH", "XXDG": "DOGE", "XDG": "DOGE", "XLTC": "LTC",
        "XXRP": "XRP", "XXLM": "XLM", "XZEC": "ZEC", "XXMR": "XMR", "XETC": "ETC", "XMLN": "MLN", "XREP": "REP",
        "ZUSD": "USD", "ZEUR": "EUR", "ZGBP": "GBP", "ZJPY": "JPY", "ZCAD": "CAD", "ZAUD": "AUD", "ZCHF": "CHF",
    ]
}
