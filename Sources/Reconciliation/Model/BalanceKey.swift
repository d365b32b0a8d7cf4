#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

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
        if lhs.venue != rhs.venue { return precedes(lhs.venue, rhs.venue) }
        if lhs.account != rhs.account { return precedes(lhs.account, rhs.account) }
        return precedes(lhs.asset, rhs.asset)
    }

    /// `lhs.utf8.lexicographicallyPrecedes(rhs.utf8)`, by one `memcmp` of the contiguous bytes: the generic form walks
    /// both views a byte at a time, and a run sorts every key once (1.5 million at high cardinality).
    static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        var lhs = lhs
        var rhs = rhs
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                let common = min(left.count, right.count)
                if common > 0, let a = left.baseAddress, let b = right.baseAddress {
                    let order = memcmp(a, b, common)
                    if order != 0 { return order < 0 }
                }
                return left.count < right.count
            }
        }
    }

    /// `venue/account/asset`.
    public var description: String { "\(venue)/\(account)/\(asset)" }
}
