/// The lines of a small text file a job refers to (prices, holidays): UTF-8 required, a leading byte-order mark
/// skipped, lines ended by LF or CRLF (`"\r\n"` is one Character, so it is a separator of its own). One reading for
/// every such file, so they all accept and refuse the same things.
func referenceLines(_ bytes: [UInt8], file: String, what: String) throws(ReconciliationError) -> [Substring] {
    guard var text = String(validating: bytes, as: UTF8.self) else {
        throw ReconciliationError(.ingest, "the \(what) file is not UTF-8", at: SourceLocation(file: file))
    }
    if text.hasPrefix("\u{FEFF}") { text.removeFirst() }
    return text.split(omittingEmptySubsequences: false, whereSeparator: { $0 == "\n" || $0 == "\r\n" }).map {
        $0.hasSuffix("\r") ? $0.dropLast() : $0
    }
}
