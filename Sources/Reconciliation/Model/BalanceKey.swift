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
        // By bytes throughout. Deciding "same venue" by String equality (canonical equivalence) but ordering by bytes
        // made the order cyclic for two spellings of one venue (é precomposed and decomposed) beside a third venue, so
        // the lines' order — and the result digest — changed from run to run.
        let venue = order(lhs.venue, rhs.venue)
        if venue != 0 { return venue < 0 }
        let account = order(lhs.account, rhs.account)
        if account != 0 { return account < 0 }
        return order(lhs.asset, rhs.asset) < 0
    }

    /// `lhs.utf8.lexicographicallyPrecedes(rhs.utf8)`.
    static func precedes(_ lhs: String, _ rhs: String) -> Bool {
        order(lhs, rhs) < 0
    }

    /// The order of the UTF-8 bytes (negative, zero, positive), by one `memcmp` of the contiguous bytes: the generic
    /// comparison walks both views a byte at a time, and a run sorts every key once (1.5 million at high cardinality).
    static func order(_ lhs: String, _ rhs: String) -> Int {
        var lhs = lhs
        var rhs = rhs
        return lhs.withUTF8 { left in
            rhs.withUTF8 { right in
                let common = min(left.count, right.count)
                if common > 0, let a = left.baseAddress, let b = right.baseAddress {
                    let order = memcmp(a, b, common)
                    if order != 0 { return Int(order) }
                }
                return left.count - right.count
            }
        }
    }

    /// `venue/account/asset`.
    public var description: String { "\(venue)/\(account)/\(asset)" }
}
