/// How a source writes its amounts, beyond the strict default.
///
/// The default accepts an optional sign, digits, an optional `.` with digits, and an optional exponent
/// (`9.05e-06`, as CCXT writes floats). Everything else is an explicit per-source choice, so nothing is guessed: a
/// comma decimal, thousands separators, negatives in parentheses, currency symbols, empty cells meaning zero.
public struct AmountSyntax: Sendable, Hashable {
    /// The decimal separator byte, `.` or `,`.
    public var decimalSeparator: UInt8
    /// The thousands separator byte, if the source groups digits (`,`, `.`, `'`, ` `).
    public var groupingSeparator: UInt8?
    /// Whether `1.5e-3` forms are accepted.
    public var allowsExponent: Bool
    /// Whether `(12.00)` means `-12.00`.
    public var allowsParentheses: Bool
    /// Whether a leading currency symbol (`$`, `€`, `£`, `¥`, `₿`) is skipped.
    public var allowsCurrencySymbol: Bool
    /// Whether an empty cell is zero instead of an error.
    public var emptyMeansZero: Bool

    /// Creates a syntax; the defaults are the strict standard syntax.
    public init(
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
    public static let standard = AmountSyntax()
}

/// Why a piece of text is not an amount.
public enum AmountParseFailure: Sendable, Equatable {
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

    /// The reason in words, with what to do where there is something to do.
    public var reason: String {
        switch self {
        case .empty: "empty amount (set `empty_is_zero: true` if an empty cell means zero)"
        case .noDigits: "no digits"
        case .unexpectedCharacter(let character): "unexpected character '\(character)'"
        case .unexpectedComma:
            "unexpected ',' (set `decimal_separator: \",\"` or `thousands_separator: \",\"` if the source writes them)"
        case .notANumber: "not a number"
        case .tooManyDigits: "more than 38 significant digits"
        case .exponentOutOfRange: "exponent out of range"
        case .misplacedGroupingSeparator: "misplaced thousands separator"
        }
    }
}

/// A piece of text that is not an amount: the text (shortened for display) and why.
public struct AmountParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The offending text, shortened to 40 characters and with control bytes escaped.
    public let text: String
    /// What is wrong with it.
    public let failure: AmountParseFailure

    /// `invalid amount '1,5': unexpected ','…`.
    public var description: String { "invalid amount '\(text)': \(failure.reason)" }
}
