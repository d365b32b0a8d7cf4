/// A strict, streaming JSON parser over a ``ByteSource`` (RFC 8259: no comments, no trailing commas, UTF-8 checked).
///
/// It hands out records one at a time: the values at a record path (`accounts[*]`, `data.balances[*]`,
/// `total.*`) are built as ``JSONElement`` trees while everything else streams past, so memory stays bounded by the
/// largest record, not the file. Written by hand because Foundation's `JSONDecoder` turns numbers into `Double`
/// (CCXT's `91281897308368.59` must stay exact) and reports no line numbers.
package struct JSONStreamParser: ~Copyable {
    /// One step of a record path.
    package enum PathStep: Sendable, Hashable, CustomStringConvertible {
        /// An object member by name.
        case key(String)
        /// Every element of an array (`[*]`).
        case anyElement
        /// Every member of an object (`*`); the member's name is the record's key.
        case anyMember

        package var description: String {
            switch self {
            case .key(let name): name
            case .anyElement: "[*]"
            case .anyMember: "*"
            }
        }
    }

    /// A record found at the path.
    package struct Record {
        /// The record.
        package let element: JSONElement
        /// Its key path in the document (`accounts[3]`, `total.BTC`).
        package let keyPath: String
        /// The member name when the last step was `*`.
        package let memberKey: String?
    }

    /// Parses `accounts[*]`, `data.balances[*]`, `[*]`, `total.*` or `` (the root values) into steps.
    package static func path(_ text: String) -> [PathStep]? {
        var steps: [PathStep] = []
        var rest = Substring(text.hasPrefix("$") ? String(text.dropFirst()) : text)
        if rest.hasPrefix(".") { rest = rest.dropFirst() }
        while !rest.isEmpty {
            if rest.hasPrefix("[*]") {
                steps.append(.anyElement)
                rest = rest.dropFirst(3)
            } else if rest.hasPrefix("*") {
                steps.append(.anyMember)
                rest = rest.dropFirst()
            } else {
                let end = rest.firstIndex { $0 == "." || $0 == "[" } ?? rest.endIndex
                guard end > rest.startIndex else { return nil }
                steps.append(.key(String(rest[..<end])))
                rest = rest[end...]
            }
            if rest.hasPrefix(".") {
                rest = rest.dropFirst()
                if rest.isEmpty { return nil }
            } else if !rest.isEmpty && !rest.hasPrefix("[") {
                return nil
            }
        }
        return steps
    }

    private let source: any ByteSource
    private let displayPath: String
    private let maxValueBytes: Int
    private let maxDepth: Int
    private var buffer: UnsafeMutableRawBufferPointer
    private var position = 0
    private var end = 0
    private var ended = false
    private var line = 1
    private var lineStart = 0  // buffer offset of the current line's first byte (may be negative after a shift)
    private var depth = 0
    private var scratch: [UInt8] = []

    /// Creates a parser; `maxValueBytes` caps a string or number, `maxDepth` the nesting.
    package init(source: any ByteSource, displayPath: String, maxValueBytes: Int = 4 << 20, maxDepth: Int = 256) {
        self.source = source
        self.displayPath = displayPath
        self.maxValueBytes = maxValueBytes
        self.maxDepth = maxDepth
        buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
    }

    deinit {
        buffer.deallocate()
    }

    // MARK: Errors

    private var column: Int { position - lineStart + 1 }

    private func error(_ message: String, line: Int? = nil, column: Int? = nil) -> ReconciliationError {
        ReconciliationError(
            .ingest, "invalid JSON: \(message)",
            at: SourceLocation(file: displayPath, line: line ?? self.line, column: column ?? self.column))
    }

    private func describe(_ byte: UInt8?) -> String {
        guard let byte else { return "the end of the file" }
        if byte >= 0x20 && byte < 0x7F { return "'\(Character(UnicodeScalar(byte)))'" }
        return "byte 0x\(String(byte, radix: 16, uppercase: true))"
    }

    // MARK: Bytes

    /// Makes at least `count` bytes available at `position` unless the input ends; returns whether it could.
    private mutating func ensure(_ count: Int) throws(ReconciliationError) -> Bool {
        if end - position >= count { return true }
        if ended { return false }
        // Shift the unread tail to the front, growing for long values.
        let keep = end - position
        if position > 0, let base = buffer.baseAddress {
            if keep > 0 { base.copyMemory(from: base + position, byteCount: keep) }
            lineStart -= position
            position = 0
            end = keep
        }
        while end - position < count && !ended {
            if end == buffer.count {
                let grown = UnsafeMutableRawBufferPointer.allocate(byteCount: buffer.count * 2, alignment: 16)
                grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<end]))
                buffer.deallocate()
                buffer = grown
            }
            let read = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: buffer[end...]))
            if read == 0 { ended = true }
            end += read
        }
        return end - position >= count
    }

    private mutating func peek() throws(ReconciliationError) -> UInt8? {
        try ensure(1) ? buffer[position] : nil
    }

    private mutating func skipWhitespace() throws(ReconciliationError) {
        while true {
            if position == end {
                guard try ensure(1) else { return }
            }
            let byte = buffer[position]
            switch byte {
            case 0x20, 0x09, 0x0D:
                position += 1
            case 0x0A:
                position += 1
                line += 1
                lineStart = position
            default:
                return
            }
        }
    }

    private mutating func expect(_ literal: String) throws(ReconciliationError) {
        let bytes = Array(literal.utf8)
        let startColumn = column
        guard try ensure(bytes.count) else { throw error("unexpected end of the file in '\(literal)'") }
        for (offset, byte) in bytes.enumerated() where buffer[position + offset] != byte {
            throw error("unexpected \(describe(buffer[position])); expected a value", column: startColumn)
        }
        position += bytes.count
    }

    // MARK: Values

    /// Skips a BOM at the very start, if any.
    private mutating func skipByteOrderMark() throws(ReconciliationError) {
        if try ensure(3), buffer[0] == 0xEF, buffer[1] == 0xBB, buffer[2] == 0xBF, position == 0 {
            position = 3
            lineStart = 3
        }
    }

    /// Calls `body` with every value at `path` in every top-level value of the stream (a JSON document, or JSON
    /// Lines). Values off the path are checked for well-formedness and skipped without being built.
    package mutating func forEachRecord(
        at path: [PathStep], _ body: (Record) throws(ReconciliationError) -> Void
    ) throws(ReconciliationError) {
        try skipByteOrderMark()
        try skipWhitespace()
        guard try peek() != nil else { throw error("the file is empty") }
        var documents = 0
        while try peek() != nil {
            try walk(path: path[...], keyPath: documents == 0 ? "" : "[\(documents)]", memberKey: nil, body)
            documents += 1
            try skipWhitespace()
        }
    }

    /// The single top-level value (anything after it is an error).
    package mutating func document() throws(ReconciliationError) -> JSONElement {
        try skipByteOrderMark()
        try skipWhitespace()
        guard try peek() != nil else { throw error("the file is empty") }
        let value = try parseValue()
        try skipWhitespace()
        if let next = try peek() { throw error("unexpected \(describe(next)) after the end of the document") }
        return value
    }

    private mutating func walk(
        path: ArraySlice<PathStep>, keyPath: String, memberKey: String?,
        _ body: (Record) throws(ReconciliationError) -> Void
    ) throws(ReconciliationError) {
        guard let step = path.first else {
            try body(Record(element: try parseValue(), keyPath: keyPath, memberKey: memberKey))
            return
        }
        let next = path.dropFirst()
        switch (step, try peek()) {
        case (.anyElement, UInt8(ascii: "[")):
            try enterContainer()
            var index = 0
            try skipWhitespace()
            if try peek() == UInt8(ascii: "]") {
                position += 1
                depth -= 1
                return
            }
            while true {
                try walk(path: next, keyPath: "\(keyPath)[\(index)]", memberKey: nil, body)
                index += 1
                guard try separator(close: UInt8(ascii: "]"), what: "array element") else { break }
            }
            depth -= 1
        case (.key, UInt8(ascii: "{")), (.anyMember, UInt8(ascii: "{")):
            try enterContainer()
            try skipWhitespace()
            if try peek() == UInt8(ascii: "}") {
                position += 1
                depth -= 1
                return
            }
            var seen: Set<String> = []
            while true {
                let (key, keyLine, keyColumn) = try parseKey()
                guard seen.insert(key).inserted else {
                    throw error("duplicate key \"\(key)\"", line: keyLine, column: keyColumn)
                }
                let childPath = keyPath.isEmpty ? key : keyPath + "." + key
                switch step {
                case .key(let wanted) where wanted == key:
                    try walk(path: next, keyPath: childPath, memberKey: memberKey, body)
                case .anyMember:
                    try walk(path: next, keyPath: childPath, memberKey: key, body)
                default:
                    try skipValue()
                }
                guard try separator(close: UInt8(ascii: "}"), what: "object member") else { break }
            }
            depth -= 1
        default:
            // Not the shape the path expects here: nothing to visit.
            try skipValue()
        }
    }

    private mutating func enterContainer() throws(ReconciliationError) {
        depth += 1
        if depth > maxDepth { throw error("nested deeper than \(maxDepth) levels") }
        position += 1
    }

    /// After a member or element: `true` when a `,` follows, `false` at the closing bracket.
    private mutating func separator(close: UInt8, what: String) throws(ReconciliationError) -> Bool {
        try skipWhitespace()
        let next = try peek()
        if next == UInt8(ascii: ",") {
            position += 1
            try skipWhitespace()
            if try peek() == close { throw error("trailing comma before '\(Character(UnicodeScalar(close)))'") }
            return true
        }
        if next == close {
            position += 1
            return false
        }
        throw error("expected ',' or '\(Character(UnicodeScalar(close)))' after an \(what), found \(describe(next))")
    }

    private mutating func parseKey() throws(ReconciliationError) -> (String, Int, Int) {
        try skipWhitespace()
        let keyLine = line
        let keyColumn = column
        guard try peek() == UInt8(ascii: "\"") else {
            throw error("expected a member name in double quotes, found \(describe(try peek()))")
        }
        let key = try parseString()
        try skipWhitespace()
        guard try peek() == UInt8(ascii: ":") else {
            throw error("expected ':' after a member name, found \(describe(try peek()))")
        }
        position += 1
        try skipWhitespace()
        return (key, keyLine, keyColumn)
    }

    private mutating func skipValue() throws(ReconciliationError) {
        // Built and dropped: simpler than a second grammar, and skipped parts of statements are small.
        _ = try parseValue()
    }

    private mutating func parseValue() throws(ReconciliationError) -> JSONElement {
        try skipWhitespace()
        let startLine = line
        let startColumn = column
        guard let byte = try peek() else { throw error("unexpected end of the file; expected a value") }
        let kind: JSONElement.Kind
        switch byte {
        case UInt8(ascii: "{"):
            try enterContainer()
            var members: [(key: String, value: JSONElement)] = []
            var seen: Set<String> = []
            try skipWhitespace()
            if try peek() == UInt8(ascii: "}") {
                position += 1
            } else {
                while true {
                    let (key, keyLine, keyColumn) = try parseKey()
                    guard seen.insert(key).inserted else {
                        throw error("duplicate key \"\(key)\"", line: keyLine, column: keyColumn)
                    }
                    members.append((key, try parseValue()))
                    guard try separator(close: UInt8(ascii: "}"), what: "object member") else { break }
                }
            }
            depth -= 1
            kind = .object(members)
        case UInt8(ascii: "["):
            try enterContainer()
            var elements: [JSONElement] = []
            try skipWhitespace()
            if try peek() == UInt8(ascii: "]") {
                position += 1
            } else {
                while true {
                    elements.append(try parseValue())
                    guard try separator(close: UInt8(ascii: "]"), what: "array element") else { break }
                }
            }
            depth -= 1
            kind = .array(elements)
        case UInt8(ascii: "\""):
            kind = .string(try parseString())
        case UInt8(ascii: "t"):
            try expect("true")
            kind = .bool(true)
        case UInt8(ascii: "f"):
            try expect("false")
            kind = .bool(false)
        case UInt8(ascii: "n"):
            try expect("null")
            kind = .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            kind = .number(try parseNumber())
        default:
            if byte == UInt8(ascii: "N") || byte == UInt8(ascii: "I") {
                throw error("NaN and Infinity are not JSON numbers")
            }
            throw error("unexpected \(describe(byte)); expected a value")
        }
        return JSONElement(kind: kind, line: startLine, column: startColumn)
    }

    private mutating func parseNumber() throws(ReconciliationError) -> String {
        let startColumn = column
        scratch.removeAll(keepingCapacity: true)
        // Grammar: -? (0 | [1-9][0-9]*) (. [0-9]+)? ([eE] [+-]? [0-9]+)?
        func digit(_ byte: UInt8?) -> Bool { byte.map { $0 >= 0x30 && $0 <= 0x39 } ?? false }
        func take() throws(ReconciliationError) {
            scratch.append(buffer[position])
            position += 1
            if scratch.count > 400 { throw error("number longer than 400 characters", column: startColumn) }
        }
        if try peek() == UInt8(ascii: "-") { try take() }
        guard digit(try peek()) else { throw error("a number needs digits", column: startColumn) }
        if try peek() == UInt8(ascii: "0") {
            try take()
            if digit(try peek()) { throw error("numbers must not have leading zeros", column: startColumn) }
        } else {
            while digit(try peek()) { try take() }
        }
        if try peek() == UInt8(ascii: ".") {
            try take()
            guard digit(try peek()) else { throw error("a number needs digits after '.'", column: startColumn) }
            while digit(try peek()) { try take() }
        }
        if let byte = try peek(), byte | 0x20 == UInt8(ascii: "e") {
            try take()
            if let sign = try peek(), sign == UInt8(ascii: "+") || sign == UInt8(ascii: "-") { try take() }
            guard digit(try peek()) else { throw error("a number needs digits in its exponent", column: startColumn) }
            while digit(try peek()) { try take() }
        }
        return String(decoding: scratch, as: UTF8.self)
    }

    private mutating func parseString() throws(ReconciliationError) -> String {
        let startColumn = column
        position += 1  // opening quote
        scratch.removeAll(keepingCapacity: true)
        while true {
            guard try ensure(1) else { throw error("unterminated string", column: startColumn) }
            let byte = buffer[position]
            if byte == UInt8(ascii: "\"") {
                position += 1
                break
            }
            if byte < 0x20 {
                throw error("control character \(describe(byte)) in a string (escape it)")
            }
            if byte == UInt8(ascii: "\\") {
                guard try ensure(2) else { throw error("unterminated string", column: startColumn) }
                let escape = buffer[position + 1]
                position += 2
                switch escape {
                case UInt8(ascii: "\""): scratch.append(0x22)
                case UInt8(ascii: "\\"): scratch.append(0x5C)
                case UInt8(ascii: "/"): scratch.append(0x2F)
                case UInt8(ascii: "b"): scratch.append(0x08)
                case UInt8(ascii: "f"): scratch.append(0x0C)
                case UInt8(ascii: "n"): scratch.append(0x0A)
                case UInt8(ascii: "r"): scratch.append(0x0D)
                case UInt8(ascii: "t"): scratch.append(0x09)
                case UInt8(ascii: "u"):
                    var scalar = try hex4()
                    if (0xD800...0xDBFF).contains(scalar) {
                        guard try ensure(2), buffer[position] == UInt8(ascii: "\\"),
                            buffer[position + 1] == UInt8(ascii: "u")
                        else { throw error("unpaired surrogate in a \\u escape") }
                        position += 2
                        let low = try hex4()
                        guard (0xDC00...0xDFFF).contains(low) else { throw error("unpaired surrogate in a \\u escape") }
                        scalar = 0x10000 + ((scalar - 0xD800) << 10) + (low - 0xDC00)
                    } else if (0xDC00...0xDFFF).contains(scalar) {
                        throw error("unpaired surrogate in a \\u escape")
                    }
                    guard let unicode = UnicodeScalar(scalar) else { throw error("invalid \\u escape") }
                    scratch.append(contentsOf: Array(String(Character(unicode)).utf8))
                default:
                    throw error("invalid escape '\\\(Character(UnicodeScalar(escape)))'")
                }
            } else {
                scratch.append(byte)
                position += 1
            }
            if scratch.count > maxValueBytes {
                throw error(
                    "string longer than \(maxValueBytes) bytes (limit `limits.max_line_bytes`)", column: startColumn)
            }
        }
        guard let text = String(validating: scratch, as: UTF8.self) else {
            throw error("invalid UTF-8 in a string", column: startColumn)
        }
        return text
    }

    private mutating func hex4() throws(ReconciliationError) -> UInt32 {
        guard try ensure(4) else { throw error("unterminated \\u escape") }
        var value: UInt32 = 0
        for offset in 0..<4 {
            let byte = buffer[position + offset]
            let digit: UInt32
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = UInt32(byte - 0x30)
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = UInt32(byte - 0x61 + 10)
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = UInt32(byte - 0x41 + 10)
            default: throw error("invalid \\u escape")
            }
            value = value << 4 | digit
        }
        position += 4
        return value
    }
}
