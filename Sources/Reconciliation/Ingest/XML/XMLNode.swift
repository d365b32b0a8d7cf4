/// A small element tree for one record of an XML statement (a camt `Stmt`, a mapped record), built from streamed
/// events so only one record is ever held in memory.
package final class XMLNode: Sendable {
    /// The element's local name.
    package let name: String
    /// Attributes by local name.
    package let attributes: [String: String]
    /// Child elements in document order.
    package let children: [XMLNode]
    /// The element's own text, trimmed.
    package let text: String
    /// The line the element starts on.
    package let line: Int

    init(name: String, attributes: [String: String], children: [XMLNode], text: String, line: Int) {
        self.name = name
        self.attributes = attributes
        self.children = children
        self.text = text
        self.line = line
    }

    /// The first child named `name`.
    package func child(_ name: String) -> XMLNode? {
        children.first { $0.name == name }
    }

    /// Every child named `name`.
    package func children(_ name: String) -> [XMLNode] {
        children.filter { $0.name == name }
    }

    /// The node at a slash-separated path of child names (`Acct/Id/IBAN`); an empty path is this node.
    package func node(at path: String) -> XMLNode? {
        var current: XMLNode? = self
        for step in path.split(separator: "/") { current = current?.child(String(step)) }
        return current
    }

    /// The text at a path, where a last step `@name` reads an attribute (`Amt/@Ccy`); `nil` when absent.
    package func value(at path: String) -> String? {
        let steps = path.split(separator: "/").map(String.init)
        if let last = steps.last, last.hasPrefix("@") {
            let element = node(at: steps.dropLast().joined(separator: "/"))
            return element?.attributes[String(last.dropFirst())]
        }
        return node(at: path)?.text
    }
}

/// Builds ``XMLNode`` trees from events, dropping the subtrees of elements named in `skipping` (camt `Ntry`
/// movements, which can be thousands per statement and are not balances).
struct XMLTreeBuilder {
    private struct Open {
        let name: String
        let attributes: [String: String]
        let line: Int
        var children: [XMLNode] = []
        var text = ""
    }

    private var stack: [Open] = []
    private var skipDepth = 0
    let skipping: Set<String>

    init(skipping: Set<String> = []) {
        self.skipping = skipping
    }

    /// Whether a tree is being built.
    var isBuilding: Bool { !stack.isEmpty }

    /// Starts the tree at an element.
    mutating func begin(name: String, attributes: [String: String], line: Int) {
        stack = [Open(name: name, attributes: attributes, line: line)]
        skipDepth = 0
    }

    /// Feeds an event; returns the finished tree when the root element ends.
    mutating func feed(_ event: XMLEvent) -> XMLNode? {
        switch event {
        case .start(let name, _, let attributes, let line):
            if skipDepth > 0 || skipping.contains(name) {
                skipDepth += 1
                return nil
            }
            stack.append(Open(name: name, attributes: attributes, line: line))
        case .text(let text):
            if skipDepth == 0, !stack.isEmpty { stack[stack.count - 1].text += text }
        case .end:
            if skipDepth > 0 {
                skipDepth -= 1
                return nil
            }
            guard let open = stack.popLast() else { return nil }
            let node = XMLNode(
                name: open.name, attributes: open.attributes, children: open.children,
                text: open.text.trimmingWhitespace, line: open.line)
            if stack.isEmpty { return node }
            stack[stack.count - 1].children.append(node)
        }
        return nil
    }
}
