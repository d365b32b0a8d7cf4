/// A parsed JSON value with the line and column where it starts, numbers kept as their exact text.
///
/// Statement readers work on these: a bad amount in a JSON statement is reported at its own line and column, and a
/// CCXT float such as `9.05e-06` is read from the digits the file holds, never through `Double`.
package struct JSONElement: Sendable {
    /// The value.
    package enum Kind: Sendable {
        /// `null`.
        case null
        /// `true` / `false`.
        case bool(Bool)
        /// A number, as written.
        case number(String)
        /// A string.
        case string(String)
        /// An array.
        case array([JSONElement])
        /// An object's members in file order (keys are unique: the parser rejects duplicates).
        case object([(key: String, value: JSONElement)])
    }

    /// The value.
    package let kind: Kind
    /// The 1-based line where the value starts.
    package let line: Int
    /// The 1-based column (in bytes) where the value starts.
    package let column: Int

    /// The member named `key`, when this is an object that has it.
    package subscript(key: String) -> JSONElement? {
        guard case .object(let members) = kind else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// The value at a dotted path (`available_balance.value`), when every step exists.
    package func value(at path: String) -> JSONElement? {
        var current: JSONElement? = self
        for step in path.split(separator: ".") {
            current = current?[String(step)]
        }
        return current
    }

    /// The members of an object (empty otherwise).
    package var members: [(key: String, value: JSONElement)] {
        if case .object(let members) = kind { return members }
        return []
    }

    /// The elements of an array (empty otherwise).
    package var elements: [JSONElement] {
        if case .array(let elements) = kind { return elements }
        return []
    }

    /// Whether the value is `null`.
    package var isNull: Bool {
        if case .null = kind { return true }
        return false
    }

    /// A string's text, or a number's text.
    package var text: String? {
        switch kind {
        case .string(let text), .number(let text): text
        default: nil
        }
    }

    /// What kind of value this is, in words, for messages.
    package var kindName: String {
        switch kind {
        case .null: "null"
        case .bool: "a boolean"
        case .number: "a number"
        case .string: "a string"
        case .array: "an array"
        case .object: "an object"
        }
    }

    /// Where the value is in `file`.
    package func location(in file: String) -> SourceLocation {
        SourceLocation(file: file, line: line, column: column)
    }
}
