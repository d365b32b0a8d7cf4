import CReconXML

/// One step of a streamed XML document.
package enum XMLEvent: Sendable {
    /// An element starts: local name, namespace URI, attributes by local name, and the line it is on.
    case start(name: String, namespace: String?, attributes: [String: String], line: Int)
    /// An element ends.
    case end(name: String)
    /// Character data (may come in several pieces).
    case text(String)
}

/// Streams XML through libxml2's SAX2 push parser (behind the `CReconXML` wrapper), chunk by chunk from a
/// ``ByteSource``, handing out events in document order.
///
/// Hardened for statements from outside: a DOCTYPE stops the parse (so no entity is ever declared, let alone
/// expanded — billion laughs, quadratic blowup and external entities are all refused at the door), the network is
/// never used, nesting is capped, and libxml2 rejects invalid UTF-8 and malformed markup with a line and column.
/// FoundationXML is not used: it crashes on invalid UTF-8 in a name and accepts malformed documents.
package final class XMLEventReader {
    private final class Sink {
        var events: [XMLEvent] = []
        var textBytes = 0
        var overflow = false
        let maxTextBytes: Int
        var parser: OpaquePointer?

        init(maxTextBytes: Int) {
            self.maxTextBytes = maxTextBytes
        }
    }

    private let source: any ByteSource
    private let displayPath: String
    private let sink: Sink
    private let parser: OpaquePointer
    private var finished = false
    private let chunk: UnsafeMutableRawBufferPointer

    /// Creates a reader; `maxDepth` caps nesting and `maxTextBytes` the text of any one run of character data.
    package init(source: any ByteSource, displayPath: String, maxDepth: Int = 200, maxTextBytes: Int = 4 << 20)
        throws(ReconciliationError)
    {
        self.source = source
        self.displayPath = displayPath
        sink = Sink(maxTextBytes: maxTextBytes)
        chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 16, alignment: 16)
        var callbacks = recon_xml_callbacks(
            start_element: { context, name, namespace, count, attributes in
                guard let context, let name else { return }
                let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
                var values: [String: String] = [:]
                if let attributes {
                    for index in 0..<Int(count) {
                        guard let key = attributes[index * 2], let value = attributes[index * 2 + 1] else { continue }
                        values[String(cString: key)] = String(cString: value)
                    }
                }
                let line = sink.parser.map { Int(recon_xml_line($0)) } ?? 0
                sink.events.append(
                    .start(
                        name: String(cString: name), namespace: namespace.map { String(cString: $0) },
                        attributes: values, line: line))
                sink.textBytes = 0
            },
            end_element: { context, name in
                guard let context, let name else { return }
                let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
                sink.events.append(.end(name: String(cString: name)))
                sink.textBytes = 0
            },
            characters: { context, bytes, length in
                guard let context, let bytes else { return }
                let sink = Unmanaged<Sink>.fromOpaque(context).takeUnretainedValue()
                sink.textBytes += Int(length)
                if sink.textBytes > sink.maxTextBytes {
                    if !sink.overflow, let parser = sink.parser {
                        sink.overflow = true
                        recon_xml_abort(parser, "text longer than \(sink.maxTextBytes) bytes in one element")
                    }
                    return
                }
                let text = UnsafeRawBufferPointer(start: bytes, count: Int(length))
                sink.events.append(.text(String(decoding: text, as: UTF8.self)))
            })
        guard
            let created = recon_xml_create(&callbacks, Unmanaged.passUnretained(sink).toOpaque(), Int32(maxDepth))
        else {
            chunk.deallocate()
            throw ReconciliationError(.ingest, "cannot start the XML parser", at: SourceLocation(file: displayPath))
        }
        parser = created
        sink.parser = created
    }

    deinit {
        recon_xml_free(parser)
        chunk.deallocate()
    }

    /// Calls `body` with every event of the document, in order.
    package func readEvents(_ body: (XMLEvent) throws(ReconciliationError) -> Void) throws(ReconciliationError) {
        var sawData = false
        var open: [String] = []
        // The first bytes are held until the XML declaration is complete, so its encoding is checked before libxml2
        // sees any byte: libxml2's push parser treats an unknown encoding name differently depending on where its
        // input was split (found by fuzzing), so anything but UTF-8 is refused here, the same way every time.
        var prefix: [UInt8] = []
        var declarationChecked = false
        while !finished {
            let count = try source.read(into: chunk)
            if count > 0 { sawData = true }
            if count == 0 && !sawData {
                throw ReconciliationError(.ingest, "the file is empty", at: SourceLocation(file: displayPath))
            }
            var held: [UInt8]?
            if !declarationChecked {
                prefix += UnsafeRawBufferPointer(rebasing: chunk[0..<count])
                if count > 0, prefix.count < 4096, prefix.count < 5 || !Self.declarationIsComplete(prefix) { continue }
                declarationChecked = true
                try Self.checkDeclaredEncoding(prefix, file: displayPath)
                held = prefix
                prefix = []
            }
            let terminate: Int32 = count == 0 ? 1 : 0
            let failed =
                held.map { bytes in
                    bytes.withUnsafeBytes {
                        recon_xml_feed(
                            parser, $0.baseAddress?.assumingMemoryBound(to: CChar.self), Int32($0.count), terminate)
                    }
                }
                ?? recon_xml_feed(
                    parser, chunk.baseAddress?.assumingMemoryBound(to: CChar.self), Int32(count), terminate)
            // Events before the error are still delivered, in order, then the error.
            let events = sink.events
            sink.events.removeAll(keepingCapacity: true)
            for event in events {
                switch event {
                case .start(let name, _, _, _): open.append(name)
                case .end: open.removeLast()
                case .text: break
                }
                try body(event)
            }
            if failed != 0 {
                var message = (recon_xml_error_message(parser).map { String(cString: $0) } ?? "malformed XML")
                    .replacingAll("\n", with: "; ")
                // libxml2 calls a document that stops inside an element "extra content at the end".
                if count == 0, recon_xml_error_code(parser) == 5, let innermost = open.last {
                    message =
                        "the file ends inside <\(innermost)> with \(open.count) element(s) still open (truncated?)"
                }
                throw ReconciliationError(
                    .ingest, "invalid XML: \(message)",
                    at: SourceLocation(
                        file: displayPath, line: Int(recon_xml_error_line(parser)),
                        column: Int(recon_xml_error_column(parser))))
            }
            if count == 0 { finished = true }
        }
    }

    /// Whether `prefix` holds the whole XML declaration, or shows there is none.
    static func declarationIsComplete(_ prefix: [UInt8]) -> Bool {
        let start = prefix.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        let opening = Array("<?xml".utf8)
        let available = prefix.count - start
        guard Array(prefix[start..<(start + min(available, opening.count))]) == Array(opening.prefix(available))
        else { return true }
        guard available >= opening.count else { return false }
        return prefix.indices.dropFirst(start).contains { $0 > 0 && prefix[$0 - 1] == 0x3F && prefix[$0] == 0x3E }
    }

    /// Refuses a file that declares (or starts with the byte-order mark of) an encoding other than UTF-8.
    static func checkDeclaredEncoding(_ bytes: [UInt8], file: String) throws(ReconciliationError) {
        // Only the first 4096 bytes count, however many the first read brought: the answer must not depend on it.
        let prefix = Array(bytes.prefix(4096))
        func refuse(_ encoding: String) -> ReconciliationError {
            ReconciliationError(
                .ingest,
                "invalid XML: the file is in \(encoding); statements are read as UTF-8 (ISO 20022 messages are UTF-8): "
                    + "convert it to UTF-8 and declare encoding=\"UTF-8\"", at: SourceLocation(file: file, line: 1))
        }
        if prefix.starts(with: [0xFE, 0xFF]) || prefix.starts(with: [0xFF, 0xFE]) { throw refuse("UTF-16") }
        if prefix.starts(with: [0x00, 0x00, 0xFE, 0xFF]) { throw refuse("UTF-32") }
        let start = prefix.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        guard prefix.count - start >= 5, Array(prefix[start..<(start + 5)]) == Array("<?xml".utf8) else { return }
        guard
            let end = prefix.indices.dropFirst(start).first(where: {
                $0 > 0 && prefix[$0 - 1] == 0x3F && prefix[$0] == 0x3E
            })
        else {
            throw ReconciliationError(
                .ingest, "invalid XML: the XML declaration does not end within its first 4096 bytes",
                at: SourceLocation(file: file, line: 1))
        }
        let declaration = Substring(String(decoding: prefix[start...end], as: UTF8.self))
        guard let key = declaration.indices.first(where: { declaration[$0...].hasPrefix("encoding") }) else { return }
        var rest = declaration[declaration.index(key, offsetBy: 8)...].drop {
            $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n"
        }
        guard rest.first == "=" else { return }
        rest = rest.dropFirst().drop { $0 == " " || $0 == "\t" || $0 == "\r" || $0 == "\n" }
        guard let quote = rest.first, quote == "\"" || quote == "'" else { return }
        let value = rest.dropFirst().prefix { $0 != quote }
        if !["utf-8", "utf8"].contains(value.lowercased()) {
            throw refuse("the encoding '\(TerminalText.escape(String(value)))'")
        }
    }
}
