/// Text from input files made harmless for the medium it is written to — one function per medium, each tested
/// against the same hostile corpus (escape sequences, bidi overrides, line breaks, HTML, Markdown links, spreadsheet
/// formulas in their ASCII, whitespace-led and fullwidth forms). HTML escaping lives with the HTML report.
package enum Escaping {
    /// For a terminal or a log line: control characters (C0, C1, DEL), bidi controls and line or paragraph
    /// separators become `\u{…}`, so a venue name cannot move the cursor, retitle the window, reorder what is shown
    /// or start a new log line.
    package static func terminal(_ text: String) -> String {
        guard text.unicodeScalars.contains(where: isUnsafeForTerminal) else { return text }
        var result = ""
        for scalar in text.unicodeScalars {
            if isUnsafeForTerminal(scalar) {
                result += "\\u{" + String(scalar.value, radix: 16) + "}"
            } else {
                result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// Whether a scalar must not reach a terminal as is.
    static func isUnsafeForTerminal(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x00...0x1F, 0x7F...0x9F: true
        case 0x200E, 0x200F, 0x202A...0x202E, 0x2066...0x2069, 0x061C: true  // bidi marks, embeddings, isolates
        case 0x2028, 0x2029: true  // line and paragraph separators
        default: false
        }
    }

    /// For Markdown text inside a line (a table cell, a list item, a note): what a terminal must not see is escaped
    /// the same way (so no line break can start a new block); `&`, `<` and `>` become entities (no raw HTML, no
    /// autolinks); every character that makes inline structure — emphasis, code, links and images, table cells,
    /// strikethrough, escapes — is backslash-escaped, so text stays text.
    package static func markdown(_ text: String) -> String {
        var result = ""
        for scalar in terminal(text).unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\\", "`", "*", "_", "[", "]", "|", "~":
                result += "\\"
                result.unicodeScalars.append(scalar)
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }

    /// For a CSV text cell opened in a spreadsheet: a cell a spreadsheet could read as a formula — starting with
    /// `=`, `+`, `-`, `@` (or their fullwidth forms `＝ ＋ － ＠`), or with whitespace or a control character that a
    /// spreadsheet may skip before one — gets a leading `'`; a cell holding a separator, a quote or a line break is
    /// quoted (RFC 4180).
    package static func csv(_ text: String) -> String {
        var cell = text
        if let first = cell.unicodeScalars.first, startsFormula(first) { cell = "'" + cell }
        if cell.utf8.contains(where: isQuoted) {
            cell = "\"" + cell.replacingAll("\"", with: "\"\"") + "\""
        }
        return cell
    }

    /// Appends the bytes of ``csv(_:)`` for `text`'s UTF-8 bytes (which must be valid UTF-8) without making the cell's
    /// string: report.csv writes some twenty cells a line, and through `String` each made one to three strings
    /// (a million-line report spent more time making cells than writing them). A cell that starts with a non-ASCII
    /// character or must be quoted — rare — goes through ``csv(_:)``.
    package static func appendCSV(_ text: UnsafeBufferPointer<UInt8>, to output: inout [UInt8]) {
        guard let first = text.first else { return }
        if first >= 0x80 || text.contains(where: isQuoted) {
            return output.append(contentsOf: csv(String(decoding: text, as: UTF8.self)).utf8)
        }
        if startsFormula(Unicode.Scalar(first)) { output.append(UInt8(ascii: "'")) }
        output.append(contentsOf: text)
    }

    /// Whether a cell holding `byte` is quoted: a comma, a quote, a line break. Bytes, not scalars: these are ASCII,
    /// and no byte of a multi-byte UTF-8 sequence is.
    private static func isQuoted(_ byte: UInt8) -> Bool {
        byte == 0x2C || byte == 0x22 || byte == 0x0A || byte == 0x0D
    }

    /// ``appendCSV(_:to:)`` for a string.
    package static func appendCSV(_ text: String, to output: inout [UInt8]) {
        var text = text
        text.withUTF8 { appendCSV($0, to: &output) }
    }

    static func startsFormula(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.value {
        case 0x3D, 0x2B, 0x2D, 0x40: true  // = + - @
        case 0xFF1D, 0xFF0B, 0xFF0D, 0xFF20, 0xFE62, 0xFE63, 0xFE66: true  // fullwidth and small forms
        // ASCII's whitespace is tab to carriage return and space: decided here, as the Unicode property lookup below
        // (asked for every cell of report.csv) was 1.5 % of a 1.5M-line run.
        case 0x09...0x0D, 0x20: true
        case 0x00..<0x80: isUnsafeForTerminal(scalar)
        default: scalar.properties.isWhitespace || isUnsafeForTerminal(scalar)
        }
    }
}
