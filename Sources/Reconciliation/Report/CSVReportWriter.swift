/// `report.csv`: every line, one row each, safe to open in a spreadsheet.
///
/// Text cells that a spreadsheet could run as a formula get a leading `'` (``Escaping/csv(_:)``); amount cells stay
/// plain numbers so they sort and sum.
package struct CSVReportWriter: ReportWriter {
    package let format = ReportFormat.csv
    package let fileName = "report.csv"

    /// Creates the writer.
    package init() {}

    static let header = [
        "venue", "account", "asset", "classification", "ledger", "statement", "difference", "difference_value",
        "relative_difference_bps", "tolerance", "tolerance_source", "compared", "first_seen", "age_days",
        "acknowledgement_reason", "acknowledged_by", "approved_by", "acknowledgement_expires", "ledger_sources",
        "statement_sources", "notes",
    ]

    /// Breaks first, largest first; then acknowledged breaks, largest first; then every other line in key order.
    package func render(_ report: ReconciliationReport) -> String {
        String(decoding: renderBytes(report), as: UTF8.self)
    }

    package func renderBytes(_ report: ReconciliationReport) -> [UInt8] {
        var bytes: [UInt8] = []
        write(report, to: ByteSink { bytes.append(contentsOf: $0) })
        return bytes
    }

    /// Row by row into `sink`, a megabyte at a time: a report of a million lines is never whole in memory.
    package func write(_ report: ReconciliationReport, to sink: ByteSink) {
        var rows = Rows(report: report)
        rows.chunk.reserveCapacity(1 << 20 + 1 << 16)
        rows.chunk.append(contentsOf: Self.header.joined(separator: ",").utf8)
        rows.chunk.append(contentsOf: [0x0D, 0x0A])
        for line in report.rankedBreaks {
            rows.row(line)
            sink.drain(&rows.chunk, from: 1 << 20)
        }
        for line in report.acknowledgedLines {
            rows.row(line)
            sink.drain(&rows.chunk, from: 1 << 20)
        }
        report.result.lines.withUnsafeBufferPointer { lines in
            for index in lines.indices
            where !lines[index].classification.isBreak && lines[index].classification != .acknowledged {
                rows.row(lines[index])
                sink.drain(&rows.chunk, from: 1 << 20)
            }
        }
        sink.drain(&rows.chunk)
    }

    /// The rows' bytes as they are made. A value's buffers rather than variables shared by local functions: those
    /// were boxed and checked for exclusive access at run time on every append (2 % of a 1.5M-key run).
    private struct Rows {
        let report: ReconciliationReport
        var chunk: [UInt8] = []
        /// Cells made of several texts (the sources, the notes) are put together here first, then escaped as one.
        var joined: [UInt8] = []

        init(report: ReconciliationReport) {
            self.report = report
        }

        mutating func cell(_ text: String) {
            chunk.append(UInt8(ascii: ","))
            Escaping.appendCSV(text, to: &chunk)
        }

        mutating func cell(_ sources: CompactList<SourceLocation>) {
            chunk.append(UInt8(ascii: ","))
            guard !sources.isEmpty else { return }
            joined.removeAll(keepingCapacity: true)
            for (position, source) in sources.enumerated() {
                if position > 0 { joined.append(UInt8(ascii: " ")) }
                source.appendDescription(to: &joined)
            }
            joined.withUnsafeBufferPointer { Escaping.appendCSV($0, to: &chunk) }
        }

        mutating func cell(_ notes: [String]) {
            chunk.append(UInt8(ascii: ","))
            guard notes.count > 1 else { return notes.first.map { Escaping.appendCSV($0, to: &chunk) } ?? () }
            joined.removeAll(keepingCapacity: true)
            for (position, note) in notes.enumerated() {
                if position > 0 { joined.append(contentsOf: "; ".utf8) }
                joined.append(contentsOf: note.utf8)
            }
            joined.withUnsafeBufferPointer { Escaping.appendCSV($0, to: &chunk) }
        }

        mutating func number(_ amount: Amount?) {
            chunk.append(UInt8(ascii: ","))
            amount?.appendText(to: &chunk)
        }

        mutating func row(_ line: ReconciliationLine) {
            // An empty map is not asked: a lookup hashes the key's three strings even then.
            let age = report.ageing.isEmpty ? nil : report.ageing[line.key]
            let acknowledgement = line.acknowledgement
            Escaping.appendCSV(line.key.venue, to: &chunk)
            cell(line.key.account)
            cell(line.key.asset)
            cell(line.classification.rawValue)
            number(line.ledger)
            number(line.statement)
            number(line.difference)
            number(line.differenceValue)
            number(line.relativeDifferenceBasisPoints)
            number(line.tolerance?.value)
            cell(line.tolerance?.source ?? "")
            cell(line.figure.rawValue)
            cell(age?.firstSeen ?? "")
            cell(age.map { String($0.ageDays) } ?? "")
            cell(acknowledgement?.reason ?? "")
            cell(acknowledgement?.by ?? "")
            cell(acknowledgement?.approvedBy ?? "")
            cell(acknowledgement?.expires ?? "")
            cell(line.ledgerSources)
            cell(line.statementSources)
            cell(report.notes(of: line))
            chunk.append(contentsOf: [0x0D, 0x0A])
        }
    }
}
