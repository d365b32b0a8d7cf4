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
        var text = Self.header.joined(separator: ",") + "\r\n"
        let rest = report.result.lines.filter { !$0.classification.isBreak && $0.classification != .acknowledged }
        for line in report.rankedBreaks + report.acknowledgedLines + rest {
            let age = report.ageing[line.key]
            let acknowledgement = line.acknowledgement
            let cells = [
                Self.text(line.key.venue), Self.text(line.key.account), Self.text(line.key.asset),
                Self.text(line.classification.rawValue), Self.number(line.ledger), Self.number(line.statement),
                Self.number(line.difference), Self.number(line.differenceValue),
                Self.number(line.relativeDifferenceBasisPoints),
                Self.number(line.tolerance?.value), Self.text(line.tolerance?.source ?? ""),
                Self.text(line.figure.rawValue),
                Self.text(age?.firstSeen ?? ""), age.map { String($0.ageDays) } ?? "",
                Self.text(acknowledgement?.reason ?? ""), Self.text(acknowledgement?.by ?? ""),
                Self.text(acknowledgement?.approvedBy ?? ""), Self.text(acknowledgement?.expires ?? ""),
                Self.text(line.ledgerSources.map(\.description).joined(separator: " ")),
                Self.text(line.statementSources.map(\.description).joined(separator: " ")),
                Self.text(report.notes(of: line).joined(separator: "; ")),
            ]
            text += cells.joined(separator: ",") + "\r\n"
        }
        return text
    }

    /// An amount as a plain number cell.
    static func number(_ amount: Amount?) -> String {
        amount?.description ?? ""
    }

    /// A text cell: neutralized against formula injection, quoted when needed.
    static func text(_ value: String) -> String {
        Escaping.csv(value)
    }
}
