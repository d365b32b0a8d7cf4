#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Paths of a dated job: `{as_of}` is the business day (`2026-11-24`), `{as_of:FORMAT}` the day in strftime fields
/// (`%Y %m %d %y %j`, `%%`), and a path with `*`, `?` or `[` is a glob expanded in sorted order.
package enum PathTemplate {
    /// `text` with every `{as_of…}` replaced; an unknown placeholder or field is an error naming it.
    package static func expand(_ text: String, asOf: String) throws(CutoffError) -> String {
        guard text.contains("{") || text.contains("}") else { return text }
        guard let day = CalendarDay(asOf) else { throw CutoffError("the as-of day '\(asOf)' is not a date") }
        var result = ""
        var rest = Substring(text)
        while let open = rest.firstIndex(of: "{") {
            result += rest[..<open]
            guard let close = rest[open...].firstIndex(of: "}") else {
                throw CutoffError("'{' without '}' in '\(text)'")
            }
            let placeholder = rest[rest.index(after: open)..<close]
            if placeholder == "as_of" {
                result += asOf
            } else if placeholder.hasPrefix("as_of:") {
                let pattern = String(placeholder.dropFirst("as_of:".count))
                guard !pattern.isEmpty else { throw CutoffError("{as_of:} names no format in '\(text)'") }
                result += try format(day, pattern, in: text)
            } else {
                throw CutoffError("unknown placeholder {\(placeholder)} in '\(text)' (known: {as_of}, {as_of:FORMAT})")
            }
            rest = rest[rest.index(after: close)...]
        }
        guard !rest.contains("}") else { throw CutoffError("'}' without '{' in '\(text)'") }
        return result + rest
    }

    /// The day in strftime fields.
    static func format(_ day: CalendarDay, _ pattern: String, in text: String) throws(CutoffError) -> String {
        func padded(_ value: Int, _ width: Int) -> String {
            let digits = String(value)
            return String(repeating: "0", count: max(0, width - digits.count)) + digits
        }
        var output = ""
        var characters = pattern.makeIterator()
        while let character = characters.next() {
            guard character == "%" else {
                output.append(character)
                continue
            }
            switch characters.next() {
            case "Y": output += padded(day.year, 4)
            case "y": output += padded(day.year % 100, 2)
            case "m": output += padded(day.month, 2)
            case "d": output += padded(day.day, 2)
            case "j":
                let first = Timestamp.daysFromCivil(year: day.year, month: 1, day: 1)
                let ordinal = Timestamp.daysFromCivil(year: day.year, month: day.month, day: day.day) - first + 1
                output += padded(Int(ordinal), 3)
            case "%": output += "%"
            case let other:
                throw CutoffError(
                    "unknown field %\(other.map(String.init) ?? "") in '\(text)' (known: %Y %y %m %d %j %%)")
            }
        }
        return output
    }

    /// Whether a path is a glob pattern.
    package static func isGlob(_ path: String) -> Bool {
        path.contains { $0 == "*" || $0 == "?" || $0 == "[" }
    }

    /// The files matching an absolute glob pattern, sorted by path; directories are not inputs and are left out.
    package static func matches(_ pattern: String) -> [String] {
        var result = glob_t()
        defer { globfree(&result) }
        // GLOB_MARK ends every directory with '/', so they can be told apart without another look at the disk.
        guard glob(pattern, GLOB_MARK, nil, &result) == 0 else { return [] }
        var paths: [String] = []
        for index in 0..<Int(result.gl_pathc) {
            guard let pointer = result.gl_pathv[index] else { continue }
            let path = String(cString: pointer)
            if !path.hasSuffix("/") { paths.append(path) }
        }
        return paths.sorted()
    }
}
