import Foundation
import Yams

#if canImport(FoundationEssentials)
    import FoundationEssentials
#endif

/// A known, explained break: this key's difference (statement − ledger) is expected, for this reason, as said by one
/// person and approved by another, until a day. Read from the job's `acknowledgements:` file.
public struct Acknowledgement: Sendable, Hashable {
    /// The key it explains.
    public let key: BalanceKey
    /// The difference it explains, exactly.
    public let difference: Amount
    /// How far the line's difference may be from ``difference`` and still be explained (`nil`: exactly).
    public let within: Amount?
    /// Why the difference is expected.
    public let reason: String
    /// Who acknowledged it.
    public let by: String
    /// Who approved it (four eyes: someone other than ``by``); until then it explains nothing.
    public let approvedBy: String?
    /// The last as-of day it explains, `YYYY-MM-DD`.
    public let expires: String?
    /// Where it is written (file and line of its entry).
    public let location: SourceLocation

    /// Creates an acknowledgement.
    public init(
        key: BalanceKey, difference: Amount, within: Amount? = nil, reason: String, by: String,
        approvedBy: String? = nil, expires: String? = nil, location: SourceLocation
    ) {
        self.key = key
        self.difference = difference
        self.within = within
        self.reason = reason
        self.by = by
        self.approvedBy = approvedBy
        self.expires = expires
        self.location = location
    }

    /// Why it explains nothing on `asOf` (not approved, approved by its author, expired), or `nil` when it is in force.
    public func problem(on asOf: String) -> String? {
        guard let approvedBy else { return "not approved yet (`approved_by` is missing)" }
        if Self.samePerson(approvedBy, by) {
            return "approved by its own author \(by) (four eyes: `approved_by` must be someone else)"
        }
        if let expires, asOf > expires { return "expired on \(expires)" }
        return nil
    }

    /// Whether a line's difference is the one explained: exactly, or within ``within`` of it.
    public func explains(_ lineDifference: Amount) -> Bool {
        guard let gap = try? lineDifference.subtracting(difference) else { return false }
        return gap.magnitude <= (within ?? .zero)
    }

    /// Names compared as people read them: without case, and after Unicode compatibility normalization (NFKC), so
    /// `Alice` cannot approve `alice`, nor `ａｌｉｃｅ` (fullwidth) approve `alice`. Invisible and control characters
    /// never get this far: ``Acknowledgements/nameProblem(_:)`` refuses them in a name.
    static func samePerson(_ lhs: String, _ rhs: String) -> Bool {
        skeleton(lhs) == skeleton(rhs)
    }

    /// A name as compared: compatibility-normalized (NFKC: fullwidth and other presentation forms become plain),
    /// case-folded (`ß` is `ss`, `ς` is `σ`), the Cyrillic and Greek letters that look like Latin ones mapped to them
    /// (`а` is `a`), runs of spaces made one.
    static func skeleton(_ name: String) -> String {
        let folded = name.precomposedStringWithCompatibilityMapping.folding(options: [.caseInsensitive], locale: nil)
        var result = ""
        for scalar in folded.unicodeScalars {
            result.unicodeScalars.append(lookalikes[scalar] ?? scalar)
        }
        return result.split(separator: " ").joined(separator: " ")
    }

    /// Lowercase Cyrillic and Greek letters drawn like Latin ones (after case folding).
    static let lookalikes: [Unicode.Scalar: Unicode.Scalar] = [
        "а": "a", "е": "e", "ё": "e", "і": "i", "ї": "i", "ј": "j", "ӏ": "l", "о": "o", "р": "p", "с": "c", "ѕ": "s",
        "у": "y", "х": "x", "һ": "h", "ԁ": "d", "ԛ": "q", "ԝ": "w", "к": "k", "α": "a", "ο": "o", "ρ": "p", "ν": "v",
        "ι": "i", "κ": "k", "τ": "t", "υ": "u", "χ": "x", "ε": "e", "γ": "y",
    ]

    /// What the entry says, as one line (for `recon ack approve` to show what is approved).
    public var summary: String {
        var text = "\(key) difference \(difference)"
        if let within { text += " within \(within)" }
        text += " by \(by): \(reason)"
        if let expires { text += " (expires \(expires))" }
        return text
    }

    /// The acknowledgement as report JSON.
    package var jsonValue: JSONValue {
        .object([
            "difference": .amount(difference), "within": .amount(within), "reason": .string(reason), "by": .string(by),
            "approved_by": .string(approvedBy), "expires": .string(expires), "location": .string(location.description),
        ])
    }
}

/// The acknowledgements of a job and what they do to a run's lines.
public enum Acknowledgements {
    /// The largest acknowledgements file read (a hand-kept YAML list; this is thousands of entries).
    static let maxFileBytes = 16 << 20

    /// Why `name` cannot name a person who acknowledges or approves, or `nil`: control characters, line breaks,
    /// invisible format characters (zero-width space, soft hyphen, bidi marks) and spaces other than U+0020 would let
    /// `alice` and `alice\u{200B}` pass for two people.
    static func nameProblem(_ name: String) -> String? {
        var scripts: Set<String> = []
        for scalar in name.unicodeScalars {
            switch scalar.properties.generalCategory {
            case .control, .format, .lineSeparator, .paragraphSeparator, .surrogate, .privateUse, .unassigned:
                return "a name may hold no control, invisible or line-break characters (found \(hex(scalar)))"
            case .spaceSeparator where scalar != " ":
                return "a name may hold no spaces other than U+0020 (found \(hex(scalar)))"
            default:
                // Variation selectors, fillers, combining grapheme joiners: drawn as nothing.
                if scalar.properties.isDefaultIgnorableCodePoint || scalar.value == 0x2800 {
                    return "a name may hold no control, invisible or line-break characters (found \(hex(scalar)))"
                }
                if let script = script(of: scalar) { scripts.insert(script) }
            }
        }
        if scripts.count > 1 {
            return "a name may not mix the \(scripts.sorted().joined(separator: " and ")) alphabets (a letter of one "
                + "can pass for a letter of another)"
        }
        return nil
    }

    /// The alphabet of a letter among those whose letters look alike (Latin, Greek, Cyrillic), or `nil`.
    private static func script(of scalar: Unicode.Scalar) -> String? {
        guard scalar.properties.isAlphabetic else { return nil }
        switch scalar.value {
        case 0x41...0x5A, 0x61...0x7A, 0xC0...0x24F, 0x1E00...0x1EFF, 0xFF21...0xFF3A, 0xFF41...0xFF5A: return "Latin"
        case 0x370...0x3FF, 0x1F00...0x1FFF: return "Greek"
        case 0x400...0x52F: return "Cyrillic"
        default: return nil
        }
    }

    private static func hex(_ scalar: Unicode.Scalar) -> String {
        let digits = String(scalar.value, radix: 16, uppercase: true)
        return "U+" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits
    }

    /// Parses an acknowledgements file: a YAML list (an empty file is an empty list; a leading byte-order mark is
    /// skipped). A malformed entry is an error naming its line and key path: half a file of acknowledgements is not
    /// applied.
    public static func parse(_ text: String, file: String) throws(ReconciliationError) -> [Acknowledgement] {
        let text = text.hasPrefix("\u{FEFF}") ? String(text.dropFirst()) : text
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch let error as YamlError {
            throw ReconciliationError(
                .ingest, "not valid YAML: \(JobSpec.yamlProblem(error))", at: JobSpec.yamlLocation(error, file: file))
        } catch {
            throw ReconciliationError(.ingest, "not valid YAML: \(error)", at: SourceLocation(file: file))
        }
        guard let root else { return [] }
        if case .scalar(let scalar) = root, ["", "~", "null"].contains(scalar.string) { return [] }
        let document = JobFileNode(node: root, path: "", file: file)
        return try document.sequence().map { item throws(ReconciliationError) in try parseItem(item, file: file) }
    }

    private static func parseItem(_ item: JobFileNode, file: String) throws(ReconciliationError) -> Acknowledgement {
        let fields = try item.mapping(known: ["key", "difference", "within", "reason", "by", "approved_by", "expires"])
        func required(_ name: String) throws(ReconciliationError) -> JobFileNode {
            guard let node = fields[name] else { throw item.error("missing required key `\(name)`") }
            return node
        }
        func optionalText(_ name: String) throws(ReconciliationError) -> String? {
            guard let node = fields[name] else { return nil }
            let text = try node.string().trimmingSpaces
            return text.isEmpty || text == "~" || text == "null" ? nil : text
        }
        func person(_ name: String) throws(ReconciliationError) -> String? {
            guard let text = name == "by" ? try required("by").nonEmptyString().trimmingSpaces : try optionalText(name)
            else { return nil }
            if let problem = nameProblem(text) { throw (fields[name] ?? item).error(problem) }
            return text
        }
        let keyNode = try required("key")
        let parts = try keyNode.mapping(known: ["venue", "account", "asset"])
        func part(_ name: String) throws(ReconciliationError) -> String {
            guard let node = parts[name] else { throw keyNode.error("missing required key `\(name)`") }
            return try node.nonEmptyString().trimmingSpaces
        }
        let key = BalanceKey(
            venue: try part("venue").lowercased(), account: try part("account"), asset: try part("asset").uppercased())
        let expires = try optionalText("expires")
        if let expires, !isCalendarDate(expires) {
            throw (fields["expires"] ?? item).error("expected a date YYYY-MM-DD, got '\(expires)'")
        }
        let mark = item.node.mark
        return Acknowledgement(
            key: key, difference: try required("difference").amount(),
            within: try optionalText("within").map { text throws(ReconciliationError) in
                guard let value = Amount(text), !value.isNegative else {
                    throw (fields["within"] ?? item).error("expected a non-negative decimal, got '\(text)'")
                }
                return value
            },
            reason: try required("reason").nonEmptyString().trimmingWhitespace, by: try person("by") ?? "",
            approvedBy: try person("approved_by"),
            expires: expires, location: SourceLocation(file: file, line: mark?.line ?? 0, column: mark?.column ?? 0))
    }

    /// Applies acknowledgements to a run's lines: a break whose difference an acknowledgement in force explains
    /// becomes `acknowledged` (the first such entry in the file); a break no entry explains stays a break, with a note
    /// for each entry of its key saying why not (its difference changed, it is not approved, it expired). What
    /// explains nothing — and an entry for an unknown key or a key that now reconciles ("no longer needed") — is
    /// returned as a diagnostic at the entry's line.
    public static func apply(
        _ acknowledgements: [Acknowledgement], to result: ReconciliationResult, asOf: String
    ) -> (ReconciliationResult, [Diagnostic]) {
        guard !acknowledgements.isEmpty else { return (result, []) }
        var lines = result.lines
        let positions = Dictionary(lines.enumerated().map { ($1.key, $0) }, uniquingKeysWith: { first, _ in first })
        var diagnostics: [Diagnostic] = []
        var entriesByKey: [BalanceKey: [Acknowledgement]] = [:]
        var keyOrder: [BalanceKey] = []
        for acknowledgement in acknowledgements {
            if entriesByKey[acknowledgement.key] == nil { keyOrder.append(acknowledgement.key) }
            entriesByKey[acknowledgement.key, default: []].append(acknowledgement)
        }
        for key in keyOrder {
            let entries = entriesByKey[key] ?? []
            func who(_ entry: Acknowledgement) -> String { "acknowledged \(entry.difference) by \(entry.by)" }
            func finding(_ entry: Acknowledgement, _ severity: Diagnostic.Severity, _ message: String) {
                diagnostics.append(Diagnostic(severity, "\(key): \(message)", at: entry.location))
            }
            guard let position = positions[key] else {
                for entry in entries {
                    finding(entry, .warning, "unknown key: this run has no line for it (\(who(entry)))")
                }
                continue
            }
            let line = lines[position]
            switch line.classification {
            case .matched, .withinTolerance:
                for entry in entries {
                    finding(
                        entry, .note,
                        "no longer needed: the key now reconciles (\(line.classification.rawValue); \(who(entry)))")
                }
                continue
            case .unreconciled:
                for entry in entries {
                    finding(entry, .note, "not checked: the key is unreconciled in this run (\(who(entry)))")
                }
                continue
            case .conflict:
                for entry in entries {
                    finding(
                        entry, .warning,
                        "a conflict cannot be acknowledged: it has no single difference (\(who(entry)))")
                }
                continue
            case .mismatch, .missingInStatement, .missingInLedger, .acknowledged:
                break
            }
            let now = line.difference?.description ?? "no difference"
            let explaining = entries.firstIndex { entry in
                entry.problem(on: asOf) == nil && line.difference.map(entry.explains) == true
            }
            var updated = line
            for (index, entry) in entries.enumerated() where index != explaining {
                if let problem = entry.problem(on: asOf) {
                    finding(entry, .warning, "\(problem); it explains nothing (\(who(entry)))")
                    if explaining == nil { updated.notes.append("\(who(entry)) is not in force: \(problem)") }
                } else if let explaining {
                    finding(
                        entry, .note,
                        "\(who(entry)) is superseded: the entry at line \(entries[explaining].location.line) explains "
                            + "the difference \(now)")
                } else {
                    finding(entry, .warning, "\(who(entry)), now \(now): the difference changed, so it stays a break")
                    updated.notes.append("\(who(entry)), now \(now)")
                }
            }
            if let explaining {
                updated.classification = .acknowledged
                updated.acknowledgement = entries[explaining]
            }
            lines[position] = updated
        }
        return (ReconciliationResult(sortedLines: lines), diagnostics)
    }
}
