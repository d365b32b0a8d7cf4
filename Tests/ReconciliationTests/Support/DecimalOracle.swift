/// Decimal arithmetic on digit strings, written independently of `Amount` to check it: schoolbook addition and
/// subtraction on arrays of digits, no fixed-width integers anywhere.
enum DecimalOracle {
    /// A decimal as sign, digits and scale.
    struct Value: CustomStringConvertible {
        var negative: Bool
        var digits: [UInt8]  // most significant first, no leading zeros except a lone 0
        var scale: Int

        init(_ text: String) {
            var body = Substring(text)
            negative = body.hasPrefix("-")
            if negative || body.hasPrefix("+") { body = body.dropFirst() }
            let parts = body.split(separator: ".", omittingEmptySubsequences: false)
            let integer = parts[0]
            let fraction = parts.count > 1 ? parts[1] : ""
            scale = fraction.count
            digits = (integer + fraction).map { UInt8(($0.asciiValue ?? 48) - 48) }
            digits = Array(digits.drop(while: { $0 == 0 }))
            if digits.isEmpty {
                digits = [0]
                negative = false
            }
        }

        init(negative: Bool, digits: [UInt8], scale: Int) {
            let trimmed = Array(digits.drop(while: { $0 == 0 }))
            self.digits = trimmed.isEmpty ? [0] : trimmed
            self.negative = trimmed.isEmpty ? false : negative
            self.scale = scale
        }

        /// Written with exactly `scale` decimals, like `Amount.description`.
        var description: String {
            var text = digits.map { String($0) }.joined()
            if scale > 0 {
                if text.count <= scale { text = String(repeating: "0", count: scale - text.count + 1) + text }
                text.insert(".", at: text.index(text.endIndex, offsetBy: -scale))
            }
            return (negative ? "-" : "") + text
        }

        func widened(to newScale: Int) -> [UInt8] {
            digits + Array(repeating: 0, count: newScale - scale)
        }
    }

    static func compareMagnitude(_ lhs: [UInt8], _ rhs: [UInt8]) -> Int {
        let left = Array(lhs.drop(while: { $0 == 0 }))
        let right = Array(rhs.drop(while: { $0 == 0 }))
        if left.count != right.count { return left.count < right.count ? -1 : 1 }
        for (a, b) in zip(left, right) where a != b { return a < b ? -1 : 1 }
        return 0
    }

    static func addMagnitudes(_ lhs: [UInt8], _ rhs: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var carry: UInt8 = 0
        var i = lhs.count - 1
        var j = rhs.count - 1
        while i >= 0 || j >= 0 || carry > 0 {
            let sum = (i >= 0 ? lhs[i] : 0) + (j >= 0 ? rhs[j] : 0) + carry
            result.append(sum % 10)
            carry = sum / 10
            i -= 1
            j -= 1
        }
        return result.reversed()
    }

    /// `lhs − rhs` for `lhs ≥ rhs`.
    static func subtractMagnitudes(_ lhs: [UInt8], _ rhs: [UInt8]) -> [UInt8] {
        var result: [UInt8] = []
        var borrow: Int = 0
        var i = lhs.count - 1
        var j = rhs.count - 1
        while i >= 0 {
            var digit = Int(lhs[i]) - borrow - (j >= 0 ? Int(rhs[j]) : 0)
            borrow = digit < 0 ? 1 : 0
            if digit < 0 { digit += 10 }
            result.append(UInt8(digit))
            i -= 1
            j -= 1
        }
        return result.reversed()
    }

    static func add(_ lhs: Value, _ rhs: Value) -> Value {
        let scale = max(lhs.scale, rhs.scale)
        let left = lhs.widened(to: scale)
        let right = rhs.widened(to: scale)
        if lhs.negative == rhs.negative {
            return Value(negative: lhs.negative, digits: addMagnitudes(left, right), scale: scale)
        }
        if compareMagnitude(left, right) >= 0 {
            return Value(negative: lhs.negative, digits: subtractMagnitudes(left, right), scale: scale)
        }
        return Value(negative: rhs.negative, digits: subtractMagnitudes(right, left), scale: scale)
    }

    static func negate(_ value: Value) -> Value {
        Value(negative: !value.negative, digits: value.digits, scale: value.scale)
    }

    /// Significant digits (for deciding whether a result must overflow a 38-digit type).
    static func significantDigits(_ value: Value) -> Int {
        value.digits == [0] ? 0 : value.digits.count
    }
}
