import Dispatch
import Foundation

/// A JSON value whose numbers stay exact text.
///
/// Serialization is deterministic: object keys sorted by their UTF-8 bytes, no floats, no whitespace in the compact
/// form. The audit trail hashes these bytes, and replays compare them, so the same value always encodes the same way.
package enum JSONValue: Sendable, Hashable {
    /// `null`.
    case null
    /// `true` or `false`.
    case bool(Bool)
    /// A number, as its exact text.
    case number(String)
    /// A string.
    case string(String)
    /// An array.
    case array([JSONValue])
    /// An object (keys unique; written sorted).
    case object([String: JSONValue])
    /// An object given with its keys already in sorted (UTF-8) order: encodes exactly like ``object(_:)`` without
    /// building and sorting a dictionary (report lines, thousands per run).
    case members([JSONMember])
    /// An array whose elements are encoded one at a time as it is written, never held as values: the lines of a
    /// report (a million of them would be a gigabyte of trees). Indented, each element is written compact on a line of
    /// its own — one reconciliation line per text line of report.json (see ``JSONElements``).
    case elements(JSONElements)

    /// A string, or `null` for `nil`.
    package static func string(_ value: String?) -> JSONValue {
        value.map { .string($0) } ?? .null
    }

    /// An integer.
    package static func integer(_ value: some BinaryInteger) -> JSONValue {
        .number(String(value))
    }

    /// An amount as a decimal string (amounts are never JSON numbers), or `null`.
    package static func amount(_ value: Amount?) -> JSONValue {
        value.map { .string($0.description) } ?? .null
    }

    /// The member named `key` of an object.
    package subscript(key: String) -> JSONValue? {
        switch self {
        case .object(let members): members[key]
        case .members(let members): members.first { $0.key == key }?.value
        default: nil
        }
    }

    /// The text of a string value.
    package var stringValue: String? {
        if case .string(let text) = self { return text }
        return nil
    }

    /// The elements of an array value.
    package var arrayValue: [JSONValue]? {
        if case .array(let elements) = self { return elements }
        return nil
    }

    /// Whether this is `null`.
    package var isNull: Bool { self == .null }

    /// The compact encoding (one line, sorted keys).
    package func encoded() -> String {
        String(decoding: encodedBytes(), as: UTF8.self)
    }

    /// The compact encoding as UTF-8 bytes; `capacity` is a size hint (large values avoid growing the buffer).
    package func encodedBytes(capacity: Int = 256) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(capacity)
        write(to: &output, indent: false, level: 0)
        return output
    }

    /// The indented encoding (two spaces, sorted keys, a final newline).
    package func prettyEncoded() -> String {
        String(decoding: prettyEncodedBytes(), as: UTF8.self)
    }

    /// The indented encoding as UTF-8 bytes; `capacity` is a size hint.
    package func prettyEncodedBytes(capacity: Int = 256) -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(capacity)
        write(to: &output, indent: true, level: 0)
        output.append(0x0A)
        return output
    }

    /// Encodes into `sink` a chunk at a time, never holding more than about `chunk` bytes of it: a report of a
    /// million lines is some 500 MB of JSON, written to its file and hashed for the digest as it is made.
    ///
    /// An ``elements(_:)`` array of more than `block` elements (or with a tap, of any size) is encoded `block`
    /// elements at a time on every core, while one task hands the blocks encoded before to the sink in order (and
    /// another to the tap; see ``writeElements(_:to:indent:level:streaming:)``); the bytes are the same. That array is held two rounds of
    /// blocks at a time instead: 2 × cores × `block` encoded elements (for report lines, about 0.8 MB a block).
    package func write(to sink: ByteSink, pretty: Bool, chunk: Int = 1 << 20, block: Int = 2048) {
        var output: [UInt8] = []
        output.reserveCapacity(chunk + (chunk >> 2))
        write(to: &output, indent: pretty, level: 0, sink: Streaming(sink: sink, chunk: chunk, block: max(1, block)))
        if pretty { output.append(0x0A) }
        sink.drain(&output)
    }

    // Written on bytes: report.json's lines are a million encodings at high cardinality.
    // With a sink, what is written so far is handed to it between the elements of containers once it passes `chunk`.
    private func write(to output: inout [UInt8], indent: Bool, level: Int, sink: Streaming? = nil) {
        switch self {
        case .null: output.append(contentsOf: "null".utf8)
        case .bool(let value): output.append(contentsOf: (value ? "true" : "false").utf8)
        case .number(let text): output.append(contentsOf: text.utf8)
        case .string(let text): Self.writeString(text, to: &output)
        case .array(let elements):
            Self.writeContainer(elements, "[", "]", to: &output, indent: indent, level: level, sink: sink) {
                element, output in
                element.write(to: &output, indent: indent, level: level + 1, sink: sink)
            }
        case .elements(let elements):
            precondition(
                elements.tap == nil || sink != nil, "a tapped array is written to a sink (its tap is fed as it goes)")
            if let sink, elements.count > sink.block || elements.tap != nil {
                return Self.writeElements(elements, to: &output, indent: indent, level: level, streaming: sink)
            }
            Self.writeContainer(0..<elements.count, "[", "]", to: &output, indent: indent, level: level, sink: sink) {
                position, output in
                elements.encode(position, &output, false, 0)
            }
        case .members(let members):
            assert(
                zip(members, members.dropFirst()).allSatisfy { $0.key.utf8.lexicographicallyPrecedes($1.key.utf8) },
                "JSONValue.members keys must be sorted")
            Self.writeContainer(members, "{", "}", to: &output, indent: indent, level: level, sink: sink) {
                member, output in
                Self.writeMember(member.key, member.value, to: &output, indent: indent, level: level, sink: sink)
            }
        case .object(let members):
            let keys = members.keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
            Self.writeContainer(keys, "{", "}", to: &output, indent: indent, level: level, sink: sink) { key, output in
                Self.writeMember(key, members[key] ?? .null, to: &output, indent: indent, level: level, sink: sink)
            }
        }
    }

    /// Where a streamed encoding goes: the sink, the size it is handed over at, and how many elements of a large
    /// array are encoded together (``writeElements(_:to:indent:level:streaming:)``).
    private struct Streaming {
        let sink: ByteSink
        let chunk: Int
        let block: Int
    }

    /// A block of encoded elements, written by one task of a round while another task (two, with a tap) hands over the
    /// blocks of the round before.
    private final class EncodedBlock: @unchecked Sendable {
        var bytes: [UInt8] = []
        /// The same elements' canonical encoding, for the array's tap (when it has one).
        var canonical: [UInt8] = []
    }

    /// The sink, called from whichever thread runs a round's hand-over task. Never called concurrently: one task a
    /// round calls it, and the rounds follow each other (a tap's sink likewise, by a second task; its `[` and `]` are
    /// written by the calling thread before the first round and after the last).
    private struct HandOver: @unchecked Sendable {
        let sink: ByteSink
    }

    /// A large array of lazily encoded elements, as ``writeContainer(_:_:_:to:indent:level:sink:writeElement:)``
    /// writes it, but a block of elements at a time on every core: each round, one task hands the blocks of the round
    /// before to the sink, in order (writing and hashing report.json), while the others encode the next blocks. The
    /// result digest of a million lines once took 2 s of one core before the report files could start. `concurrentPerform` runs a round's tasks on the calling thread when no other is free, so a round
    /// never waits for a thread (on one core the tasks simply run in turn).
    ///
    /// With a tap (``JSONElementsTap``) a second task of each round hands the tap the blocks' compact encoding, `[` and
    /// `]` included: each element's written bytes, unless the tap encodes that element differently.
    private static func writeElements(
        _ elements: JSONElements, to output: inout [UInt8], indent: Bool, level: Int, streaming: Streaming
    ) {
        let tap = elements.tap
        tap?.write("[")
        guard elements.count > 0 else {
            // As `writeContainer` writes an empty array.
            output.append(contentsOf: "[]".utf8)
            tap?.write("]")
            return
        }
        output.append(UInt8(ascii: "["))
        streaming.sink.drain(&output)
        let count = elements.count
        let size = streaming.block
        let width = max(1, ProcessInfo.processInfo.activeProcessorCount)
        let rounds = (count + size * width - 1) / (size * width)
        let sets = [(0..<width).map { _ in EncodedBlock() }, (0..<width).map { _ in EncodedBlock() }]
        let handOver = HandOver(sink: streaming.sink)
        for round in 0...rounds {
            let encoding = round < rounds ? sets[round % 2] : []
            let encoded = round > 0 ? sets[(round - 1) % 2] : []
            // The first task hands over to the sink; with a tap, the second hands over to the tap (each hashes half a
            // gigabyte at a million lines: one after the other, they kept the encoders waiting).
            let handing = tap == nil ? 1 : 2
            DispatchQueue.concurrentPerform(iterations: encoding.count + handing) { task in
                guard task >= handing else {
                    for block in encoded where !block.bytes.isEmpty {
                        if task == 0 {
                            block.bytes.withUnsafeBytes { handOver.sink.write($0) }
                        } else {
                            block.canonical.withUnsafeBytes { tap?.sink.write($0) }
                        }
                    }
                    return
                }
                let block = encoding[task - handing]
                let first = (round * width + task - handing) * size
                // Encoded into locals taken from the block and put back: each access to the class's own arrays is
                // checked for exclusivity at run time, two an element.
                var bytes: [UInt8] = []
                var canonical: [UInt8] = []
                swap(&bytes, &block.bytes)
                swap(&canonical, &block.canonical)
                bytes.removeAll(keepingCapacity: true)
                canonical.removeAll(keepingCapacity: true)
                for position in min(first, count)..<min(first + size, count) {
                    if position > 0 { bytes.append(UInt8(ascii: ",")) }
                    newline(&bytes, indent, level + 1)
                    let start = bytes.count
                    elements.encode(position, &bytes, false, 0)
                    guard let tap else { continue }
                    if position > 0 { canonical.append(UInt8(ascii: ",")) }
                    if !tap.differing(position, &canonical) {
                        canonical.append(contentsOf: bytes[start...])
                    }
                }
                swap(&bytes, &block.bytes)
                swap(&canonical, &block.canonical)
            }
        }
        newline(&output, indent, level)
        output.append(UInt8(ascii: "]"))
        tap?.write("]")
    }

    /// `open`, the elements separated by commas (one per line when indenting), `close`; empty ones as `[]` or `{}`.
    private static func writeContainer<Elements: Collection>(
        _ elements: Elements, _ open: Unicode.Scalar, _ close: Unicode.Scalar, to output: inout [UInt8], indent: Bool,
        level: Int, sink: Streaming?, writeElement: (Elements.Element, inout [UInt8]) -> Void
    ) {
        output.append(UInt8(ascii: open))
        if elements.isEmpty {
            output.append(UInt8(ascii: close))
            return
        }
        var first = true
        for element in elements {
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            newline(&output, indent, level + 1)
            writeElement(element, &output)
            if let sink { sink.sink.drain(&output, from: sink.chunk) }
        }
        newline(&output, indent, level)
        output.append(UInt8(ascii: close))
    }

    /// `"key": value` inside an object at `level`.
    private static func writeMember(
        _ key: String, _ value: JSONValue, to output: inout [UInt8], indent: Bool, level: Int,
        sink: Streaming?
    ) {
        writeString(key, to: &output)
        output.append(UInt8(ascii: ":"))
        if indent { output.append(UInt8(ascii: " ")) }
        value.write(to: &output, indent: indent, level: level + 1, sink: sink)
    }

    /// Encodes into `sink` an object whose values are made as their members are reached, in key order: `value` is
    /// asked for a key's value just before its member is written, so a member can hold what the members before it
    /// settled as they were written (report.json's result digest, made from the lines written before it). The bytes
    /// are those of ``object(_:)`` holding the same values.
    package static func writeObject(
        keys: [String], to sink: ByteSink, pretty: Bool, chunk: Int = 1 << 20, block: Int = 2048,
        value: (String) -> JSONValue
    ) {
        var output: [UInt8] = []
        output.reserveCapacity(chunk + (chunk >> 2))
        let streaming = Streaming(sink: sink, chunk: chunk, block: max(1, block))
        let sorted = keys.sorted { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        writeContainer(sorted, "{", "}", to: &output, indent: pretty, level: 0, sink: streaming) { key, output in
            writeMember(key, value(key), to: &output, indent: pretty, level: 0, sink: streaming)
        }
        if pretty { output.append(0x0A) }
        sink.drain(&output)
    }

    /// Appends the value's encoding at nesting `level` (what a container's element or a member's value is written
    /// with), for encoders that write the enclosing object themselves.
    package func append(to output: inout [UInt8], indent: Bool, level: Int) {
        write(to: &output, indent: indent, level: level)
    }

    package static func newline(_ output: inout [UInt8], _ indent: Bool, _ level: Int) {
        guard indent else { return }
        // A newline and the indentation in one copy (a million-line report.json starts twenty lines per line).
        let width = level * 2 + 1
        if width <= indentation.count {
            output.append(contentsOf: indentation[..<width])
        } else {
            output.append(0x0A)
            output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: level * 2))
        }
    }

    private static let indentation: [UInt8] = [0x0A] + Array(repeating: UInt8(ascii: " "), count: 32)

    private static let hexDigits = Array("0123456789abcdef".utf8)

    package static func writeString(_ text: String, to output: inout [UInt8]) {
        var text = text
        let plain = text.withUTF8 { bytes in
            // Most strings need no escaping: copy them whole, a short one with its quotes in one append.
            for byte in bytes
            where byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") || byte == 0x7F {
                return false
            }
            guard bytes.count <= 62, let source = bytes.baseAddress else {
                output.append(UInt8(ascii: "\""))
                output.append(contentsOf: bytes)
                output.append(UInt8(ascii: "\""))
                return true
            }
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 64) { buffer in
                guard let target = buffer.baseAddress else { return }
                target.initialize(to: UInt8(ascii: "\""))
                (target + 1).initialize(from: source, count: bytes.count)
                (target + 1 + bytes.count).initialize(to: UInt8(ascii: "\""))
                output.append(contentsOf: UnsafeBufferPointer(start: target, count: bytes.count + 2))
            }
            return true
        }
        if plain { return }
        output.append(UInt8(ascii: "\""))
        for byte in text.utf8 {
            switch byte {
            case UInt8(ascii: "\""): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\"")])
            case UInt8(ascii: "\\"): output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "\\")])
            case 0x0A: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "n")])
            case 0x0D: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "r")])
            case 0x09: output.append(contentsOf: [UInt8(ascii: "\\"), UInt8(ascii: "t")])
            case 0..<0x20, 0x7F:
                output.append(contentsOf: "\\u00".utf8)
                output.append(hexDigits[Int(byte >> 4)])
                output.append(hexDigits[Int(byte & 0x0F)])
            default:
                output.append(byte)
            }
        }
        output.append(UInt8(ascii: "\""))
    }
}

/// The elements of a ``JSONValue/elements(_:)`` array: how many, and how to encode the one at a position (at the
/// nesting level given, indented or not) exactly as its ``JSONValue`` would be.
///
/// The indented document writes each element compact on a line of its own: a report of 1.3 million lines was 721 MB
/// indented throughout (26.8 million text lines) and 522 MB so, and 40 % of its writer's time went to the kernel's
/// copies; one element a line is also what `grep`, `diff` and `head` show whole.
package struct JSONElements: Sendable, Hashable {
    /// How many elements.
    package let count: Int
    /// Appends element `position`'s encoding.
    package let encode: @Sendable (_ position: Int, _ output: inout [UInt8], _ indent: Bool, _ level: Int) -> Void
    /// Where the array's compact encoding goes as the array is written to a sink (not part of the value).
    package var tap: JSONElementsTap?

    /// Creates the elements.
    package init(
        count: Int,
        encode:
            @escaping @Sendable (_ position: Int, _ output: inout [UInt8], _ indent: Bool, _ level: Int)
            -> Void
    ) {
        self.count = count
        self.encode = encode
    }

    /// Element `position`'s compact encoding.
    package func encoded(_ position: Int) -> [UInt8] {
        var output: [UInt8] = []
        encode(position, &output, false, 0)
        return output
    }

    // Equal when every element encodes to the same bytes (what the value means; tests compare, runs never do).
    package static func == (lhs: JSONElements, rhs: JSONElements) -> Bool {
        lhs.count == rhs.count && (0..<lhs.count).allSatisfy { lhs.encoded($0) == rhs.encoded($0) }
    }

    package func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for position in 0..<count { hasher.combine(encoded(position)) }
    }
}

/// The compact encoding of an array, made while the array is written elsewhere (indented in report.json) from the same
/// encoding of each element: report.json's lines are the result digest's, so the digest is made as report.json is
/// written instead of encoding 1.3 million lines a second time (1.8 s of CPU at 1.5M keys).
///
/// The tap receives `[`, the elements separated by commas, `]` — exactly ``JSONValue/encodedBytes(capacity:)``'s
/// bytes for the array whose element `position` encodes as `differing` writes it, or as written where `differing`
/// writes nothing and returns `false` (report lines carry their age and continuity, which the digest leaves out).
/// The sink is called by one thread at a time, in order.
package struct JSONElementsTap: @unchecked Sendable {
    /// Takes the compact encoding, in order.
    package let sink: ByteSink
    /// Writes element `position`'s compact encoding and returns `true` where it differs from the written one;
    /// returns `false`, writing nothing, where the written one is it.
    package let differing: @Sendable (_ position: Int, _ output: inout [UInt8]) -> Bool

    /// Creates a tap.
    package init(sink: ByteSink, differing: @escaping @Sendable (_ position: Int, _ output: inout [UInt8]) -> Bool) {
        self.sink = sink
        self.differing = differing
    }

    fileprivate func write(_ text: StaticString) {
        text.withUTF8Buffer { sink.write(UnsafeRawBufferPointer($0)) }
    }
}

/// Writes an object's members straight to bytes, in the order given (which must be the sorted key order), exactly as
/// ``JSONValue/members(_:)`` encodes them, without building the values: report lines are encoded this way.
package struct JSONObjectWriter {
    private let indent: Bool
    private let level: Int
    private var empty = true

    /// Opens an object at nesting `level`.
    package init(_ output: inout [UInt8], indent: Bool, level: Int) {
        self.indent = indent
        self.level = level
        output.append(UInt8(ascii: "{"))
    }

    /// Writes `"key":` (after a comma and the indentation when due); the value comes next. Keys are literals
    /// that need no escaping (checked in debug builds), copied as they are.
    package mutating func key(_ key: StaticString, _ output: inout [UInt8]) {
        assert(
            key.withUTF8Buffer { bytes in
                !bytes.contains { $0 < 0x20 || $0 == UInt8(ascii: "\"") || $0 == UInt8(ascii: "\\") || $0 == 0x7F }
            }, "a JSON key literal that needs escaping")
        let comma = !empty
        empty = false
        guard !indent else {
            if comma { output.append(UInt8(ascii: ",")) }
            JSONValue.newline(&output, indent, level + 1)
            output.append(UInt8(ascii: "\""))
            key.withUTF8Buffer { output.append(contentsOf: $0) }
            output.append(contentsOf: [UInt8(ascii: "\""), UInt8(ascii: ":"), UInt8(ascii: " ")])
            return
        }
        // Compact (every report line): `,"key":` in one append rather than five.
        key.withUTF8Buffer { bytes in
            withUnsafeTemporaryAllocation(of: UInt8.self, capacity: bytes.count + 4) { buffer in
                var end = 0
                if comma {
                    buffer[0] = UInt8(ascii: ",")
                    end = 1
                }
                buffer[end] = UInt8(ascii: "\"")
                if let source = bytes.baseAddress, let target = buffer.baseAddress {
                    (target + end + 1).initialize(from: source, count: bytes.count)
                }
                end += 1 + bytes.count
                buffer[end] = UInt8(ascii: "\"")
                buffer[end + 1] = UInt8(ascii: ":")
                output.append(contentsOf: UnsafeBufferPointer(rebasing: buffer[..<(end + 2)]))
            }
        }
    }

    /// A string member (`null` for `nil`).
    package mutating func string(_ key: StaticString, _ value: String?, _ output: inout [UInt8]) {
        self.key(key, &output)
        if let value { JSONValue.writeString(value, to: &output) } else { output.append(contentsOf: "null".utf8) }
    }

    /// An amount member, as a decimal string (`null` for `nil`).
    package mutating func amount(_ key: StaticString, _ value: Amount?, _ output: inout [UInt8]) {
        self.key(key, &output)
        guard let value else { return output.append(contentsOf: "null".utf8) }
        value.appendText(to: &output, quoted: true)
    }

    /// A member whose value is an array of strings.
    package mutating func strings<Texts: Collection<String>>(
        _ key: StaticString, _ values: Texts, _ output: inout [UInt8]
    ) {
        array(key, values, &output) { value, output in JSONValue.writeString(value, to: &output) }
    }

    /// A member whose value is the list of places, each as its description (`file:line:column`), written without
    /// making the descriptions.
    package mutating func sources(_ key: StaticString, _ values: CompactList<SourceLocation>, _ output: inout [UInt8]) {
        array(key, values, &output) { value, output in
            JSONValue.writeString(value.file, to: &output)
            guard value.line != 0 else { return }
            output.removeLast()  // the closing quote: digits need no escaping
            output.append(UInt8(ascii: ":"))
            output.append(contentsOf: String(value.line).utf8)
            if value.column != 0 {
                output.append(UInt8(ascii: ":"))
                output.append(contentsOf: String(value.column).utf8)
            }
            output.append(UInt8(ascii: "\""))
        }
    }

    /// A member whose value is an array, each element written by `element` (as `JSONValue`'s arrays are framed).
    private mutating func array<Values: Collection>(
        _ key: StaticString, _ values: Values, _ output: inout [UInt8],
        element: (Values.Element, inout [UInt8]) -> Void
    ) {
        self.key(key, &output)
        output.append(UInt8(ascii: "["))
        guard !values.isEmpty else { return output.append(UInt8(ascii: "]")) }
        var first = true
        for value in values {
            if !first { output.append(UInt8(ascii: ",")) }
            first = false
            JSONValue.newline(&output, indent, level + 2)
            element(value, &output)
        }
        JSONValue.newline(&output, indent, level + 1)
        output.append(UInt8(ascii: "]"))
    }

    /// A member with any value.
    package mutating func value(_ key: StaticString, _ value: JSONValue, _ output: inout [UInt8]) {
        self.key(key, &output)
        value.append(to: &output, indent: indent, level: level + 1)
    }

    /// Closes the object.
    package func close(_ output: inout [UInt8]) {
        if !empty { JSONValue.newline(&output, indent, level) }
        output.append(UInt8(ascii: "}"))
    }
}

/// A member of a ``JSONValue/members(_:)`` object.
package struct JSONMember: Sendable, Hashable {
    /// The key.
    package let key: String
    /// The value.
    package let value: JSONValue

    /// Creates a member.
    package init(_ key: String, _ value: JSONValue) {
        self.key = key
        self.value = value
    }
}

/// Where bytes made a chunk at a time go: a file being written, a hasher.
package struct ByteSink {
    /// Takes the next bytes.
    package let write: (UnsafeRawBufferPointer) -> Void

    /// A sink calling `write` with each chunk.
    package init(_ write: @escaping (UnsafeRawBufferPointer) -> Void) {
        self.write = write
    }

    /// Hands over `buffer` and empties it (keeping its capacity), once it holds at least `size` bytes.
    package func drain(_ buffer: inout [UInt8], from size: Int = 0) {
        guard buffer.count >= size, !buffer.isEmpty else { return }
        buffer.withUnsafeBytes { write($0) }
        buffer.removeAll(keepingCapacity: true)
    }
}
