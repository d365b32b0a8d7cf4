/// Turns the bytes of one file into raw balance records. One conforming type per format, in `Readers/`.
///
/// A reader reports bad rows through the collector (with file, line and column) and keeps going; it throws only when
/// the file cannot be read any further (a broken gzip stream, malformed JSON or XML, an unknown header).
package protocol StatementReader: Sendable {
    /// The name used for `format:` in job files and `--format` on the command line.
    var format: String { get }

    /// One line on what the format is and which figure it yields (`recon formats`).
    var summary: String { get }

    /// Reads every record of `source` (the file at `path`) into `collector`.
    func read(
        _ source: any ByteSource, path: String, options: InputOptions, into collector: RecordCollector
    ) throws(ReconciliationError)

    /// Whether the first bytes of a file look like this format (for detection when `format:` is omitted).
    func recognizes(_ prefix: ContentPrefix) -> Bool

    /// The venue records get when neither the data nor the job names one (`coinbase` for Coinbase files).
    var defaultVenue: String? { get }

    /// The kind of input this format always is, when it is not the job's choice (a transaction history is entries;
    /// a running-balance statement yields balances).
    var inherentKind: InputKind? { get }

    /// Whether the files name no account, so the input must set `account:`.
    var needsAccountSetting: Bool { get }

    /// Whether the files may name their venue (a bank statement's servicing institution), so an input of a format
    /// without a ``defaultVenue`` need not set `venue:`; the reader reports a file that names none.
    var mayNameVenue: Bool { get }

    /// Codes this format's venue writes for assets known by another code (Kraken's `XXBT` is `BTC`); the job's and
    /// the input's `aliases:` take precedence.
    var assetAliases: [String: String] { get }

    /// Checks, and completes, an input's options for this format when its job is loaded (the format owns what its
    /// inputs must say); returns what is missing, in the job file's words, or `nil`.
    func validate(_ options: inout InputOptions) -> String?

    /// Whether ``sumEntriesInRanges(path:displayPath:size:options:into:progress:)`` can sum a large plain entries file
    /// in parallel ranges.
    var readsEntriesInRanges: Bool { get }

    /// Called once after the input's last file was read (without a failure): a statement whose pages only make sense
    /// together (Kraken's Ledgers API pages) adds its records here.
    func finish(options: InputOptions, into collector: RecordCollector) throws(ReconciliationError)

    /// Sums the entries of the plain file at `path` in ranges on every core; `false` when this input must be read
    /// in one piece instead (nothing was read then).
    func sumEntriesInRanges(
        path: String, displayPath: String, size: Int64, options: InputOptions, into collector: RecordCollector,
        progress: ByteCounter
    ) throws(ReconciliationError) -> Bool

    /// Sums the entries of a large stream (a gzipped file, inflated as it is read) in segments on every core; `false` when the
    /// input must be read again in one piece (nothing was added to `collector` then).
    func sumEntriesInSegments(
        _ source: any ByteSource, displayPath: String, options: InputOptions, into collector: RecordCollector
    ) -> Bool
}

extension StatementReader {
    /// By default a reader is never guessed; it must be named.
    package func recognizes(_ prefix: ContentPrefix) -> Bool { false }

    /// By default the data or the job names the venue.
    package var defaultVenue: String? { nil }

    /// By default the job chooses the kind.
    package var inherentKind: InputKind? { nil }

    /// By default the data names the account.
    package var needsAccountSetting: Bool { false }

    /// By default the venue comes from the format or the job.
    package var mayNameVenue: Bool { false }

    /// By default codes are taken as written.
    package var assetAliases: [String: String] { [:] }

    /// By default the format must name its venue (or the input set `venue:`), and its account when the files name
    /// none.
    package func validate(_ options: inout InputOptions) -> String? {
        if defaultVenue == nil && !mayNameVenue && options.venue == nil {
            return "format \(format) names no venue; set `venue:`"
        }
        if needsAccountSetting && options.account == nil { return "format \(format) names no account; set `account:`" }
        return nil
    }

    /// By default a file is read in one piece.
    package var readsEntriesInRanges: Bool { false }

    /// By default each file's records are complete when it has been read.
    package func finish(options: InputOptions, into collector: RecordCollector) throws(ReconciliationError) {}

    /// By default a file is read in one piece.
    package func sumEntriesInRanges(
        path: String, displayPath: String, size: Int64, options: InputOptions, into collector: RecordCollector,
        progress: ByteCounter
    ) throws(ReconciliationError) -> Bool { false }

    /// By default a file is read in one piece.
    package func sumEntriesInSegments(
        _ source: any ByteSource, displayPath: String, options: InputOptions, into collector: RecordCollector
    ) -> Bool { false }
}

/// What a format of mapped records (JSON, XML) needs of every input: the path of one record, the fields in it, and
/// where its venue and account come from.
func mappedRecordsProblem(_ format: String, _ options: InputOptions) -> String? {
    if options.records == nil { return "format \(format) needs `records` (the path of one record)" }
    if options.fields.isEmpty { return "format \(format) needs `fields`" }
    return mappedFormatProblem(options)
}

/// What a mapped format (CSV, JSON, XML: any venue through a mapping) needs of every input: where its venue and
/// account come from.
func mappedFormatProblem(_ options: InputOptions) -> String? {
    if options.fields.venue == nil && options.venue == nil { return "no venue: map a `venue` column or set `venue:`" }
    if options.fields.account == nil && options.account == nil {
        return "no account: map an `account` column or set `account:`"
    }
    return nil
}

/// The first bytes of a decoded (inflated) file, with cheap views used by format detection.
package struct ContentPrefix: Sendable {
    /// Up to 64 KiB from the start of the file, after gzip.
    package let bytes: [UInt8]

    /// Wraps the bytes.
    package init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    /// The bytes as text, with any UTF-8 BOM dropped.
    package var text: String {
        let start = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        return String(decoding: bytes[start...], as: UTF8.self)
    }

    /// Whether the text contains `needle`.
    package func contains(_ needle: String) -> Bool {
        text.contains(needle)
    }

    /// The first non-blank line.
    package var firstLine: Substring {
        let text = self.text
        let lines = text.split(
            omittingEmptySubsequences: true, whereSeparator: { $0 == "\n" || $0 == "\r\n" || $0 == "\r" })
        return lines.first ?? ""
    }

    /// The first non-whitespace byte.
    package var firstSignificantByte: UInt8? {
        bytes.drop(while: {
            $0 == 0x20 || $0 == 0x09 || $0 == 0x0A || $0 == 0x0D || $0 == 0xEF || $0 == 0xBB || $0 == 0xBF
        }).first
    }

    /// The member names of the top-level JSON object as far as the prefix reaches (empty when the content is not a
    /// JSON object). Detection looks at these, not at text anywhere in the file, so a CCXT dump — whose `info` member
    /// holds a venue's raw response — is not taken for the venue's own format.
    package var topLevelJSONKeys: Set<String> {
        guard firstSignificantByte == UInt8(ascii: "{") else { return [] }
        var keys: Set<String> = []
        var depth = 0
        var expectingKey = false
        var index = bytes.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        while index < bytes.count {
            let byte = bytes[index]
            index += 1
            switch byte {
            case UInt8(ascii: "\""):
                var text: [UInt8] = []
                while index < bytes.count, bytes[index] != UInt8(ascii: "\"") {
                    if bytes[index] == UInt8(ascii: "\\") { index += 1 }
                    if index < bytes.count { text.append(bytes[index]) }
                    index += 1
                }
                index += 1
                if depth == 1 && expectingKey { keys.insert(String(decoding: text, as: UTF8.self)) }
                expectingKey = false
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                depth += 1
                expectingKey = byte == UInt8(ascii: "{") && depth == 1
            case UInt8(ascii: "}"), UInt8(ascii: "]"):
                depth -= 1
            case UInt8(ascii: ","):
                expectingKey = depth == 1
            default:
                break
            }
        }
        return keys
    }
}
