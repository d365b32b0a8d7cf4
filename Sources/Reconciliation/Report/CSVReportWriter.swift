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
        var chunk: [UInt8] = []
        chunk.reserveCapacity(1 << 20 + 1 << 16)
        chunk.append(contentsOf: Self.header.joined(separator: ",").utf8)
        chunk.append(contentsOf: [0x0D, 0x0A])
        func cell(_ text: String, first: Bool = false) {
            if !first { chunk.append(UInt8(ascii: ",")) }
            chunk.append(contentsOf: text.utf8)
        }
        func number(_ amount: Amount?) {
            chunk.append(UInt8(ascii: ","))
            amount?.appendText(to: &chunk)
        }
        func row(_ line: ReconciliationLine) {
            // An empty map is not asked: a lookup hashes the key's three strings even then.
            let age = report.ageing.isEmpty ? nil : report.ageing[line.key]
            let acknowledgement = line.acknowledgement
            cell(Self.text(line.key.venue), first: true)
            cell(Self.text(line.key.account))
            cell(Self.text(line.key.asset))
            cell(Self.text(line.classification.rawValue))
            number(line.ledger)
            number(line.statement)
            number(line.difference)
            number(line.differenceValue)
            number(line.relativeDifferenceBasisPoints)
            number(line.tolerance?.value)
            cell(Self.text(line.tolerance?.source ?? ""))
            cell(Self.text(line.figure.rawValue))
            cell(Self.text(age?.firstSeen ?? ""))
            cell(age.map { String($0.ageDays) } ?? "")
            cell(Self.text(acknowledgement?.reason ?? ""))
            cell(Self.text(acknowledgement?.by ?? ""))
            cell(Self.text(acknowledgement?.approvedBy ?? ""))
            cell(Self.text(acknowledgement?.expires ?? ""))
            cell(Self.text(line.ledgerSources.map(\.description).joined(separator: " ")))
            cell(Self.text(line.statementSources.map(\.description).joined(separator: " ")))
            cell(Self.text(report.notes(of: line).joined(separator: "; ")))
            chunk.append(contentsOf: [0x0D, 0x0A])
            sink.drain(&chunk, from: 1 << 20)
        }
        for line in report.rankedBreaks { row(line) }
        for line in report.acknowledgedLines { row(line) }
        for line in report.result.lines where !line.classification.isBreak && line.classification != .acknowledged {
            row(line)
        }
        sink.drain(&chunk)
    }

    /// A text cell: neutralized against formula injection, quoted when needed.
    static func text(_ value: String) -> String {
        Escaping.csv(value)
    }
}
