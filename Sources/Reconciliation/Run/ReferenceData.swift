/// What a job's reference files say — acknowledgements, prices, holidays — and how reading each went. They judge the
/// lines rather than feed the books, and are read, hashed, archived and audited like inputs: a replay judges with the
/// same files.
struct ReferenceData {
    /// Acknowledgements read (none when the file failed: a break stays a break).
    var acknowledgements: [Acknowledgement] = []
    /// Prices, when the job values differences and the prices file was read.
    var valuation: Valuation?
    /// Business days for ageing.
    var calendar = BusinessCalendar.weekdays
    /// One summary per reference file, as reports and the audit trail list inputs.
    var summaries: [InputSummary] = []
    /// Where each file was opened (a replay's archived copy), for the archive.
    var opened: [(path: String, sha256: String, displayPath: String)] = []

    /// The largest reference file read, decompressed: these are hand-kept lists, not statements.
    static let maxBytes = 64 << 20

    /// Reads every reference file of `spec`; a file that cannot be read or parsed fails as an input does (the run is
    /// `partial`) and contributes nothing.
    static func load(_ spec: JobSpec, open openPath: (InputFile) -> String) -> ReferenceData {
        var data = ReferenceData()
        for (kind, file) in spec.referenceFiles {
            var facts = FileFacts(displayPath: file.displayPath, size: 0, sha256: "", compressed: false, format: "")
            var failure: String?
            var records = 0
            do throws(ReconciliationError) {
                let path = openPath(file)
                let input = try InputBytes(
                    path: path, displayPath: file.displayPath, limits: spec.limits.inflate,
                    maxBytes: spec.limits.maxInputBytes)
                let limit = kind == .acknowledgements ? Acknowledgements.maxFileBytes : maxBytes
                let bytes = try ReplayByteSource.readPrefix(input.bytes, count: limit + 1)
                facts = FileFacts(
                    displayPath: file.displayPath, size: input.file.size, sha256: try input.finishDigest(),
                    compressed: input.isCompressed, format: kind.rawValue)
                data.opened.append((path, facts.sha256, file.displayPath))
                guard bytes.count <= limit else {
                    throw ReconciliationError(
                        .ingest, "larger than \(limit >> 20) MiB; a \(kind.rawValue) file is a short list",
                        at: SourceLocation(file: file.displayPath))
                }
                switch kind {
                case .acknowledgements:
                    guard let text = String(validating: bytes, as: UTF8.self) else {
                        throw ReconciliationError(.ingest, "not UTF-8", at: SourceLocation(file: file.displayPath))
                    }
                    data.acknowledgements = try Acknowledgements.parse(text, file: file.displayPath)
                    records = data.acknowledgements.count
                case .prices:
                    guard let settings = spec.valuation else { break }
                    let prices = try Valuation.parsePrices(
                        bytes, file: file.displayPath, currency: settings.currency)
                    data.valuation = Valuation(
                        currency: settings.currency, decimals: settings.decimals, prices: prices)
                    records = prices.count
                case .calendar:
                    data.calendar = try BusinessCalendar.parse(bytes, file: file.displayPath)
                    records = data.calendar.holidays.count
                case .entries, .balances:
                    break
                }
            } catch {
                failure = error.description
            }
            data.summaries.append(
                InputSummary(
                    side: .reference, name: kind.rawValue, kind: kind, files: [facts], recordCount: records,
                    balanceCount: 0, diagnostics: [], error: failure, failed: failure != nil))
        }
        return data
    }

    /// The acknowledgements' findings, as diagnostics of the acknowledgements file's summary.
    mutating func attach(_ findings: [Diagnostic]) {
        guard !findings.isEmpty,
            let position = summaries.firstIndex(where: { $0.kind == .acknowledgements })
        else { return }
        let summary = summaries[position]
        summaries[position] = InputSummary(
            side: summary.side, name: summary.name, kind: summary.kind, files: summary.files,
            recordCount: summary.recordCount, balanceCount: 0, diagnostics: summary.diagnostics + findings,
            error: summary.error, failed: summary.failed)
    }
}
