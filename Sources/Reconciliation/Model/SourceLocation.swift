/// A place in an input file: the path as the job named it, and a line (and column) when the format has lines.
public struct SourceLocation: Sendable, Hashable, Comparable, CustomStringConvertible {
    /// The file's path as shown to users (relative to the working directory when possible).
    public let file: String
    /// The 1-based line, or 0 when the place is the whole file.
    public let line: Int
    /// The 1-based column, or 0 when unknown.
    public let column: Int

    /// Creates a location.
    public init(file: String, line: Int = 0, column: Int = 0) {
        self.file = file
        self.line = line
        self.column = column
    }

    /// `file:line:column`, `file:line` or `file`.
    public var description: String {
        var bytes: [UInt8] = []
        appendDescription(to: &bytes)
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Appends ``description``'s bytes (`file`, `file:line` or `file:line:column`), without making the string.
    package func appendDescription(to output: inout [UInt8]) {
        output.append(contentsOf: file.utf8)
        guard line != 0 else { return }
        output.append(UInt8(ascii: ":"))
        output.append(contentsOf: String(line).utf8)
        guard column != 0 else { return }
        output.append(UInt8(ascii: ":"))
        output.append(contentsOf: String(column).utf8)
    }

    public static func < (lhs: SourceLocation, rhs: SourceLocation) -> Bool {
        // By bytes (see BalanceKey's `<`: String equality is canonical equivalence, and mixing the two is no order).
        let file = BalanceKey.order(lhs.file, rhs.file)
        if file != 0 { return file < 0 }
        if lhs.line != rhs.line { return lhs.line < rhs.line }
        return lhs.column < rhs.column
    }
}

/// A list that nearly always holds one element, kept inline: a line's sources on each side are one place for all but
/// conflicts and summed inputs, and an array per side per line was two allocations per key (a million-key run made
/// three million of them).
public struct CompactList<Element: Sendable & Hashable>: RandomAccessCollection, Sendable, Hashable,
    ExpressibleByArrayLiteral
{
    // Never `.many` with fewer than two elements, so equal lists have equal storage.
    private enum Storage: Sendable, Hashable {
        case empty
        case one(Element)
        case many([Element])
    }

    private let storage: Storage

    /// The elements of `elements`, in order.
    public init(_ elements: some Collection<Element>) {
        switch elements.count {
        case 0: storage = .empty
        case 1: storage = .one(elements[elements.startIndex])
        default: storage = .many(Array(elements))
        }
    }

    /// One element.
    public init(single element: Element) {
        storage = .one(element)
    }

    public init(arrayLiteral elements: Element...) {
        self.init(elements)
    }

    public var startIndex: Int { 0 }

    public var endIndex: Int {
        switch storage {
        case .empty: 0
        case .one: 1
        case .many(let elements): elements.count
        }
    }

    public subscript(position: Int) -> Element {
        switch storage {
        case .one(let element):
            precondition(position == 0, "index out of range")
            return element
        case .many(let elements):
            return elements[position]
        case .empty:
            preconditionFailure("index out of range")
        }
    }
}
