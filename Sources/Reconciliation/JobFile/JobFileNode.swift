import Yams

/// A node of a job file with its key path, so every validation error names where it is:
/// ``jobs/eod.yaml:14:18: error: at `statements[2].tolerance.absolute`: expected a decimal, got 'abc'``.
struct JobFileNode {
    let node: Node
    let path: String
    let file: String

    /// An error at this node.
    func error(_ message: String) -> ReconciliationError {
        let location =
            node.mark.map { SourceLocation(file: file, line: $0.line, column: $0.column) }
            ?? SourceLocation(file: file)
        return ReconciliationError(.job, "at `\(path.isEmpty ? "(top level)" : path)`: \(message)", at: location)
    }

    private func child(_ node: Node, _ component: String) -> JobFileNode {
        let childPath = component.hasPrefix("[") || path.isEmpty ? path + component : path + "." + component
        return JobFileNode(node: node, path: childPath, file: file)
    }

    /// What kind of YAML value this is, in words.
    private var kindName: String {
        switch node {
        case .scalar(let scalar): scalar.string.isEmpty ? "an empty value" : "'\(scalar.string)'"
        case .mapping: "a mapping"
        case .sequence: "a list"
        case .alias: "an alias"
        }
    }

    /// The mapping's entries by key, rejecting keys outside `known` by name (with a suggestion when one is close).
    func mapping(known: [String]) throws(ReconciliationError) -> [String: JobFileNode] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping, got \(kindName)") }
        var result: [String: JobFileNode] = [:]
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw JobFileNode(node: keyNode, path: path, file: file).error("keys must be plain names")
            }
            let key = scalar.string
            guard known.contains(key) else {
                let suggestion =
                    known.min { editDistance($0, key) < editDistance($1, key) }
                    .flatMap { editDistance($0, key) <= 2 ? " (did you mean `\($0)`?)" : nil } ?? ""
                throw JobFileNode(node: keyNode, path: path, file: file).error(
                    "unknown key `\(key)`\(suggestion); known keys: \(known.joined(separator: ", "))")
            }
            result[key] = child(value, key)
        }
        return result
    }

    /// A mapping whose keys are free (asset codes, account ids) and whose values are nodes.
    func freeMapping() throws(ReconciliationError) -> [(key: String, value: JobFileNode)] {
        guard case .mapping(let mapping) = node else { throw error("expected a mapping, got \(kindName)") }
        var result: [(String, JobFileNode)] = []
        for (keyNode, value) in mapping {
            guard case .scalar(let scalar) = keyNode else {
                throw JobFileNode(node: keyNode, path: path, file: file).error("keys must be plain names")
            }
            result.append((scalar.string, child(value, scalar.string)))
        }
        return result
    }

    /// A mapping of names to names (aliases, account maps).
    func stringMap() throws(ReconciliationError) -> [String: String] {
        var result: [String: String] = [:]
        for (key, value) in try freeMapping() { result[key] = try value.string() }
        return result
    }

    /// The list's items.
    func sequence() throws(ReconciliationError) -> [JobFileNode] {
        guard case .sequence(let sequence) = node else { throw error("expected a list, got \(kindName)") }
        return sequence.enumerated().map { child($1, "[\($0)]") }
    }

    /// A scalar's text (quoted or not: YAML numbers stay exact text here).
    func string() throws(ReconciliationError) -> String {
        guard case .scalar(let scalar) = node else { throw error("expected a value, got \(kindName)") }
        return scalar.string
    }

    /// A non-empty scalar.
    func nonEmptyString() throws(ReconciliationError) -> String {
        let text = try string()
        guard !text.trimmingSpaces.isEmpty else { throw error("must not be empty") }
        return text
    }

    /// An exact decimal.
    func amount() throws(ReconciliationError) -> Amount {
        let text = try string()
        do {
            return try Amount.parse(text)
        } catch {
            throw self.error("expected a decimal, got '\(text)' (\(error.failure.reason))")
        }
    }

    /// A non-negative exact decimal.
    func nonNegativeAmount() throws(ReconciliationError) -> Amount {
        let value = try amount()
        guard !value.isNegative else { throw error("must not be negative, got '\(value)'") }
        return value
    }

    /// A whole number within `range`.
    func integer(in range: ClosedRange<Int64>) throws(ReconciliationError) -> Int64 {
        let text = try string()
        guard let value = Int64(text), range.contains(value) else {
            throw error("expected a whole number from \(range.lowerBound) to \(range.upperBound), got '\(text)'")
        }
        return value
    }

    /// `true` or `false`.
    /// A duration: `90s`, `15m`, `1h`, `2d`, or a whole number of seconds.
    func durationSeconds() throws(ReconciliationError) -> Int64 {
        let text = try nonEmptyString()
        let units: [Character: Int64] = ["s": 1, "m": 60, "h": 3600, "d": 86_400]
        var digits = Substring(text)
        var scale: Int64 = 1
        if let last = text.last, let unit = units[last] {
            digits = digits.dropLast()
            scale = unit
        }
        guard !digits.isEmpty, digits.allSatisfy(\.isASCII), let value = Int64(digits), value >= 0,
            value <= Int64.max / scale
        else {
            throw error("expected a duration such as 90s, 15m, 1h or 2d, got '\(text)'")
        }
        return value * scale
    }

    func bool() throws(ReconciliationError) -> Bool {
        switch try string().lowercased() {
        case "true", "yes", "on": return true
        case "false", "no", "off": return false
        default: throw error("expected true or false, got \(kindName)")
        }
    }

    /// One of `choices`.
    func choice(_ choices: [String]) throws(ReconciliationError) -> String {
        let text = try string()
        guard choices.contains(text) else {
            throw error("expected one of \(choices.joined(separator: ", ")), got '\(text)'")
        }
        return text
    }

    /// A single character (delimiters, separators).
    func byte() throws(ReconciliationError) -> UInt8 {
        let text = try string()
        let bytes = Array((text == "\\t" ? "\t" : text).utf8)
        guard bytes.count == 1 else { throw error("expected a single ASCII character, got '\(text)'") }
        return bytes[0]
    }
}

/// "Did you mean" for names a user typed: the closest known name, when it is close enough to be a typo.
package enum Spelling {
    /// The closest of `names` to `typed` within a few edits, or `nil`.
    package static func closest(to typed: String, among names: [String]) -> String? {
        let best = names.min { editDistance($0, typed) < editDistance($1, typed) }
        guard let best, editDistance(best, typed) <= max(2, typed.count / 3) else { return nil }
        return best
    }
}

/// Levenshtein distance, for "did you mean" suggestions on unknown keys.
func editDistance(_ lhs: String, _ rhs: String) -> Int {
    let left = Array(lhs)
    let right = Array(rhs)
    guard !left.isEmpty else { return right.count }
    guard !right.isEmpty else { return left.count }
    var previous = Array(0...right.count)
    for (i, leftCharacter) in left.enumerated() {
        var current = [i + 1] + Array(repeating: 0, count: right.count)
        for (j, rightCharacter) in right.enumerated() {
            current[j + 1] = min(
                previous[j + 1] + 1, current[j] + 1, previous[j] + (leftCharacter == rightCharacter ? 0 : 1))
        }
        previous = current
    }
    return previous[right.count]
}
