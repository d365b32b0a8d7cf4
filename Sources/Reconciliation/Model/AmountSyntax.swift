/// How a source writes its amounts, beyond the strict default.
///
/// The default accepts an optional sign, digits, an optional `.` with digits, and an optional exponent
/// (`9.05e-06`, as CCXT writes floats). Everything else is an explicit per-source choice, so nothing is guessed: a
/// comma decimal, thousands separators, negatives in parentheses, currency symbols, empty cells meaning zero.
package struct AmountSyntax: Sendable, Hashable {
    /// The decimal separator byte, `.` or `,`.
    package var decimalSeparator: UInt8
    /// The thousands separator byte, if the source groups digits (`,`, `.`, `'`, ` `).
    package var groupingSeparator: UInt8?
    /// Whether `1.5e-3` forms are accepted.
    package var allowsExponent: Bool
    /// Whether `(12.00)` means `-12.00`.
    package var allowsParentheses: Bool
    /// Whether a leading currency symbol (`$`, `€`, `£`, `¥`, `₿`) is skipped.
    package var allowsCurrencySymbol: Bool
    /// Whether an empty cell is zero instead of an error.
    package var emptyMeansZero: Bool
    /// Whether error hints name `recon inspect`'s flags rather than job-file keys (not part of the syntax).
    package var namesFlags = false

    /// Creates a syntax; the defaults are the strict standard syntax.
    package init(
        decimalSeparator: UInt8 = UInt8(ascii: "."),
        groupingSeparator: UInt8? = nil,
        allowsExponent: Bool = true,
        allowsParentheses: Bool = false,
        allowsCurrencySymbol: Bool = false,
        emptyMeansZero: Bool = false
    ) {
        self.decimalSeparator = decimalSeparator
        self.groupingSeparator = groupingSeparator
        self.allowsExponent = allowsExponent
        self.allowsParentheses = allowsParentheses
        self.allowsCurrencySymbol = allowsCurrencySymbol
        self.emptyMeansZero = emptyMeansZero
    }

    /// Sign, digits, optional `.` and digits, optional exponent. Nothing else.
    package static let standard = AmountSyntax()
}

/// Why a piece of text is not an amount.
package enum AmountParseFailure: Sendable, Equatable {
    /// The text is empty.
    case empty
    /// A sign or separators without any digit.
    case noDigits
    /// A character the syntax does not allow.
    case unexpectedCharacter(String)
    /// `,` where the syntax has no comma.
    case unexpectedComma
    /// `NaN`, `Infinity` and the like.
    case notANumber
    /// More than 38 significant digits.
    case tooManyDigits
    /// An exponent that leaves the representable range.
    case exponentOutOfRange
    /// A thousands separator not followed by exactly three digits.
    case misplacedGroupingSeparator

    /// The reason in words, with what to do where there is something to do (in job-file keys).
    package var reason: String { reason(namingFlags: false) }

    /// The reason, naming job-file keys (`` `empty_is_zero: true` ``) or, with `namingFlags`, the command-line flags
    /// of `recon inspect` (`--empty-is-zero`).
    package func reason(namingFlags: Bool) -> String {
        func set(_ key: String, _ value: String) -> String {
            namingFlags
                ? "--" + key.replacingAll("_", with: "-") + (value == "true" ? "" : " '\(value)'")
                : "`\(key): " + (value == "true" ? value : "\"\(value)\"") + "`"
        }
        switch self {
        case .empty: return "empty amount (set \(set("empty_is_zero", "true")) if an empty cell means zero)"
        case .noDigits: return "no digits"
        case .unexpectedCharacter(let character) where character == "(":
            return "unexpected character '(' (set \(set("negative_parentheses", "true")) if (12.00) means -12.00)"
        case .unexpectedCharacter(let character) where "$€£¥₿".contains(character):
            return
                "unexpected character '\(character)' (set \(set("currency_symbols", "true")) to skip a currency symbol)"
        case .unexpectedCharacter(let character): return "unexpected character '\(character)'"
        case .unexpectedComma:
            return "unexpected ',' (set \(set("decimal_separator", ",")) or \(set("thousands_separator", ",")) if the "
                + "source writes them)"
        case .notANumber: return "not a number"
        case .tooManyDigits: return "more than 38 significant digits"
        case .exponentOutOfRange: return "exponent out of range"
        case .misplacedGroupingSeparator: return "misplaced thousands separator"
        }
    }
}

/// A piece of text that is not an amount: the text (shortened for display) and why.
package struct AmountParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offending text, shortened to 40 characters and with control bytes escaped.
    package let text: String
    /// What is wrong with it.
    package let failure: AmountParseFailure

    /// `invalid amount '1,5': unexpected ','…`.
    package var description: String { "invalid amount '\(text)': \(failure.reason)" }
}
