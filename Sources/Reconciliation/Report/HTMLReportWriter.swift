/// `report.html`: one self-contained page (no network, no external assets).
public struct HTMLReportWriter: ReportWriter {
    public let format = ReportFormat.html
    public let fileName = "report.html"

    /// Creates the writer.
    public init() {}

    public func render(_ report: ReconciliationReport) -> String {
        var page =
            "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>\(escape(report.job)) \(escape(report.asOf))</title></head><body>"
        page +=
            "<h1>\(escape(report.job)) — \(escape(report.asOf))</h1><p id=\"status\">\(report.status.rawValue)</p><table id=\"lines\">"
        for line in report.result.lines {
            page +=
                "<tr><td>\(escape(line.key.venue))</td><td>\(escape(line.key.account))</td><td>\(escape(line.key.asset))</td><td>\(line.classification.rawValue)</td></tr>"
        }
        page += "</table></body></html>\n"
        return page
    }

    /// Text safe in HTML content and attribute values.
    func escape(_ text: String) -> String {
        var result = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "&": result += "&amp;"
            case "<": result += "&lt;"
            case ">": result += "&gt;"
            case "\"": result += "&quot;"
            case "'": result += "&#39;"
            default: result.unicodeScalars.append(scalar)
            }
        }
        return result
    }
}
