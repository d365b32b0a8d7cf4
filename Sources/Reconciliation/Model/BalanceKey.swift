/// What a balance is about: where it is held, whose it is, and in what.
///
/// Keys order by venue, then account, then asset, comparing UTF-8 bytes, so report order never depends on the locale.
public struct BalanceKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// Where the balance is held (`coinbase`, `kraken`, a bank), lowercased.
    public let venue: String
    /// The holder's id at that venue, exactly as written (after account mapping).
    public let account: String
    /// The currency or instrument code after aliasing (`BTC`, `ETH-USD-PERP`), uppercased.
    public let asset: String

    /// Creates a key from already-normalized parts.
    public init(venue: String, account: String, asset: String) {
        self.venue = venue
        self.account = account
        self.asset = asset
    }

    public static func < (lhs: BalanceKey, rhs: BalanceKey) -> Bool {
        if lhs.venue != rhs.venue { return lhs.venue.utf8.lexicographicallyPrecedes(rhs.venue.utf8) }
        if lhs.account != rhs.account { return lhs.account.utf8.lexicographicallyPrecedes(rhs.account.utf8) }
        return lhs.asset.utf8.lexicographicallyPrecedes(rhs.asset.utf8)
    }

    /// `venue/account/asset`.
    public var description: String { "\(venue)/\(account)/\(asset)" }
}
