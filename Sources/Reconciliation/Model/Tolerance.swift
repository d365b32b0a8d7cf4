/// The tolerance a line was judged with: its value and where it came from, so nobody has to guess.
public struct AppliedTolerance: Sendable, Hashable {
    /// The largest absolute difference accepted.
    public let value: Amount
    /// Which rule and kind produced it: `asset BTC absolute`, `default inferred from 8 decimals`,
    /// `venue kraken relative 5 bps`.
    public let source: String

    /// No tolerance at all.
    public static let exact = AppliedTolerance(value: .zero, source: "default absolute")
}
