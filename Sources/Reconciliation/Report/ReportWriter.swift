/// Renders a report in one output format. One conforming type per format.
package protocol ReportWriter: Sendable {
    /// The format written.
    var format: ReportFormat { get }
    /// The file name in the report directory.
    var fileName: String { get }
    /// The file's content.
    func render(_ report: ReconciliationReport) -> String

    /// The file's content as the bytes written.
    func renderBytes(_ report: ReconciliationReport) -> [UInt8]

    /// The file's content handed to `sink` as it is made (the formats with a line per key stream it, so a report of
    /// a million lines is never whole in memory).
    func write(_ report: ReconciliationReport, to sink: ByteSink)

    /// What can be made of the file before the report's result digest is (while report.json makes it), and the rest
    /// of it once the digest is given: the bytes are ``write(_:to:)``'s for the report with that digest.
    func prepare(_ report: ReconciliationReport) -> PreparedReport
}

/// A report file made but for its result digest (see ``ReportWriter/prepare(_:)``).
package struct PreparedReport: Sendable {
    /// Writes the file, given the digest.
    package let write: @Sendable (_ digest: String, _ sink: ByteSink) -> Void

    /// A prepared file written by `write`.
    package init(write: @escaping @Sendable (_ digest: String, _ sink: ByteSink) -> Void) {
        self.write = write
    }
}

extension ReportWriter {
    /// The UTF-8 of ``render(_:)``.
    package func renderBytes(_ report: ReconciliationReport) -> [UInt8] {
        Array(render(report).utf8)
    }

    /// ``renderBytes(_:)`` in one piece.
    package func write(_ report: ReconciliationReport, to sink: ByteSink) {
        renderBytes(report).withUnsafeBytes { sink.write($0) }
    }

    /// Nothing made before the digest: the whole file once it is given.
    package func prepare(_ report: ReconciliationReport) -> PreparedReport {
        PreparedReport { digest, sink in write(report.settled(digest), to: sink) }
    }
}

/// The writers by format.
package enum ReportWriters {
    /// The writer for `format`.
    package static func writer(for format: ReportFormat) -> any ReportWriter {
        switch format {
        case .json: JSONReportWriter()
        case .markdown: MarkdownReportWriter()
        case .csv: CSVReportWriter()
        case .html: HTMLReportWriter()
        }
    }
}

/// Counting helpers shared by the writers.
extension ReconciliationReport {
    /// Every diagnostic of every input, in input order.
    package var allDiagnostics: [Diagnostic] { inputs.flatMap(\.diagnostics) }
}
