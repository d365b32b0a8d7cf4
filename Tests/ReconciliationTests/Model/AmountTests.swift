import PropertyBased
import ReconWorkload
import Testing

@testable import Reconciliation

@Suite struct AmountParsingTests {
    @Test(arguments: [
        ("0", "0", 0), ("25.00", "25.00", 2), ("-0.05", "-0.05", 2), ("+1.5", "1.5", 1), ("007", "7", 0),
        ("9.05e-06", "0.00000905", 8), ("91281897308368.59", "91281897308368.59", 2), ("1.5E3", "1500", 0),
        ("1.50e1", "15.0", 1), ("-0.78841244600000000000001", "-0.78841244600000000000001", 23),
        ("123456789012345678901234.567890123456", "123456789012345678901234.567890123456", 12), (" 12.5 ", "12.5", 1),
        ("0.000000000000000001", "0.000000000000000001", 18), ("-0", "0", 0),
    ])
    func acceptsTheStandardSyntax(text: String, printed: String, scale: Int) throws {
        let amount = try Amount.parse(text)
        #expect(amount.description == printed)
        #expect(amount.scale == scale)
    }

    @Test(arguments: [
        ("123abc", "invalid amount '123abc': unexpected character 'a'"),
        (
            "1,5",
            "invalid amount '1,5': unexpected ',' (set `decimal_separator: \",\"` or `thousands_separator: \",\"` if the source writes them)"
        ),
        ("", "invalid amount '': empty amount (set `empty_is_zero: true` if an empty cell means zero)"),
        ("NaN", "invalid amount 'NaN': not a number"),
        ("-Infinity", "invalid amount '-Infinity': not a number"),
        ("1e400", "invalid amount '1e400': exponent out of range"),
        ("1e-39", "invalid amount '1e-39': exponent out of range"),
        (
            "1234567890123456789012345678901234567890",
            "invalid amount '1234567890123456789012345678901234567890': more than 38 significant digits"
        ),
        ("-", "invalid amount '-': no digits"),
        (".", "invalid amount '.': no digits"),
        ("1.2.3", "invalid amount '1.2.3': unexpected character '.'"),
        ("1e", "invalid amount '1e': no digits"),
        ("--1", "invalid amount '--1': unexpected character '-'"),
        ("12 34", "invalid amount '12 34': unexpected character ' '"),
        (
            "$12",
            "invalid amount '$12': unexpected character '$' (set `currency_symbols: true` to skip a currency symbol)"
        ),
        (
            "(12.00)",
            "invalid amount '(12.00)': unexpected character '(' (set `negative_parentheses: true` if (12.00) means -12.00)"
        ),
        ("1\u{0}2", "invalid amount '1\\u{0}2': unexpected character '\\u{0}'"),
    ])
    func rejectsWithAClearReason(text: String, message: String) {
        do {
            let amount = try Amount.parse(text)
            Issue.record("parsed '\(text)' as \(amount)")
        } catch {
            #expect(error.description == message)
        }
    }

    @Test func optionsAreExplicit() throws {
        let european = AmountSyntax(decimalSeparator: UInt8(ascii: ","), groupingSeparator: UInt8(ascii: "."))
        #expect(try Amount.parse("1.234,50", syntax: european).description == "1234.50")
        let grouped = AmountSyntax(groupingSeparator: UInt8(ascii: ","))
        #expect(try Amount.parse("1,234,567.8", syntax: grouped).description == "1234567.8")
        #expect(throws: AmountParseError.self) { try Amount.parse("12,34.5", syntax: grouped) }
        #expect(throws: AmountParseError.self) { try Amount.parse("1234,567", syntax: grouped) }
        let accounting = AmountSyntax(allowsParentheses: true, allowsCurrencySymbol: true, emptyMeansZero: true)
        #expect(try Amount.parse("(12.00)", syntax: accounting).description == "-12.00")
        #expect(try Amount.parse("€405.99", syntax: accounting).description == "405.99")
        #expect(try Amount.parse("-$1.25", syntax: accounting).description == "-1.25")
        #expect(try Amount.parse("", syntax: accounting).isZero)
        #expect(throws: AmountParseError.self) { try Amount.parse("1e5", syntax: AmountSyntax(allowsExponent: false)) }
    }

    @Test func overflowIsAnErrorNeverATrap() throws {
        let big = try Amount.parse("99999999999999999999999999999999999999")
        #expect(throws: AmountError.overflow) { try big.adding(Amount(1)) }
        #expect(throws: AmountError.overflow) { try big.negated().subtracting(Amount(1)) }
        #expect(throws: AmountError.overflow) { try big.multiplied(by: Amount(2)) }
        #expect(throws: AmountError.overflow) { try Amount(1).rescaled(to: 38) }
        #expect(throws: AmountError.inexact) { try Amount.parse("1.25").rescaled(to: 1) }
    }

    @Test func comparesValuesAcrossScales() throws {
        #expect(try Amount.parse("25.00") == Amount.parse("25"))
        #expect(try Amount.parse("25.00").hashValue == Amount.parse("25").hashValue)
        #expect(try !Amount.parse("25.00").isIdentical(to: Amount.parse("25")))
        #expect(try Amount.parse("-0.001") < Amount.parse("0"))
        #expect(try Amount.parse("0.1") > Amount.parse("0.09999999999999999999999999999999999999"))
        #expect(
            try Amount.parse("99999999999999999999999999999999999999")
                > Amount.parse("0.99999999999999999999999999999999999999"))
    }

    @Test func multiplicationTowardZeroCutsDigitsNotMagnitude() throws {
        let fraction = try Amount.parse("0.00000000000000000001")
        let large = try Amount.parse("12345678901234567890.123456789012345678")
        let product = fraction.multipliedTowardZero(by: large)
        #expect(product.description == "0.12345678901234567890123456789012345678")
        let negative = try Amount.parse("-3").multipliedTowardZero(by: Amount.parse("0.5"))
        #expect(negative.description == "-1.5")
    }
}

@Suite struct AmountPropertyTests {
    /// Random decimals: up to 38 digits, up to 18 decimals, either sign.
    static let decimals = Generator<String, Shrink.None<String>>(
        run: { rng in
            let count = Int.random(in: 1...38, using: &rng)
            let scale = Int.random(in: 0...min(18, count), using: &rng)
            var digits = (0..<count).map { _ in String(Int.random(in: 0...9, using: &rng)) }.joined()
            if scale > 0 {
                if scale == count { digits = "0" + digits }
                digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale))
            }
            return (Bool.random(using: &rng) ? "-" : "") + digits
        })

    @Test func formattingRoundTrips() async {
        await propertyCheck(count: 500, input: Self.decimals) { text in
            let amount = try #require(try? Amount.parse(text))
            let again = try #require(try? Amount.parse(amount.description))
            #expect(again.isIdentical(to: amount))
            #expect(amount.description == DecimalOracle.Value(text).description)
        }
    }

    /// Written as digits of the whole 128-bit range at every scale (the 64-bit and the 19-digit paths, leading zeros
    /// after the point), the text is the significand's decimal digits with the point `scale` from the right.
    @Test func textCoversTheWholeRangeAtEveryScale() async {
        let significands = Generator<Int128, Shrink.None<Int128>>(
            run: { rng in
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: Int128(Int64.random(in: -1000...1000, using: &rng))
                case 1: Int128(truncatingIfNeeded: UInt128(rng.next()) << 64 | UInt128(rng.next()))
                case 2:
                    [Int128.max, Int128.min, Int128(UInt64.max), -Int128(UInt64.max), Int128(UInt64.max) + 1][
                        Int.random(in: 0..<5, using: &rng)]
                default: Int128(Int64.random(in: .min ... .max, using: &rng)) * 10_000_000_000
                }
            })
        await propertyCheck(count: 2000, input: significands, Gen.int(in: 0...38)) { significand, scale in
            var digits = String(significand.magnitude)
            if digits.count <= scale { digits = String(repeating: "0", count: scale + 1 - digits.count) + digits }
            if scale > 0 { digits.insert(".", at: digits.index(digits.endIndex, offsetBy: -scale)) }
            let expected = (significand < 0 ? "-" : "") + digits
            let amount = Amount(uncheckedSignificand: significand, scale: scale)
            #expect(amount.description == expected)
            var appended: [UInt8] = [UInt8(ascii: "x")]
            amount.appendText(to: &appended)
            #expect(appended == [UInt8(ascii: "x")] + Array(expected.utf8))
        }
    }

    /// The fast path for plain decimals must give exactly what the general parser gives, or decline.
    @Test func theFastPathAgreesWithTheGeneralParser() async {
        let edges = [
            "0", "-0", "+7", "00000000.00000000", "12345678", "123456789", "18446744073709551615",
            "18446744073709551616", "99999999999999999999999999999999999999", "1.", ".5", "-.5", "1e3", "1,000", " 1",
        ]
        for text in edges { expectSamePath(text) }
        await propertyCheck(count: 1000, input: Self.decimals) { text in expectSamePath(text) }
    }

    /// The fast path takes every plain decimal of up to 38 digits whatever its length and where its point falls (runs
    /// of digits cross its eight-byte words anywhere), and declines everything else, whole or cut anywhere.
    @Test func theFastPathTakesExactlyThePlainDecimals() {
        var random = SplitMix64(seed: 38)
        // With the bytes a word-at-a-time digit test gets wrong: those beside the digits and digits' bytes with the
        // high bit set.
        let alphabet = Array("0123456789012345678901234567890123456789.-+e, x/:;?".utf8) + [0, 0xB0, 0xB9, 0xFF]
        for round in 0..<60_000 {
            let length = Int(random.next() % 44)
            var text: [UInt8]
            if round % 2 == 0 {
                // A plain decimal: sign, digits, maybe a point anywhere.
                text = (0..<length).map { _ in UInt8(ascii: "0") + UInt8(random.next() % 10) }
                if length > 0, random.next() % 4 != 0 { text[Int(random.next() % UInt64(length))] = UInt8(ascii: ".") }
                if random.next() % 3 == 0 { text.insert(UInt8(ascii: "-"), at: 0) }
            } else {
                text = (0..<length).map { _ in alphabet[Int(random.next() % UInt64(alphabet.count))] }
            }
            expectFastPathTakesPlainDecimalsOnly(text)
        }
        // Every byte value at every place of a few shapes: short, at the eight-byte words' edges, past 19 digits.
        for shape in [
            "7", "1.5", "-12345678.87654321", "123456789012345678901.23", "9999999999999999999999999999999999999.9",
        ] {
            let bytes = Array(shape.utf8)
            for place in bytes.indices {
                for value in 0...255 {
                    var text = bytes
                    text[place] = UInt8(value)
                    expectFastPathTakesPlainDecimalsOnly(text)
                }
            }
        }
    }

    func expectFastPathTakesPlainDecimalsOnly(_ text: [UInt8]) {
        let string = String(decoding: text, as: UTF8.self)
        let body = text.first == UInt8(ascii: "-") ? Array(text.dropFirst()) : text
        let digits = body.filter { $0 >= 0x30 && $0 <= 0x39 }.count
        let points = body.filter { $0 == UInt8(ascii: ".") }.count
        let plain =
            text.count <= 40 && digits + points == body.count && points <= 1 && digits > 0 && digits <= 38
            && body.last != UInt8(ascii: ".")
        text.withUnsafeBytes { raw in
            let fast = Amount.parseCommon(raw)
            #expect((fast != nil) == plain, "\(text)")
            if let fast {
                let general = try? Amount.parseGeneral(raw, syntax: .standard)
                #expect(general.map { fast.isIdentical(to: $0) } == true, "\(string)")
            }
        }
    }

    func expectSamePath(_ text: String) {
        Array(text.utf8).withUnsafeBytes { raw in
            let general = try? Amount.parseGeneral(raw, syntax: .standard)
            if let fast = Amount.parseCommon(raw) {
                #expect(general.map { fast.isIdentical(to: $0) } == true, "\(text)")
            }
        }
    }

    @Test func additionAgreesWithDigitStringArithmetic() async {
        await propertyCheck(count: 500, input: Self.decimals, Self.decimals) { left, right in
            let lhs = try #require(try? Amount.parse(left))
            let rhs = try #require(try? Amount.parse(right))
            let expected = DecimalOracle.add(DecimalOracle.Value(left), DecimalOracle.Value(right))
            if DecimalOracle.significantDigits(expected) > 38 {
                #expect(throws: AmountError.self) { try lhs.adding(rhs) }
            } else if let sum = try? lhs.adding(rhs) {
                #expect(sum.description == expected.description)
            } else {
                // Aligning scales can need more than 38 digits even when the exact sum fits; that must be an error,
                // and only when the widened operand really is too long.
                let scale = max(lhs.scale, rhs.scale)
                let widest = max(
                    DecimalOracle.Value(left).widened(to: scale).drop(while: { $0 == 0 }).count,
                    DecimalOracle.Value(right).widened(to: scale).drop(while: { $0 == 0 }).count)
                #expect(widest > 38)
            }
            if let difference = try? lhs.subtracting(rhs) {
                let expectedDifference = DecimalOracle.add(
                    DecimalOracle.Value(left), DecimalOracle.negate(DecimalOracle.Value(right)))
                #expect(difference.description == expectedDifference.description)
            }
        }
    }

    @Test func longSumsOfEighteenDecimalValuesStayExact() async {
        let values = Gen.number.string(of: 1...12).map { digits in
            "0." + String(repeating: "0", count: 18 - min(18, digits.count)) + digits
        }
        .array(of: 1...400)
        await propertyCheck(count: 50, input: values) { texts in
            var sum = Amount.zero
            var oracle = DecimalOracle.Value("0")
            for text in texts {
                sum = try #require(try? sum.adding(Amount.parse(text)))
                oracle = DecimalOracle.add(oracle, DecimalOracle.Value(text))
            }
            #expect(sum.description == oracle.description)
        }
    }

    @Test func thirtyDigitSumsStayExact() async {
        let values = Gen.number.string(of: 30...30).map { "\($0.prefix(24)).\($0.suffix(6))" }.array(of: 2...20)
        await propertyCheck(count: 100, input: values, Gen.bool()) { texts, negateHalf in
            var sum = Amount.zero
            var oracle = DecimalOracle.Value("0")
            for (position, text) in texts.enumerated() {
                let signed = negateHalf && position % 2 == 1 ? "-" + text : text
                sum = try #require(try? sum.adding(Amount.parse(signed)))
                oracle = DecimalOracle.add(oracle, DecimalOracle.Value(signed))
            }
            #expect(sum.description == oracle.description)
        }
    }

    @Test func comparisonAgreesWithSubtraction() async {
        await propertyCheck(count: 300, input: Self.decimals, Self.decimals) { left, right in
            let lhs = try #require(try? Amount.parse(left))
            let rhs = try #require(try? Amount.parse(right))
            let difference = DecimalOracle.add(
                DecimalOracle.Value(left), DecimalOracle.negate(DecimalOracle.Value(right)))
            let expected = difference.digits == [0] ? 0 : (difference.negative ? -1 : 1)
            #expect(Amount.compare(lhs, rhs) == expected)
        }
    }

    /// The two-word storage gives back every significand and scale it was made with: the invariant's edges, the
    /// sign-extension edges around 2^63 and 2^64, random values of both signs; equal values hash alike.
    @Test func everySignificandAndScaleIsStoredExactly() {
        var significands: [Int128] = [0, 1, -1, Amount.maxSignificand, -Amount.maxSignificand, Int128.max, Int128.min]
        for base in [Int128(Int64.max), Int128(Int64.min), Int128(1) << 63, Int128(1) << 64, -(Int128(1) << 64)] {
            significands += [base - 1, base, base + 1, -base - 1, -base, -base + 1]
        }
        var generator = SplitMix64(seed: 0xA40)
        for _ in 0..<20_000 {
            let magnitude = Int128.random(in: 0...Amount.maxSignificand, using: &generator)
            significands.append(Bool.random(using: &generator) ? magnitude : -magnitude)
        }
        for significand in significands {
            for scale in [0, 1, 17, 37, 38] {
                let amount = Amount(uncheckedSignificand: significand, scale: scale)
                #expect(amount.significand == significand && amount.scale == scale, "\(significand) \(scale)")
                #expect(amount.isNegative == (significand < 0) && amount.signum == significand.signum())
                guard significand.magnitude <= Amount.maxSignificand.magnitude else { continue }
                #expect(amount.negated().significand == -significand)
                #expect(Amount(amount.description).map { $0.significand == significand && $0.scale == scale } == true)
                var quoted: [UInt8] = [0x21]
                amount.appendText(to: &quoted, quoted: true)
                #expect(quoted == [0x21, 0x22] + Array(amount.description.utf8) + [0x22])
            }
        }
        let a = Amount(uncheckedSignificand: -250_000, scale: 4)
        let b = Amount(uncheckedSignificand: -25, scale: 0)
        #expect(a == b && a.hashValue == b.hashValue)
        #expect(Amount(uncheckedSignificand: -(Int128(1) << 64), scale: 0) < Amount(uncheckedSignificand: -1, scale: 0))
    }
}
