/// An exact decimal amount: a signed significand and the number of decimal places it was written with.
///
/// `Amount` never rounds and never traps. The significand holds at most 38 decimal digits (`|significand| ≤ 10^38 − 1`),
/// which covers 18-decimal token amounts of 20 integer digits, and every operation that would leave that range throws
/// ``AmountError/overflow``.
///
/// The scale is the precision the amount was *written* with: `25.00` has scale 2 and prints as `25.00`. Equality and
/// ordering compare values, so `25.00 == 25`.
///
/// ```swift
/// let fee = try Amount.parse("0.00050000")
/// let total = try Amount.parse("1.5").adding(fee)   // 1.50050000
/// ```
public struct Amount: Sendable {
    /// The value times `10^scale`.
    public var significand: Int128 {
        Int128(truncatingIfNeeded: UInt128(UInt64(bitPattern: high)) << 64 | UInt128(low))
    }
    /// The number of decimal places, `0...Amount.maxScale`.
    public var scale: Int { Int(storedScale) }

    // Stored as two words and a byte, 8-byte aligned: 17 bytes in a 24-byte slot, where an `Int128` and an `Int` took
    // a 32-byte slot (16-byte aligned). A run holds several amounts per balance and per line: a line is 320 bytes
    // (was 368) and a balance 120 (was 128), 75 MB less at the peak of a 1.3M-key run (docs/PERFORMANCE.md).
    private let low: UInt64
    private let high: Int64
    private let storedScale: UInt8

    /// The largest number of decimal places an amount may have.
    public static let maxScale = 38
    /// The largest number of significant digits an amount may have.
    public static let maxDigits = 38
    /// The largest significand magnitude, `10^38 − 1`.
    public static let maxSignificand: Int128 = powerOfTen[38] - 1

    /// Zero with no decimal places.
    public static let zero = Amount(uncheckedSignificand: 0, scale: 0)

    /// Creates an amount without checking the invariants; callers guarantee `|significand| ≤ maxSignificand` and
    /// `0 ≤ scale ≤ maxScale`.
    package init(uncheckedSignificand significand: Int128, scale: Int) {
        low = UInt64(truncatingIfNeeded: significand)
        high = Int64(truncatingIfNeeded: significand >> 64)
        storedScale = UInt8(truncatingIfNeeded: scale)
    }

    /// Creates `significand × 10^−scale`, or throws when either is out of range.
    public init(significand: Int128, scale: Int) throws(AmountError) {
        guard (0...Self.maxScale).contains(scale) else { throw .scaleOutOfRange }
        guard significand.magnitude <= Self.maxSignificand.magnitude else { throw .overflow }
        self.init(uncheckedSignificand: significand, scale: scale)
    }

    /// Creates an integral amount.
    public init(_ integer: Int) {
        self.init(uncheckedSignificand: Int128(integer), scale: 0)
    }

    /// Whether the value is zero (at any scale).
    public var isZero: Bool { significand == 0 }

    /// Whether the value is below zero.
    public var isNegative: Bool { significand < 0 }

    /// `-1`, `0` or `1`.
    public var signum: Int { significand == 0 ? 0 : (significand < 0 ? -1 : 1) }

    /// The absolute value (never overflows: the significand range is symmetric).
    public var magnitude: Amount {
        Amount(uncheckedSignificand: significand < 0 ? -significand : significand, scale: scale)
    }

    /// The value with the opposite sign (never overflows: the significand range is symmetric).
    public func negated() -> Amount { Amount(uncheckedSignificand: -significand, scale: scale) }

    /// The same value written with `newScale` decimal places; throws when that needs more digits than fit or would
    /// drop non-zero digits (use ``roundedDown(toScale:)`` to drop digits on purpose).
    public func rescaled(to newScale: Int) throws(AmountError) -> Amount {
        guard (0...Self.maxScale).contains(newScale) else { throw .scaleOutOfRange }
        if newScale == scale { return self }
        if newScale > scale {
            let (product, overflow) = significand.multipliedReportingOverflow(by: Self.powerOfTen[newScale - scale])
            guard !overflow, product.magnitude <= Self.maxSignificand.magnitude else { throw .overflow }
            return Amount(uncheckedSignificand: product, scale: newScale)
        }
        let divisor = Self.powerOfTen[scale - newScale]
        guard significand % divisor == 0 else { throw .inexact }
        return Amount(uncheckedSignificand: significand / divisor, scale: newScale)
    }

    /// The value cut towards zero to `newScale` decimal places (never more places than it has).
    public func roundedTowardZero(toScale newScale: Int) -> Amount {
        guard newScale < scale else { return self }
        let divisor = Self.powerOfTen[scale - max(0, newScale)]
        return Amount(uncheckedSignificand: significand / divisor, scale: max(0, newScale))
    }

    /// The same value with trailing fractional zeros removed (`25.00` → `25`).
    public var normalized: Amount {
        var value = significand
        var places = scale
        while places > 0, value % 10 == 0 {
            value /= 10
            places -= 1
        }
        return Amount(uncheckedSignificand: value, scale: places)
    }

    /// `self + other` at the larger of the two scales.
    public func adding(_ other: Amount) throws(AmountError) -> Amount {
        let common = max(scale, other.scale)
        let lhs = try rescaled(to: common).significand
        let rhs = try other.rescaled(to: common).significand
        let (sum, overflow) = lhs.addingReportingOverflow(rhs)
        guard !overflow, sum.magnitude <= Self.maxSignificand.magnitude else { throw .overflow }
        return Amount(uncheckedSignificand: sum, scale: common)
    }

    /// `self − other` at the larger of the two scales.
    public func subtracting(_ other: Amount) throws(AmountError) -> Amount {
        try adding(other.negated())
    }

    /// `self × other`, exact, at the sum of the scales; throws when the product needs more than 38 digits.
    public func multiplied(by other: Amount) throws(AmountError) -> Amount {
        let (product, overflow) = significand.multipliedReportingOverflow(by: other.significand)
        guard !overflow, product.magnitude <= Self.maxSignificand.magnitude else { throw .overflow }
        guard scale + other.scale <= Self.maxScale else { throw .scaleOutOfRange }
        return Amount(uncheckedSignificand: product, scale: scale + other.scale)
    }

    /// `self × other`, cut toward zero to at most `maxScale` decimals when the exact product does not fit; used where
    /// a smaller result is the safe side (a tolerance), never for balances.
    public func multipliedTowardZero(by other: Amount) -> Amount {
        let full = significand.multipliedFullWidth(by: other.significand)
        var high = full.high
        var low = full.low
        var places = scale + other.scale
        // Drop digits until the product fits in 38 digits and the scale is in range.
        while Self.exceedsMaxSignificand(high: high, low: low) || places > Self.maxScale {
            guard places > 0 else {
                return Amount(uncheckedSignificand: high < 0 ? -Self.maxSignificand : Self.maxSignificand, scale: 0)
            }
            (high, low) = Self.divideByTen(high: high, low: low)
            places -= 1
        }
        let value = Int128(truncatingIfNeeded: low)
        return Amount(uncheckedSignificand: value, scale: places)
    }

    /// Ten to the power of the index, `10^0 ... 10^38`.
    package static let powerOfTen: [Int128] = {
        var table: [Int128] = [1]
        for _ in 1...38 { table.append(table[table.count - 1] * 10) }
        return table
    }()

    private static func exceedsMaxSignificand(high: Int128, low: UInt128) -> Bool {
        if high == 0 { return low > UInt128(maxSignificand) }
        if high == -1 {
            let negativeLimit = UInt128(truncatingIfNeeded: -maxSignificand)
            return low < negativeLimit
        }
        return true
    }

    /// Signed 256-bit division by ten, truncating toward zero.
    private static func divideByTen(high: Int128, low: UInt128) -> (Int128, UInt128) {
        let negative = high < 0
        // Work on the magnitude.
        var magHigh = UInt128(truncatingIfNeeded: high)
        var magLow = low
        if negative {
            magLow = ~magLow &+ 1
            magHigh = ~magHigh &+ (magLow == 0 ? 1 : 0)
        }
        let quotientHigh = magHigh / 10
        let remainder = magHigh % 10
        let (quotientLow, _) = UInt128(10).dividingFullWidth((remainder, magLow))
        var resultHigh = quotientHigh
        var resultLow = quotientLow
        if negative {
            resultLow = ~resultLow &+ 1
            resultHigh = ~resultHigh &+ (resultLow == 0 ? 1 : 0)
        }
        return (Int128(truncatingIfNeeded: resultHigh), resultLow)
    }
}

/// Why an amount could not be parsed or computed.
public enum AmountError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The result needs more than 38 significant digits.
    case overflow
    /// The result would need more than 38 decimal places.
    case scaleOutOfRange
    /// Rescaling would drop non-zero digits.
    case inexact

    public var description: String {
        switch self {
        case .overflow: "amount out of range (more than 38 significant digits)"
        case .scaleOutOfRange: "amount out of range (more than 38 decimal places)"
        case .inexact: "amount cannot be written with fewer decimal places without rounding"
        }
    }
}

extension Amount: Equatable, Hashable, Comparable {
    public static func == (lhs: Amount, rhs: Amount) -> Bool {
        compare(lhs, rhs) == 0
    }

    public static func < (lhs: Amount, rhs: Amount) -> Bool {
        compare(lhs, rhs) < 0
    }

    public func hash(into hasher: inout Hasher) {
        let canonical = normalized
        hasher.combine(canonical.significand)
        hasher.combine(canonical.scale)
    }

    /// Whether both the value and the written precision are the same (`25.00` is not identical to `25`).
    public func isIdentical(to other: Amount) -> Bool {
        significand == other.significand && scale == other.scale
    }

    /// Three-way comparison of values, exact at any scale (256-bit intermediate).
    static func compare(_ lhs: Amount, _ rhs: Amount) -> Int {
        if lhs.scale == rhs.scale {
            return lhs.significand == rhs.significand ? 0 : (lhs.significand < rhs.significand ? -1 : 1)
        }
        if lhs.signum != rhs.signum { return lhs.signum < rhs.signum ? -1 : 1 }
        let common = max(lhs.scale, rhs.scale)
        let left = lhs.significand.multipliedFullWidth(by: powerOfTen[common - lhs.scale])
        let right = rhs.significand.multipliedFullWidth(by: powerOfTen[common - rhs.scale])
        if left.high != right.high { return left.high < right.high ? -1 : 1 }
        if left.low != right.low { return left.low < right.low ? -1 : 1 }
        return 0
    }
}

extension Amount: CustomStringConvertible, LosslessStringConvertible {
    /// The amount with exactly `scale` decimal places: `-0.05`, `25.00`, `1200`.
    public var description: String {
        var bytes: [UInt8] = []
        bytes.reserveCapacity(48)
        appendText(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends ``description``'s bytes (between double quotes when `quoted`, as JSON writes amounts). Every report
    /// writes several amounts per line (a million-line report, millions of amounts): the whole text — sign, digits,
    /// point, quotes — is made right to left in a stack buffer and appended once, with no intermediate strings
    /// (through `String` this was 16 % of a 150,000-key run; four appends an amount were measurable after that).
    package func appendText(to output: inout [UInt8], quoted: Bool = false) {
        // 39 digits at most (2^127 ≈ 1.7 × 10^38, or 38 decimals and a leading zero), a point, a sign, two quotes: 43.
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 48) { buffer in
            var start = buffer.count
            var written = 0
            let scale = scale
            func put(_ byte: UInt8) {
                start -= 1
                buffer[start] = byte
            }
            func digit(_ value: UInt8) {
                if written == scale && scale > 0 { put(UInt8(ascii: ".")) }
                put(UInt8(ascii: "0") &+ value)
                written += 1
            }
            if quoted { put(UInt8(ascii: "\"")) }
            var magnitude = significand.magnitude
            // 128-bit division per digit is slow: divide down to 64 bits first, 19 digits at a time.
            while magnitude > UInt128(UInt64.max) {
                let (quotient, remainder) = magnitude.quotientAndRemainder(dividingBy: 10_000_000_000_000_000_000)
                var low = UInt64(remainder)
                for _ in 0..<19 {
                    digit(UInt8(low % 10))
                    low /= 10
                }
                magnitude = quotient
            }
            var low = UInt64(magnitude)
            repeat {
                digit(UInt8(low % 10))
                low /= 10
            } while low != 0
            // At least one digit before the point.
            while written <= scale { digit(0) }
            if significand < 0 { put(UInt8(ascii: "-")) }
            if quoted { put(UInt8(ascii: "\"")) }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[start...]))
        }
    }

    /// Parses the strict default syntax (see ``AmountSyntax/standard``); `nil` when the text is not an amount.
    public init?(_ description: String) {
        guard let parsed = try? Amount.parse(description) else { return nil }
        self = parsed
    }
}
