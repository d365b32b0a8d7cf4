/// `report.html`: one self-contained page for people — no network, no external assets, readable without JavaScript.
///
/// A status banner; counts per classification and per venue; two SVG charts (breaks by venue and asset, and the
/// size of the differences); every line in one table — breaks shown first, sortable by any column, filterable by
/// text and classification — with its tolerance, the tolerance's source and the break's age; the inputs with their
/// SHA-256; and the run's metadata. Rows are rendered on the server, so 10,000 lines stay a plain table the script
/// only sorts and filters.
package struct HTMLReportWriter: ReportWriter {
    package let format = ReportFormat.html
    package let fileName = "report.html"
    /// At most this many lines are in the page's table (breaks first); report.csv and report.json hold every line.
    package var maxTableLines = 5000
    /// At most this many input files are listed.
    package var maxInputRows = 1000

    /// Creates the writer.
    package init() {}

    static let colors: [Classification: String] = [
        .matched: "#2e7d32", .withinTolerance: "#00897b", .mismatch: "#c62828", .missingInStatement: "#ef6c00",
        .missingInLedger: "#f9a825", .conflict: "#6a1b9a", .unreconciled: "#546e7a", .acknowledged: "#5c6bc0",
    ]

    static let labels: [Classification: String] = [
        .matched: "Matched", .withinTolerance: "Within tolerance", .mismatch: "Mismatch",
        .missingInStatement: "Missing in statement", .missingInLedger: "Missing in ledger", .conflict: "Conflict",
        .unreconciled: "Not reconciled", .acknowledged: "Acknowledged",
    ]

    package func render(_ report: ReconciliationReport) -> String {
        var page = ""
        page.reserveCapacity(4096 + report.result.lines.count * 900)
        page += """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="generator" content="recon \(escape(report.toolVersion))">
            <title>\(escape(report.job)) — \(escape(report.asOf)) — \(report.status.rawValue)</title>
            <style>\(Self.style)</style>
            </head>
            <body data-status="\(report.status.rawValue)" data-exit-status="\(report.exitStatus)">

            """
        page += banner(report)
        page += "<main>\n"
        page += countCards(report)
        page += "<section class=\"grid\">\n" + venueTable(report) + breaksChart(report) + "</section>\n"
        page += "<section class=\"grid\">\n" + differenceChart(report) + toleranceSummary(report) + "</section>\n"
        page += acknowledgedTable(report)
        page += linesTable(report)
        page += inputsTable(report)
        page += diagnosticsList(report)
        page += metadata(report)
        page += "</main>\n<script>\(Self.script)</script>\n</body>\n</html>\n"
        return page
    }

    // MARK: Sections

    private func banner(_ report: ReconciliationReport) -> String {
        let breaks = report.breakCount
        let verdict: String
        switch report.status {
        case .reconciled: verdict = "Reconciled — every line matches"
        case .reconciledWithinTolerance: verdict = "Reconciled within tolerance"
        case .reconciledWithAcknowledged: verdict = "Reconciled — the only differences are acknowledged"
        case .breaks:
            verdict =
                report.exitStatus == 0
                ? "\(breaks) break\(breaks == 1 ? "" : "s") — accepted (max_breaks \(report.maxBreaks))"
                : "\(breaks) break\(breaks == 1 ? "" : "s") need\(breaks == 1 ? "s" : "") attention"
        case .partial: verdict = "Partial — \(report.inputs.filter(\.failed).count) input(s) failed; \(breaks) break(s)"
        case .failed: verdict = "Failed — no input could be read"
        }
        let unreconciled = report.result.counts[.unreconciled, default: 0]
        var gaps: [String] = []
        if unreconciled > 0 {
            let causes = Set(report.result.lines.filter { $0.classification == .unreconciled }.flatMap(\.notes))
                .filter { $0.hasPrefix("not reconciled: ") }.map { String($0.dropFirst("not reconciled: ".count)) }
                .sorted()
            gaps.append(
                "\(unreconciled) line\(unreconciled == 1 ? "" : "s") not reconciled: " + causes.joined(separator: "; "))
        }
        let acknowledged = report.result.counts[.acknowledged, default: 0]
        if acknowledged > 0 {
            gaps.append(
                "\(acknowledged) acknowledged break\(acknowledged == 1 ? "" : "s") (known and approved; not counted as "
                    + "breaks)")
        }
        if let totals = report.valueTotals, !totals.overflowed, let valuation = report.valuation, breaks > 0 {
            gaps.append(
                "Breaks worth \(valuation.display(totals.breakValue))"
                    + (totals.unvaluedBreaks > 0 ? " (\(totals.unvaluedBreaks) without a value)" : ""))
        }
        gaps += report.notices
        let gapsHTML = gaps.map { "<div class=\"gap\">\(escape($0))</div>\n" }.joined()
        return """
            <header class="banner status-\(report.status.rawValue)">
            <div class="job">\(escape(report.job)) <span>as of \(escape(report.asOf)) · cutoff \(escape(report.cutoff.description))</span></div>
            <div class="verdict" id="verdict">\(escape(verdict))</div>
            \(gapsHTML)
            <div class="status">status <b id="status">\(report.status.rawValue)</b> · exit <b>\(report.exitStatus)</b> · \
            \(report.result.lines.count) lines · run <code>\(escape(report.runID))</code></div>
            </header>

            """
    }

    private func countCards(_ report: ReconciliationReport) -> String {
        let counts = report.result.counts
        var html = "<section class=\"cards\" aria-label=\"Counts per classification\">\n"
        for classification in Classification.allCases {
            let count = counts[classification, default: 0]
            let tone = classification.isBreak && count > 0 ? " alert" : ""
            html += """
                <div class="card\(tone)" style="--accent:\(Self.colors[classification] ?? "#555")">\
                <div class="count" id="count-\(classification.rawValue)" data-count="\(count)">\(count)</div>\
                <div class="label">\(Self.labels[classification] ?? classification.rawValue)</div></div>

                """
        }
        return html + "</section>\n"
    }

    private func venueTable(_ report: ReconciliationReport) -> String {
        var html =
            "<div class=\"panel\"><h2>By venue</h2><table class=\"compact\" id=\"by-venue\"><thead><tr><th>Venue</th>"
        for classification in Classification.allCases {
            html += "<th class=\"num\" title=\"\(Self.labels[classification] ?? "")\">\(short(classification))</th>"
        }
        html += "</tr></thead><tbody>\n"
        for (venue, counts) in report.countsByVenue {
            html += "<tr><td>\(escape(venue))</td>"
            for classification in Classification.allCases {
                let count = counts[classification, default: 0]
                let mark = classification.isBreak && count > 0 ? " class=\"num hot\"" : " class=\"num\""
                html += "<td\(mark)>\(count == 0 ? "·" : String(count))</td>"
            }
            html += "</tr>\n"
        }
        return html + "</tbody></table></div>\n"
    }

    private func short(_ classification: Classification) -> String {
        switch classification {
        case .matched: "Matched"
        case .withinTolerance: "Within"
        case .mismatch: "Mismatch"
        case .missingInStatement: "Miss. stmt"
        case .missingInLedger: "Miss. ledger"
        case .conflict: "Conflict"
        case .unreconciled: "Unreconciled"
        case .acknowledged: "Ack."
        }
    }

    /// How many compared lines each tolerance source decided, so nobody has to guess which rule applied.
    private func toleranceSummary(_ report: ReconciliationReport) -> String {
        var bySource: [String: (lines: Int, within: Int)] = [:]
        for line in report.result.lines {
            guard let source = line.tolerance?.source else { continue }
            bySource[source, default: (0, 0)].lines += 1
            if line.classification == .withinTolerance { bySource[source, default: (0, 0)].within += 1 }
        }
        var html = "<div class=\"panel\"><h2>Tolerances applied</h2><table class=\"compact\" id=\"tolerances\">"
        html += "<thead><tr><th>Source</th><th class=\"num\">Lines compared</th><th class=\"num\">Within tolerance</th>"
        html += "</tr></thead><tbody>"
        for source in bySource.keys.sorted() {
            let counts = bySource[source] ?? (0, 0)
            html += "<tr><td>\(escape(source))</td><td class=\"num\">\(counts.lines)</td>"
            html += "<td class=\"num\">\(counts.within == 0 ? "·" : String(counts.within))</td></tr>"
        }
        return html + "</tbody></table></div>\n"
    }

    /// Horizontal bars: breaks per venue/asset (the 15 with most breaks), coloured by classification.
    private func breaksChart(_ report: ReconciliationReport) -> String {
        var byKey: [String: [Classification: Int]] = [:]
        for line in report.result.breaks {
            byKey["\(line.key.venue) · \(line.key.asset)", default: [:]][line.classification, default: 0] += 1
        }
        let rows = byKey.sorted { lhs, rhs in
            let left = lhs.value.values.reduce(0, +)
            let right = rhs.value.values.reduce(0, +)
            return left != right ? left > right : lhs.key < rhs.key
        }
        let shown = rows.prefix(15)
        var html = "<div class=\"panel\"><h2>Breaks by venue and asset</h2>"
        guard !shown.isEmpty else { return html + "<p class=\"empty\">No breaks.</p></div>\n" }
        let largest = shown.map { $0.value.values.reduce(0, +) }.max() ?? 1
        let height = shown.count * 26 + 10
        html += "<svg class=\"chart\" id=\"chart-breaks\" viewBox=\"0 0 560 \(height)\" role=\"img\" "
        html += "aria-label=\"Breaks by venue and asset\">"
        for (index, row) in shown.enumerated() {
            let y = index * 26 + 5
            html += "<text x=\"200\" y=\"\(y + 15)\" text-anchor=\"end\" class=\"axis\">\(escape(row.key))</text>"
            var x = 208.0
            for classification in Classification.allCases where classification.isBreak {
                let count = row.value[classification, default: 0]
                guard count > 0 else { continue }
                let width = max(2, 320.0 * Double(count) / Double(largest))
                html += "<rect x=\"\(Int(x))\" y=\"\(y)\" width=\"\(Int(width))\" height=\"18\" rx=\"3\" "
                html += "fill=\"\(Self.colors[classification] ?? "#999")\"><title>\(escape(row.key)): \(count) "
                html += "\(Self.labels[classification] ?? "")</title></rect>"
                x += width
            }
            html += "<text x=\"\(Int(x) + 6)\" y=\"\(y + 15)\" class=\"value\">\(row.value.values.reduce(0, +))</text>"
        }
        html += "</svg>" + legend(Classification.allCases.filter(\.isBreak))
        if rows.count > shown.count {
            html += "<p class=\"muted\">… and \(rows.count - shown.count) more venue and asset pairs with breaks.</p>"
        }
        return html + "</div>\n"
    }

    /// Columns: breaks by the size of the difference relative to the larger side.
    private func differenceChart(_ report: ReconciliationReport) -> String {
        let buckets = ["< 1 bp", "1–10 bps", "10–100 bps", "0.1–1 %", "1–10 %", "≥ 10 %", "side absent"]
        var counts = Array(repeating: 0, count: buckets.count)
        let thresholds = ["1", "10", "100", "1000", "10000"].compactMap(Amount.init)
        for line in report.result.breaks {
            guard let basisPoints = line.relativeDifferenceBasisPoints?.magnitude,
                line.classification == .mismatch || line.classification == .withinTolerance
            else {
                counts[buckets.count - 1] += 1
                continue
            }
            counts[thresholds.firstIndex { basisPoints < $0 } ?? thresholds.count] += 1
        }
        var html = "<div class=\"panel\"><h2>Size of the differences (breaks)</h2>"
        guard counts.contains(where: { $0 > 0 }) else { return html + "<p class=\"empty\">No breaks.</p></div>\n" }
        let largest = counts.max() ?? 1
        html += "<svg class=\"chart\" id=\"chart-differences\" viewBox=\"0 0 560 210\" role=\"img\" "
        html += "aria-label=\"Breaks by size of difference\">"
        for (index, label) in buckets.enumerated() {
            let x = 14 + index * 78
            let barHeight = counts[index] == 0 ? 0 : max(3, 140 * counts[index] / largest)
            let color = index == buckets.count - 1 ? "#ef6c00" : "#c62828"
            html +=
                "<rect x=\"\(x)\" y=\"\(160 - barHeight)\" width=\"60\" height=\"\(barHeight)\" rx=\"3\" fill=\"\(color)\">"
            html += "<title>\(escape(label)): \(counts[index])</title></rect>"
            html +=
                "<text x=\"\(x + 30)\" y=\"\(154 - barHeight)\" text-anchor=\"middle\" class=\"value\">\(counts[index])</text>"
            html += "<text x=\"\(x + 30)\" y=\"180\" text-anchor=\"middle\" class=\"axis\">\(escape(label))</text>"
        }
        html += "<line x1=\"8\" y1=\"160\" x2=\"552\" y2=\"160\" class=\"baseline\"/></svg>"
        return html + "</div>\n"
    }

    private func legend(_ classifications: [Classification]) -> String {
        "<div class=\"legend\">"
            + classifications.map {
                "<span><i style=\"background:\(Self.colors[$0] ?? "#999")\"></i>\(Self.labels[$0] ?? $0.rawValue)</span>"
            }.joined() + "</div>"
    }

    private func linesTable(_ report: ReconciliationReport) -> String {
        var html = """
            <section class="panel wide">
            <h2>Lines</h2>
            <div class="toolbar">
            <input type="search" id="filter" placeholder="Filter: venue, account, asset, note…" aria-label="Filter lines">
            <select id="classification" aria-label="Classification">
            <option value="breaks">Breaks only</option><option value="">All lines</option>
            """
        for classification in Classification.allCases {
            html += "<option value=\"\(classification.rawValue)\">\(Self.labels[classification] ?? "")</option>"
        }
        html += """
            </select>
            <span id="shown" class="muted"></span>
            </div>
            <div class="scroll"><table id="lines" class="lines">
            <thead><tr>
            <th data-type="text">Venue</th><th data-type="text">Account</th><th data-type="text">Asset</th>
            <th data-type="text">Classification</th><th data-type="number" class="num">Ledger</th>
            <th data-type="number" class="num">Statement</th><th data-type="number" class="num">Difference</th>
            \(report.valuation.map { "<th data-type=\"number\" class=\"num\">Value (\(escape($0.currency)))</th>" } ?? "")
            <th data-type="number" class="num">Rel. diff (bps)</th><th data-type="number">Tolerance</th>
            <th data-type="text">Since</th><th data-type="text">Notes and sources</th>
            </tr></thead>
            <tbody>

            """
        // Breaks first (largest first), then acknowledged ones, then lines not reconciled, then the rest in key order
        // — at most `maxTableLines`, so the page stays usable and bounded at any size; report.csv and report.json hold
        // every line.
        let others: Set<Classification> = [.unreconciled, .acknowledged]
        let ordered =
            report.rankedBreaks + report.acknowledgedLines
            + report.result.lines.filter { $0.classification == .unreconciled }
            + report.result.lines.filter { !$0.classification.isBreak && !others.contains($0.classification) }
        for line in ordered.prefix(maxTableLines) {
            let age = report.ageing[line.key]
            let sources =
                line.classification == .conflict
                ? ""
                : (line.ledgerSources.map { "ledger \($0)" } + line.statementSources.map { "statement \($0)" })
                    .joined(separator: "<br>")
            let notes =
                report.notes(of: line).map(escape).joined(separator: "<br>")
                + (sources.isEmpty
                    ? "" : "<div class=\"sources\">\(escape(sources).replacingAll("&lt;br&gt;", with: "<br>"))</div>")
            html += "<tr class=\"\(line.classification.rawValue)\" data-break=\"\(line.classification.isBreak)\">"
            html += "<td>\(escape(line.key.venue))</td><td>\(escape(line.key.account))</td>"
            html += "<td><b>\(escape(line.key.asset))</b></td>"
            html += "<td><span class=\"tag\" style=\"--accent:\(Self.colors[line.classification] ?? "#555")\">"
            html += "\(line.classification.rawValue)</span></td>"
            html += amountCell(line.ledger) + amountCell(line.statement) + amountCell(line.difference, signed: true)
            if report.valuation != nil {
                html += line.difference == nil ? amountCell(nil) : valueCell(line.differenceValue, report.valuation)
            }
            html += amountCell(line.relativeDifferenceBasisPoints)
            if let tolerance = line.tolerance {
                html +=
                    "<td class=\"tolerance\" data-value=\"\(tolerance.value)\"><span class=\"num\">\(grouped(tolerance.value))</span>"
                html += "<div class=\"source\">\(escape(tolerance.source))</div></td>"
            } else {
                html += "<td class=\"muted\" data-value=\"\">—</td>"
            }
            html +=
                "<td class=\"since\">\(age.map { "\(escape($0.firstSeen))<div class=\"muted\">\(Self.days($0.ageDays))</div>" } ?? "")</td>"
            html += "<td class=\"notes\">\(notes)</td></tr>\n"
        }
        html += "</tbody></table></div>\n"
        if ordered.count > maxTableLines {
            html +=
                "<p class=\"muted\" id=\"lines-capped\">Showing \(maxTableLines) of \(ordered.count) lines, the breaks "
                + "first; every line is in report.csv and report.json.</p>\n"
        }
        return html + "</section>\n"
    }

    /// `3 business days`.
    static func days(_ count: Int) -> String { "\(count) business day\(count == 1 ? "" : "s")" }

    /// Known, explained breaks with who said so: reason, by, approved by, expires.
    private func acknowledgedTable(_ report: ReconciliationReport) -> String {
        let lines = report.acknowledgedLines
        guard !lines.isEmpty else { return "" }
        var html = "<section class=\"panel wide\"><h2>Acknowledged (\(lines.count))</h2>"
        html +=
            "<p class=\"muted\">Known breaks, approved by a second person: not counted as breaks while in force.</p>"
        html += "<div class=\"scroll\"><table class=\"compact\" id=\"acknowledged\"><thead><tr><th>Venue</th>"
        html += "<th>Account</th><th>Asset</th><th class=\"num\">Difference</th>"
        if let valuation = report.valuation { html += "<th class=\"num\">Value (\(escape(valuation.currency)))</th>" }
        html += "<th>Reason</th><th>By</th><th>Approved by</th><th>Expires</th><th>Since</th></tr></thead><tbody>\n"
        for line in lines.prefix(maxTableLines) {
            let acknowledgement = line.acknowledgement
            html += "<tr><td>\(escape(line.key.venue))</td><td>\(escape(line.key.account))</td>"
            html += "<td><b>\(escape(line.key.asset))</b></td>" + amountCell(line.difference, signed: true)
            if report.valuation != nil { html += valueCell(line.differenceValue, report.valuation) }
            html += "<td>\(escape(acknowledgement?.reason ?? ""))</td><td>\(escape(acknowledgement?.by ?? ""))</td>"
            html += "<td>\(escape(acknowledgement?.approvedBy ?? ""))</td>"
            html += "<td>\(escape(acknowledgement?.expires ?? "—"))</td>"
            let age = report.ageing[line.key].map { "\(escape($0.firstSeen)) · \(Self.days($0.ageDays))" } ?? ""
            html += "<td class=\"since\">\(age)</td></tr>\n"
        }
        return html + "</tbody></table></div></section>\n"
    }

    private func amountCell(_ amount: Amount?, signed: Bool = false) -> String {
        guard let amount else { return "<td class=\"num muted\" data-value=\"\">—</td>" }
        let tone = signed && !amount.isZero ? (amount.isNegative ? " neg" : " pos") : ""
        return "<td class=\"num\(tone)\" data-value=\"\(amount)\">\(grouped(amount))</td>"
    }

    /// A value in the reporting currency: shown rounded to its minor unit, exact in `data-value` and the tooltip.
    private func valueCell(_ value: Amount?, _ valuation: Valuation?) -> String {
        guard let value, let valuation else { return "<td class=\"num muted\" data-value=\"\">no price</td>" }
        let tone = value.isZero ? "" : (value.isNegative ? " neg" : " pos")
        return "<td class=\"num\(tone)\" data-value=\"\(value)\" title=\"\(value) \(escape(valuation.currency))\">"
            + "\(grouped(value.roundedHalfAwayFromZero(toScale: valuation.decimals)))</td>"
    }

    /// `1234567.5` → `1 234 567.5` (thin spaces) for reading; the exact value stays in `data-value`.
    private func grouped(_ amount: Amount) -> String {
        let text = amount.description
        let negative = text.hasPrefix("-")
        let body = negative ? String(text.dropFirst()) : text
        let parts = body.split(separator: ".", maxSplits: 1, omittingEmptySubsequences: false)
        var integer = String(parts[0])
        var groups: [String] = []
        while integer.count > 3 {
            groups.insert(String(integer.suffix(3)), at: 0)
            integer.removeLast(3)
        }
        groups.insert(integer, at: 0)
        let fraction = parts.count > 1 ? "." + parts[1] : ""
        return (negative ? "−" : "") + groups.joined(separator: "\u{2009}") + fraction
    }

    private func inputsTable(_ report: ReconciliationReport) -> String {
        var html = """
            <section class="panel wide"><h2>Inputs</h2><div class="scroll"><table class="compact" id="inputs">
            <thead><tr><th>Side</th><th>Input</th><th>File</th><th>Format</th><th class="num">Size</th>\
            <th>SHA-256</th><th class="num">Records</th><th>Status</th></tr></thead><tbody>

            """
        var listed = 0
        for input in report.inputs where listed < maxInputRows {
            for (index, file) in input.files.enumerated() where listed < maxInputRows {
                listed += 1
                let status =
                    input.failed
                    ? "<span class=\"tag\" style=\"--accent:#c62828\">failed</span> \(escape(input.error ?? ""))" : "ok"
                html +=
                    "<tr><td>\(index == 0 ? input.side.rawValue : "")</td><td>\(index == 0 ? escape(input.name) : "")</td>"
                html +=
                    "<td><code>\(escape(file.displayPath))</code>\(file.compressed ? " <span class=\"muted\">gzip</span>" : "")</td>"
                html += "<td>\(escape(file.format))</td><td class=\"num\">\(file.size)</td>"
                html += "<td><code class=\"hash\" title=\"\(file.sha256)\">\(file.sha256)</code></td>"
                html +=
                    "<td class=\"num\">\(index == 0 ? String(input.recordCount) : "")</td><td>\(index == 0 ? status : "")</td></tr>\n"
            }
        }
        html += "</tbody></table></div>"
        let files = report.inputs.reduce(0) { $0 + $1.files.count }
        if files > listed {
            html += "<p class=\"muted\">Showing \(listed) of \(files) files; every file is in report.json.</p>"
        }
        return html + "</section>\n"
    }

    private func diagnosticsList(_ report: ReconciliationReport) -> String {
        let diagnostics = report.allDiagnostics
        guard !diagnostics.isEmpty else { return "" }
        var html =
            "<section class=\"panel wide\"><h2>Diagnostics (\(diagnostics.count))</h2><ul class=\"diagnostics\">\n"
        for diagnostic in diagnostics.prefix(500) {
            html += "<li class=\"\(diagnostic.severity.rawValue)\"><b>\(diagnostic.severity.rawValue)</b> "
            html +=
                "<code>\(escape(diagnostic.location?.description ?? ""))</code> \(escape(diagnostic.message))</li>\n"
        }
        if diagnostics.count > 500 { html += "<li>… and \(diagnostics.count - 500) more in report.json</li>\n" }
        return html + "</ul></section>\n"
    }

    private func metadata(_ report: ReconciliationReport) -> String {
        """
        <footer class="panel wide"><h2>Run</h2><dl>
        <dt>Job</dt><dd>\(escape(report.job))</dd><dt>As of</dt><dd>\(escape(report.asOf))</dd>
        <dt>Run id</dt><dd><code>\(escape(report.runID))</code></dd><dt>Started</dt><dd>\(escape(report.startedAt))</dd>
        <dt>Result digest</dt><dd><code id="digest">\(escape(report.resultDigest))</code></dd>
        <dt>Max breaks</dt><dd>\(report.maxBreaks)</dd><dt>Tool</dt><dd>recon \(escape(report.toolVersion))</dd>
        </dl></footer>

        """
    }

    /// Text safe in HTML content and attribute values.
    func escape(_ text: String) -> String {
        var result = ""
        result.reserveCapacity(text.utf8.count)
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

    /// The page's style and script live in `Resources/report.css` and `report.js`, compiled into the library
    /// (`embedInCode`): no resource bundle to lose when the binary is copied elsewhere.
    static func resource(_ bytes: [UInt8]) -> String {
        let text = String(decoding: bytes, as: UTF8.self)
        return text.hasSuffix("\n") ? String(text.dropLast()) : text
    }

    static let style = HTMLReportWriter.resource(PackageResources.report_css)

    static let script = HTMLReportWriter.resource(PackageResources.report_js)
}
