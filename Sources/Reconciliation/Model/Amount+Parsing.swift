extension Amount {
    /// Parses an amount from UTF-8 text.
    ///
    /// ```swift
    /// try Amount.parse("-0.78841244600000000000001")   // 26 decimals, exact
    /// try Amount.parse("1,234.50", syntax: AmountSyntax(groupingSeparator: UInt8(ascii: ",")))
    /// ```
    package static func parse(_ text: String, syntax: AmountSyntax = .standard) throws(AmountParseError) -> Amount {
        var copy = text
        let result: Result<Amount, AmountParseError> = copy.withUTF8 { bytes in
            do throws(AmountParseError) {
                return .success(try parse(UnsafeRawBufferPointer(bytes), syntax: syntax))
            } catch {
                return .failure(error)
            }
        }
        return try result.get()
    }

    /// Parses an amount from the bytes of one field; the hot path of every reader.
    ///
    /// Written by hand because no available library parses exact decimals from bytes: Foundation's `Decimal(string:)`
    /// accepts prefixes (`"12abc"` → 12), cuts past 38 digits silently and costs about 1 µs a value.
    package static func parse(_ bytes: UnsafeRawBufferPointer, syntax: AmountSyntax = .standard)
        throws(AmountParseError)
        -> Amount
    {
        if syntax.decimalSeparator == UInt8(ascii: "."), let amount = parseCommon(bytes) { return amount }
        return try parseGeneral(bytes, syntax: syntax)
    }

    /// The shape nearly every ledger row has — `-?digits(.digits)?`, up to 38 digits — eight bytes at a time; `nil`
    /// hands anything else (exponents, blanks, separators, errors) to the general parser.
    ///
    /// Each run of digits is taken a word at a time: the first non-digit byte of the word ends the run, and the
    /// digits before it are converted in one go (shifted up, so the bytes after them count as leading zeros). A field
    /// of eight bytes or more reads its last partial word from its end, never past it; shorter ones go byte by byte.
    @inline(__always)
    static func parseCommon(_ bytes: UnsafeRawBufferPointer) -> Amount? {
        let count = bytes.count
        guard count > 0, count <= 40, let base = bytes.baseAddress else { return nil }
        var index = 0
        let negative = base.load(as: UInt8.self) == UInt8(ascii: "-")
        if negative { index = 1 }
        // Up to 19 digits in a UInt64 (nearly every amount); longer ones continue in a UInt128.
        var small: UInt64 = 0
        var wide: UInt128 = 0
        var digits = 0
        var point = -1
        while true {
            // One run of digits.
            while index < count {
                let available = count - index
                let word: UInt64
                if available >= 8 {
                    word = base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                } else if count >= 8 {
                    word =
                        base.loadUnaligned(fromByteOffset: count - 8, as: UInt64.self) &>> UInt64(8 * (8 - available))
                } else {
                    word = shortWord(base + index, available)
                }
                let run = (nonDigits(word).trailingZeroBitCount &>> 3)
                guard run > 0 else { break }
                let value = eightDigits(word &<< UInt64(8 * (8 - run)))
                if digits + run <= 19 {
                    small = small &* digitPowers[run] &+ value
                } else {
                    if digits <= 19 { wide = UInt128(small) }
                    wide = wide &* UInt128(digitPowers[run]) &+ UInt128(value)
                }
                digits += run
                index += run
                if run < 8 { break }
            }
            guard index < count else { break }
            // The one decimal point, then the fraction's run.
            guard point < 0, base.load(fromByteOffset: index, as: UInt8.self) == UInt8(ascii: ".") else { return nil }
            point = digits
            index += 1
        }
        guard digits > 0, digits <= 38, point != digits else { return nil }
        let scale = point < 0 ? 0 : digits - point
        // 38 digits fit an Int128.
        let magnitude = digits <= 19 ? Int128(small) : Int128(truncatingIfNeeded: wide)
        return Amount(uncheckedSignificand: negative ? -magnitude : magnitude, scale: scale)
    }

    /// 10^n for n in 0...8.
    private static let digitPowers: [UInt64] = [1, 10, 100, 1000, 10000, 100_000, 1_000_000, 10_000_000, 100_000_000]

    /// The `count` (< 8) bytes at `start` as the low bytes of a word, the rest zero.
    @inline(__always)
    private static func shortWord(_ start: UnsafeRawPointer, _ count: Int) -> UInt64 {
        var word: UInt64 = 0
        for offset in 0..<count {
            word |= UInt64(start.load(fromByteOffset: offset, as: UInt8.self)) << UInt64(8 * offset)
        }
        return word
    }

    /// The high bit of every byte of `word` that is not an ASCII digit (exact for each byte: no borrow or carry
    /// crosses bytes).
    @inline(__always)
    static func nonDigits(_ word: UInt64) -> UInt64 {
        let offset = word ^ 0x3030_3030_3030_3030  // a digit byte becomes 0...9
        return (((offset & 0x7F7F_7F7F_7F7F_7F7F) &+ 0x7676_7676_7676_7676) | offset) & 0x8080_8080_8080_8080
    }

    /// The value of eight ASCII digits (the first in the lowest byte), combined pairwise in three multiplies.
    @inline(__always)
    static func eightDigits(_ word: UInt64) -> UInt64 {
        var value = word & 0x0F0F_0F0F_0F0F_0F0F
        value = (value &* 2561) >> 8
        value = ((value & 0x00FF_00FF_00FF_00FF) &* 6_553_601) >> 16
        return ((value & 0x0000_FFFF_0000_FFFF) &* 42_949_672_960_001) >> 32
    }

    /// Every syntax option, and the errors.
    static func parseGeneral(_ bytes: UnsafeRawBufferPointer, syntax: AmountSyntax) throws(AmountParseError) -> Amount {
        var start = 0
        var end = bytes.count
        // Surrounding blanks are unambiguous; trim them.
        while start < end, bytes[start] == 0x20 || bytes[start] == 0x09 { start += 1 }
        while end > start, bytes[end - 1] == 0x20 || bytes[end - 1] == 0x09 { end -= 1 }
        if start == end {
            if syntax.emptyMeansZero { return .zero }
            throw AmountParseError(text: displayText(bytes), failure: .empty)
        }

        var negative = false
        if syntax.allowsParentheses, bytes[start] == UInt8(ascii: "("), bytes[end - 1] == UInt8(ascii: ")") {
            negative = true
            start += 1
            end -= 1
        }
        if syntax.allowsCurrencySymbol { start = skipCurrencySymbol(bytes, start, end) }
        if start < end {
            if bytes[start] == UInt8(ascii: "-") {
                guard !negative else {
                    throw AmountParseError(text: displayText(bytes), failure: .unexpectedCharacter("-"))
                }
                negative = true
                start += 1
            } else if bytes[start] == UInt8(ascii: "+") {
                start += 1
            }
        }
        if syntax.allowsCurrencySymbol { start = skipCurrencySymbol(bytes, start, end) }

        // Digits: the first 18 accumulate in a UInt64 (cheap), the rest in Int128.
        var small: UInt64 = 0
        var wide: Int128 = 0
        var significantDigits = 0
        var sawDigit = false
        var fractionDigits = 0
        var inFraction = false
        var groupDigits = -1  // digits since the last grouping separator; -1 before any separator
        var index = start
        let decimalSeparator = syntax.decimalSeparator
        let groupingSeparator = syntax.groupingSeparator ?? 0xFF
        while index < end {
            let byte = bytes[index]
            let digit = byte &- 0x30
            if digit < 10 {
                sawDigit = true
                if inFraction { fractionDigits += 1 } else if groupDigits >= 0 { groupDigits += 1 }
                if significantDigits > 0 || digit != 0 {
                    significantDigits += 1
                    if significantDigits <= 18 {
                        small = small &* 10 &+ UInt64(digit)
                    } else {
                        if significantDigits == 19 { wide = Int128(small) }
                        if significantDigits > maxDigits {
                            throw AmountParseError(text: displayText(bytes), failure: .tooManyDigits)
                        }
                        wide = wide &* 10 &+ Int128(digit)
                    }
                }
                index += 1
                continue
            }
            if byte == decimalSeparator && !inFraction {
                if groupDigits >= 0 && groupDigits != 3 {
                    throw AmountParseError(text: displayText(bytes), failure: .misplacedGroupingSeparator)
                }
                inFraction = true
                index += 1
                continue
            }
            if byte == groupingSeparator && !inFraction {
                // The first group has 1–3 digits, every later one exactly 3.
                let firstGroupFits = groupDigits >= 0 || (1...3).contains(index - start)
                guard sawDigit, firstGroupFits, groupDigits == -1 || groupDigits == 3 else {
                    throw AmountParseError(text: displayText(bytes), failure: .misplacedGroupingSeparator)
                }
                groupDigits = 0
                index += 1
                continue
            }
            if (byte | 0x20) == UInt8(ascii: "e") && syntax.allowsExponent && sawDigit {
                break
            }
            throw AmountParseError(
                text: displayText(bytes), failure: failure(for: bytes, start: start, end: end, at: index))
        }
        if groupDigits >= 0 && !inFraction && groupDigits != 3 {
            throw AmountParseError(text: displayText(bytes), failure: .misplacedGroupingSeparator)
        }
        guard sawDigit else {
            throw AmountParseError(
                text: displayText(bytes), failure: failure(for: bytes, start: start, end: end, at: index))
        }

        var exponent = 0
        if index < end {
            // 'e' or 'E', then an optional sign and at most 4 digits.
            index += 1
            var exponentNegative = false
            if index < end, bytes[index] == UInt8(ascii: "-") || bytes[index] == UInt8(ascii: "+") {
                exponentNegative = bytes[index] == UInt8(ascii: "-")
                index += 1
            }
            var exponentDigits = 0
            while index < end {
                let digit = bytes[index] &- 0x30
                guard digit < 10 else {
                    throw AmountParseError(
                        text: displayText(bytes), failure: .unexpectedCharacter(character(bytes, index, end)))
                }
                exponentDigits += 1
                guard exponentDigits <= 4 else {
                    throw AmountParseError(text: displayText(bytes), failure: .exponentOutOfRange)
                }
                exponent = exponent * 10 + Int(digit)
                index += 1
            }
            guard exponentDigits > 0 else { throw AmountParseError(text: displayText(bytes), failure: .noDigits) }
            if exponentNegative { exponent = -exponent }
        }

        var value: Int128 = significantDigits <= 18 ? Int128(small) : wide
        var scale = fractionDigits - exponent
        if scale < 0 {
            guard -scale <= maxDigits else {
                throw AmountParseError(text: displayText(bytes), failure: .exponentOutOfRange)
            }
            let (product, overflow) = value.multipliedReportingOverflow(by: powerOfTen[-scale])
            guard !overflow, product <= maxSignificand else {
                throw AmountParseError(text: displayText(bytes), failure: .exponentOutOfRange)
            }
            value = product
            scale = 0
        } else if scale > maxScale {
            throw AmountParseError(text: displayText(bytes), failure: .exponentOutOfRange)
        }
        return Amount(uncheckedSignificand: negative ? -value : value, scale: scale)
    }

    /// Classifies the first byte that is not part of an amount.
    static func failure(for bytes: UnsafeRawBufferPointer, start: Int, end: Int, at index: Int) -> AmountParseFailure {
        let word = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<end]), as: UTF8.self).lowercased()
        if ["nan", "inf", "infinity", "snan"].contains(word) { return .notANumber }
        if index >= end { return .noDigits }
        if bytes[index] == UInt8(ascii: ",") { return .unexpectedComma }
        return .unexpectedCharacter(character(bytes, index, end))
    }

    /// The (possibly multi-byte) character at `index`, escaped when it is a control or invalid byte.
    static func character(_ bytes: UnsafeRawBufferPointer, _ index: Int, _ end: Int) -> String {
        let byte = bytes[index]
        if byte < 0x20 || byte == 0x7F { return "\\u{\(String(byte, radix: 16))}" }
        if byte < 0x80 { return String(UnicodeScalar(byte)) }
        var length = 1
        while index + length < end, length < 4, bytes[index + length] & 0xC0 == 0x80 { length += 1 }
        let slice = UnsafeRawBufferPointer(rebasing: bytes[index..<(index + length)])
        return String(validating: slice, as: UTF8.self) ?? "\\x\(String(byte, radix: 16, uppercase: true))"
    }

    /// Skips one currency symbol (`$`, `€`, `£`, `¥`, `₿`) at `start`.
    static func skipCurrencySymbol(_ bytes: UnsafeRawBufferPointer, _ start: Int, _ end: Int) -> Int {
        guard start < end else { return start }
        let symbols: [[UInt8]] = [[0x24], [0xE2, 0x82, 0xAC], [0xC2, 0xA3], [0xC2, 0xA5], [0xE2, 0x82, 0xBF]]
        for symbol in symbols where end - start >= symbol.count {
            if zip(symbol.indices, symbol).allSatisfy({ bytes[start + $0] == $1 }) { return start + symbol.count }
        }
        return start
    }

    /// The text for an error message: at most 40 characters, control bytes and invalid UTF-8 escaped.
    static func displayText(_ bytes: UnsafeRawBufferPointer) -> String {
        displayString(bytes, limit: 40)
    }
}

/// Text safe to show in a message: invalid UTF-8 and control characters escaped, cut at `limit` characters.
func displayString(_ bytes: UnsafeRawBufferPointer, limit: Int) -> String {
    var result = ""
    var count = 0
    for scalar in String(decoding: bytes, as: UTF8.self).unicodeScalars {
        if count == limit {
            result += "…"
            break
        }
        switch scalar.value {
        case 0..<0x20, 0x7F: result += "\\u{\(String(scalar.value, radix: 16))}"
        case 0xFFFD: result += "\\u{fffd}"
        default: result.unicodeScalars.append(scalar)
        }
        count += 1
    }
    return result
}
