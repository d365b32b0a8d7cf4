import Foundation
import Mustache

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
        Self.templates.head.render(page(report)) + Self.footer(report, digest: report.resultDigest)
    }

    /// The page up to its result digest, made before the digest is (beside report.json, which makes it), then the
    /// footer with it: the page of 5,000 lines was the last file written, alone on one core.
    package func prepare(_ report: ReconciliationReport) -> PreparedReport {
        let head = Array(Self.templates.head.render(page(report)).utf8)
        return PreparedReport { digest, sink in
            head.withUnsafeBytes { sink.write($0) }
            Array(Self.footer(report, digest: digest).utf8).withUnsafeBytes { sink.write($0) }
        }
    }

    /// The page from its result digest on: the digest, the maximum of breaks, the tool's version and the script.
    private static func footer(_ report: ReconciliationReport, digest: String) -> String {
        templates.tail.render([
            "resultDigest": digest, "maxBreaks": report.maxBreaks, "toolVersion": report.toolVersion,
            "script": script,
        ])
    }

    /// The page's markup, `Resources/report.html.mustache`, compiled in and parsed once. Every `{{value}}` is escaped
    /// by construction (``ScalarHTMLEscaping``); only the page's own style and script are inserted raw.
    ///
    /// Parsed as two templates cut before `{{resultDigest}}` (which is outside every section), so that everything
    /// before the digest can be made before the digest is; the part after it escapes as the page does.
    static let templates: (head: MustacheTemplate, tail: MustacheTemplate) = {
        MustacheContentTypes.register(ScalarHTMLEscaping(), named: "RECON_HTML")
        let source = resource(PackageResources.report_html_mustache)
        let pragma = "{{% CONTENT_TYPE: RECON_HTML}}"
        let parts = source.components(separatedBy: "{{resultDigest}}")
        precondition(
            source.hasPrefix(pragma) && parts.count == 2, "the report template names its result digest once")
        do {
            return (
                try MustacheTemplate(string: parts[0]),
                try MustacheTemplate(string: pragma + "{{resultDigest}}" + parts[1])
            )
        } catch {
            preconditionFailure("the report template does not parse: \(error)")
        }
    }()

    // MARK: The page's values

    /// Everything the template shows, as plain values (the template escapes them).
    private func page(_ report: ReconciliationReport) -> [String: Any] {
        var page: [String: Any] = [
            "toolVersion": report.toolVersion, "job": report.job, "asOf": report.asOf,
            "status": report.status.rawValue, "exitStatus": report.exitStatus, "cutoff": report.cutoff.description,
            "verdict": verdict(report), "gaps": gaps(report), "lineCount": report.result.lines.count,
            "runID": report.runID, "startedAt": report.startedAt, "style": Self.style,
            "currency": report.valuation?.currency ?? false,
        ]
        let counts = report.result.counts
        page["cards"] = Classification.allCases.map { classification -> [String: Any] in
            let count = counts[classification, default: 0]
            return [
                "alert": classification.isBreak && count > 0, "color": Self.colors[classification] ?? "#555",
                "name": classification.rawValue, "count": count, "label": Self.labels[classification] ?? "",
            ]
        }
        page["classes"] = Classification.allCases.map { classification -> [String: Any] in
            [
                "name": classification.rawValue, "label": Self.labels[classification] ?? "",
                "short": short(classification),
            ]
        }
        page["venues"] = report.countsByVenue.map { venue, venueCounts -> [String: Any] in
            [
                "venue": venue,
                "cells": Classification.allCases.map { classification -> [String: Any] in
                    let count = venueCounts[classification, default: 0]
                    return ["hot": classification.isBreak && count > 0, "text": count == 0 ? "·" : String(count)]
                },
            ]
        }
        breaksChart(report, into: &page)
        differenceChart(report, into: &page)
        page["tolerances"] = toleranceSummary(report)
        acknowledgedTable(report, into: &page)
        linesTable(report, into: &page)
        inputsTable(report, into: &page)
        let diagnostics = report.allDiagnostics
        page["hasDiagnostics"] = !diagnostics.isEmpty
        page["diagnosticCount"] = diagnostics.count
        page["diagnostics"] = diagnostics.prefix(500).map { diagnostic -> [String: Any] in
            [
                "severity": diagnostic.severity.rawValue, "location": diagnostic.location?.description ?? "",
                "message": diagnostic.message,
            ]
        }
        page["moreDiagnostics"] = diagnostics.count > 500 ? diagnostics.count - 500 : false
        return page
    }

    private func verdict(_ report: ReconciliationReport) -> String {
        let breaks = report.breakCount
        switch report.status {
        case .reconciled: return "Reconciled — every line matches"
        case .reconciledWithinTolerance: return "Reconciled within tolerance"
        case .reconciledWithAcknowledged: return "Reconciled — the only differences are acknowledged"
        case .breaks:
            return report.exitStatus == 0
                ? "\(breaks) break\(breaks == 1 ? "" : "s") — accepted (max_breaks \(report.maxBreaks))"
                : "\(breaks) break\(breaks == 1 ? "" : "s") need\(breaks == 1 ? "s" : "") attention"
        case .partial:
            return "Partial — \(report.inputs.filter(\.failed).count) input(s) failed; \(breaks) break(s)"
        case .failed: return "Failed — no input could be read"
        }
    }

    /// What the banner says besides the verdict: lines not reconciled and why, acknowledged breaks, the value of the
    /// breaks, the run's notices.
    private func gaps(_ report: ReconciliationReport) -> [String] {
        let unreconciled = report.result.counts[.unreconciled, default: 0]
        var gaps: [String] = []
        if unreconciled > 0 {
            let causes = Set(report.result.lines { $0 == .unreconciled }.flatMap(\.notes))
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
        if let totals = report.valueTotals, !totals.overflowed, let valuation = report.valuation, report.breakCount > 0
        {
            gaps.append(
                "Breaks worth \(valuation.display(totals.breakValue))"
                    + (totals.unvaluedBreaks > 0 ? " (\(totals.unvaluedBreaks) without a value)" : ""))
        }
        return gaps + report.notices
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
    private func toleranceSummary(_ report: ReconciliationReport) -> [[String: Any]] {
        // A run has a handful of sources, each line holding a shared copy of one: found by a scan from the last one
        // found, not by hashing every line's source into a dictionary (twice, at 1.3M lines).
        var sources: [(source: String, lines: Int, within: Int)] = []
        var last = 0
        let lines = report.result.lines
        for index in lines.indices {
            guard let source = lines[index].tolerance?.source else { continue }
            if last >= sources.count || sources[last].source != source {
                // As a dictionary keyed by the text would: equal texts (canonically equivalent ones too) are one.
                if let found = sources.firstIndex(where: { $0.source == source }) {
                    last = found
                } else {
                    sources.append((source, 0, 0))
                    last = sources.count - 1
                }
            }
            sources[last].lines += 1
            if lines[index].classification == .withinTolerance { sources[last].within += 1 }
        }
        return sources.sorted { $0.source < $1.source }.map { entry in
            ["source": entry.source, "lines": entry.lines, "within": entry.within == 0 ? "·" : String(entry.within)]
        }
    }

    /// Horizontal bars: breaks per venue/asset (the 15 with most breaks), coloured by classification.
    private func breaksChart(_ report: ReconciliationReport, into page: inout [String: Any]) {
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
        let largest = shown.map { $0.value.values.reduce(0, +) }.max() ?? 1
        page["hasBreakRows"] = !shown.isEmpty
        page["breakChartHeight"] = shown.count * 26 + 10
        page["breakRows"] = shown.enumerated().map { index, row -> [String: Any] in
            let y = index * 26 + 5
            var x = 208.0
            var bars: [[String: Any]] = []
            for classification in Classification.allCases where classification.isBreak {
                let count = row.value[classification, default: 0]
                guard count > 0 else { continue }
                let width = max(2, 320.0 * Double(count) / Double(largest))
                bars.append([
                    "x": Int(x), "y": y, "width": Int(width), "color": Self.colors[classification] ?? "#999",
                    "title": "\(row.key): \(count) \(Self.labels[classification] ?? "")",
                ])
                x += width
            }
            return [
                "label": row.key, "textY": y + 15, "bars": bars, "totalX": Int(x) + 6,
                "total": row.value.values.reduce(0, +),
            ]
        }
        page["breakLegend"] = Classification.allCases.filter(\.isBreak).map { classification -> [String: Any] in
            ["color": Self.colors[classification] ?? "#999", "label": Self.labels[classification] ?? ""]
        }
        page["moreBreakRows"] = rows.count > shown.count ? rows.count - shown.count : false
    }

    /// Columns: breaks by the size of the difference relative to the larger side.
    private func differenceChart(_ report: ReconciliationReport, into page: inout [String: Any]) {
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
        let largest = max(1, counts.max() ?? 1)
        page["hasSizes"] = counts.contains { $0 > 0 }
        page["sizes"] = buckets.enumerated().map { index, label -> [String: Any] in
            let x = 14 + index * 78
            let barHeight = counts[index] == 0 ? 0 : max(3, 140 * counts[index] / largest)
            return [
                "x": x, "y": 160 - barHeight, "height": barHeight, "middle": x + 30, "valueY": 154 - barHeight,
                "color": index == buckets.count - 1 ? "#ef6c00" : "#c62828", "label": label, "count": counts[index],
            ]
        }
    }

    /// Known, explained breaks with who said so: reason, by, approved by, expires.
    private func acknowledgedTable(_ report: ReconciliationReport, into page: inout [String: Any]) {
        let lines = report.acknowledgedLines
        page["hasAcknowledged"] = !lines.isEmpty
        page["acknowledgedCount"] = lines.count
        page["acknowledged"] = lines.prefix(maxTableLines).map { line -> [String: Any] in
            let acknowledgement = line.acknowledgement
            return [
                "venue": line.key.venue, "account": line.key.account, "asset": line.key.asset,
                "difference": amountCell(line.difference, signed: true),
                "value": report.valuation == nil ? false : valueCell(line.differenceValue, report.valuation),
                "reason": acknowledgement?.reason ?? "", "by": acknowledgement?.by ?? "",
                "approvedBy": acknowledgement?.approvedBy ?? "", "expires": acknowledgement?.expires ?? "—",
                "since": report.ageing[line.key].map { "\($0.firstSeen) · \(Self.days($0.ageDays))" } ?? "",
            ]
        }
    }

    /// Breaks first (largest first), then acknowledged ones, then lines not reconciled, then the rest in key order —
    /// at most `maxTableLines`, so the page stays usable and bounded at any size; report.csv and report.json hold
    /// every line.
    private func linesTable(_ report: ReconciliationReport, into page: inout [String: Any]) {
        // Only the lines shown are gathered: a copy of every line in this order was 75 MB at 150,000 keys.
        // Breaks, then acknowledged ones, each cut to what can be shown (concatenating both whole copied every line).
        var ordered = Array(report.rankedBreaks.prefix(maxTableLines))
        if ordered.count < maxTableLines {
            ordered += report.acknowledgedLines.prefix(maxTableLines - ordered.count)
        }
        for wanted in [true, false] where ordered.count < maxTableLines {
            for line in report.result.lines where (line.classification == .unreconciled) == wanted {
                guard wanted || !(line.classification.isBreak || line.classification == .acknowledged) else { continue }
                ordered.append(line)
                if ordered.count == maxTableLines { break }
            }
        }
        page["lines"] = ordered.map { line -> [String: Any] in
            let sources =
                line.classification == .conflict
                ? [] : line.ledgerSources.map { "ledger \($0)" } + line.statementSources.map { "statement \($0)" }
            return [
                "classification": line.classification.rawValue,
                "isBreak": line.classification.isBreak ? "true" : "false",
                "venue": line.key.venue, "account": line.key.account, "asset": line.key.asset,
                "color": Self.colors[line.classification] ?? "#555",
                "ledger": amountCell(line.ledger), "statement": amountCell(line.statement),
                "difference": amountCell(line.difference, signed: true),
                "value": report.valuation == nil
                    ? false
                    : (line.difference == nil ? amountCell(nil) : valueCell(line.differenceValue, report.valuation)),
                "bps": amountCell(line.relativeDifferenceBasisPoints),
                "tolerance": line.tolerance.map { tolerance -> [String: Any] in
                    [
                        "amount": tolerance.value.description, "text": grouped(tolerance.value),
                        "source": tolerance.source,
                    ]
                } ?? false,
                "age": report.ageing[line.key].map { age -> [String: Any] in
                    ["firstSeen": age.firstSeen, "days": Self.days(age.ageDays)]
                } ?? false,
                "notes": Self.separated(report.notes(of: line)), "hasSources": !sources.isEmpty,
                "sources": Self.separated(sources),
            ]
        }
        // Every line is in exactly one of the four groups.
        page["capped"] = report.result.lines.count > maxTableLines
        page["shown"] = maxTableLines
        page["total"] = report.result.lines.count
    }

    /// Items with a flag on every one after the first, for `<br>` between them.
    private static func separated(_ items: [String]) -> [[String: Any]] {
        items.enumerated().map { index, text in ["text": text, "sep": index > 0] }
    }

    private func inputsTable(_ report: ReconciliationReport, into page: inout [String: Any]) {
        var files: [[String: Any]] = []
        for input in report.inputs where files.count < maxInputRows {
            for (index, file) in input.files.enumerated() where files.count < maxInputRows {
                files.append([
                    "side": index == 0 ? input.side.rawValue : "", "name": index == 0 ? input.name : "",
                    "path": file.displayPath, "compressed": file.compressed, "format": file.format, "size": file.size,
                    "sha256": file.sha256, "records": index == 0 ? String(input.recordCount) : "",
                    "failed": index == 0 && input.failed, "error": input.error ?? "", "ok": index == 0 && !input.failed,
                ])
            }
        }
        let total = report.inputs.reduce(0) { $0 + $1.files.count }
        page["files"] = files
        page["filesCapped"] = total > files.count
        page["listed"] = files.count
        page["fileTotal"] = total
    }

    /// `3 business days`.
    static func days(_ count: Int) -> String { "\(count) business day\(count == 1 ? "" : "s")" }

    /// An amount's table cell: the exact figure in `data-value` (what the script sorts by), grouped for reading.
    private func amountCell(_ amount: Amount?, signed: Bool = false) -> [String: Any] {
        guard let amount else { return ["cls": "num muted", "dataValue": "", "title": false, "text": "—"] }
        let tone = signed && !amount.isZero ? (amount.isNegative ? " neg" : " pos") : ""
        return ["cls": "num" + tone, "dataValue": amount.description, "title": false, "text": grouped(amount)]
    }

    /// A value in the reporting currency: shown rounded to its minor unit, exact in `data-value` and the tooltip.
    private func valueCell(_ value: Amount?, _ valuation: Valuation?) -> [String: Any] {
        guard let value, let valuation else {
            return ["cls": "num muted", "dataValue": "", "title": false, "text": "no price"]
        }
        let tone = value.isZero ? "" : (value.isNegative ? " neg" : " pos")
        return [
            "cls": "num" + tone, "dataValue": value.description, "title": "\(value) \(valuation.currency)",
            "text": grouped(value.roundedHalfAwayFromZero(toScale: valuation.decimals)),
        ]
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

    /// Text safe in HTML content and attribute values: `&`, `<`, `>`, `"` and `'` as entities, scalar by scalar (a
    /// `<` followed by a combining mark is still a `<`).
    static func escape(_ text: String) -> String {
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

/// The template's escaping: ``HTMLReportWriter/escape(_:)`` for every `{{value}}`. (The template library's own HTML
/// escaping maps Characters, so a `<` joined to a combining mark would pass it unescaped.)
struct ScalarHTMLEscaping: MustacheContentType {
    func escapeText(_ text: String) -> String { HTMLReportWriter.escape(text) }
}
