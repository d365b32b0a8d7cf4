/// `report.md`: a summary to paste into a ticket — status, counts, counts per venue, the breaks, the inputs.
package struct MarkdownReportWriter: ReportWriter {
    package let format = ReportFormat.markdown
    package let fileName = "report.md"

    /// At most this many breaks are listed; the rest are in report.json / report.csv.
    package var maxListedBreaks = 200

    /// Creates the writer.
    package init() {}

    package func render(_ report: ReconciliationReport) -> String {
        var text = "# Reconciliation `\(report.job)` — \(report.asOf)\n\n"
        text += "**Status: \(report.status.rawValue)** (exit \(report.exitStatus))"
        if report.status == .breaks && report.exitStatus == 0 {
            text += " — \(report.breakCount) break(s), within `max_breaks: \(report.maxBreaks)`"
        }
        text += "\n\nRun `\(report.runID)` · cutoff \(cell(report.cutoff.description)) · started \(report.startedAt) · "
        text += "result digest `\(report.resultDigest)`\n\n"
        for notice in report.notices { text += "> **Note:** \(cell(notice))\n\n" }

        let counts = report.result.counts
        text += "| Classification | Lines |\n|---|---:|\n"
        for classification in Classification.allCases {
            text += "| \(classification.rawValue) | \(counts[classification, default: 0]) |\n"
        }
        text += "| **total** | **\(report.result.lines.count)** |\n\n"

        text += "## By venue\n\n| Venue | " + Classification.allCases.map(\.rawValue).joined(separator: " | ") + " |\n"
        text += "|---|" + String(repeating: "---:|", count: Classification.allCases.count) + "\n"
        for (venue, venueCounts) in report.countsByVenue {
            text +=
                "| \(cell(venue)) | "
                + Classification.allCases.map { String(venueCounts[$0, default: 0]) }.joined(separator: " | ") + " |\n"
        }

        let breaks = report.rankedBreaks
        let valuation = report.valuation
        text += "\n## Breaks (\(breaks.count))\n\n"
        if let totals = report.valueTotals {
            text += Self.totalsSentence(totals, valuation: valuation) + "\n\n"
        }
        if breaks.isEmpty {
            text += "None.\n"
        } else {
            text += "Largest first\(valuation.map { " (by value in \($0.currency))" } ?? "").\n\n"
            text +=
                "| Venue | Account | Asset | Ledger | Statement | Difference |\(valuation == nil ? "" : " Value |")"
                + " Tolerance | Classification | Since | Notes |\n"
            text += "|---|---|---|---:|---:|---:|\(valuation == nil ? "" : "---:|")---|---|---|---|\n"
            for line in breaks.prefix(maxListedBreaks) {
                let tolerance = line.tolerance.map { "\($0.value) (\($0.source))" } ?? ""
                var columns = [
                    line.key.venue, line.key.account, line.key.asset, line.ledger?.description ?? "—",
                    line.statement?.description ?? "—", line.difference?.description ?? "—",
                ]
                if let valuation { columns.append(line.differenceValue.map(valuation.display) ?? "no price") }
                columns += [
                    tolerance, line.classification.rawValue, Self.age(report.ageing[line.key]),
                    report.notes(of: line).joined(separator: "; "),
                ]
                text += "| " + columns.map(cell).joined(separator: " | ") + " |\n"
            }
            if breaks.count > maxListedBreaks {
                text += "\n… and \(breaks.count - maxListedBreaks) more in report.csv and report.json.\n"
            }
        }

        let acknowledged = report.acknowledgedLines
        if !acknowledged.isEmpty {
            text += "\n## Acknowledged (\(acknowledged.count))\n\n"
            text += "Known, explained breaks, approved by a second person: not counted as breaks while in force.\n\n"
            text +=
                "| Venue | Account | Asset | Difference |\(valuation == nil ? "" : " Value |")"
                + " Reason | By | Approved by | Expires | Since |\n"
            text += "|---|---|---|---:|\(valuation == nil ? "" : "---:|")---|---|---|---|---|\n"
            for line in acknowledged.prefix(maxListedBreaks) {
                let acknowledgement = line.acknowledgement
                var columns = [line.key.venue, line.key.account, line.key.asset, line.difference?.description ?? "—"]
                if let valuation { columns.append(line.differenceValue.map(valuation.display) ?? "no price") }
                columns += [
                    acknowledgement?.reason ?? "", acknowledgement?.by ?? "", acknowledgement?.approvedBy ?? "",
                    acknowledgement?.expires ?? "—", Self.age(report.ageing[line.key]),
                ]
                text += "| " + columns.map(cell).joined(separator: " | ") + " |\n"
            }
            if acknowledged.count > maxListedBreaks {
                text += "\n… and \(acknowledged.count - maxListedBreaks) more in report.csv and report.json.\n"
            }
        }

        let unreconciled = report.result.lines { $0 == .unreconciled }
        if !unreconciled.isEmpty {
            text += "\n## Not reconciled (\(unreconciled.count))\n\n"
            text +=
                "An input these keys belong to failed or was missing: they are not breaks, and not facts either.\n\n"
            text += "| Venue | Account | Asset | Ledger | Statement | Notes |\n|---|---|---|---:|---:|---|\n"
            for line in unreconciled.prefix(maxListedBreaks) {
                let columns = [
                    line.key.venue, line.key.account, line.key.asset, line.ledger?.description ?? "—",
                    line.statement?.description ?? "—", report.notes(of: line).joined(separator: "; "),
                ]
                text += "| " + columns.map(cell).joined(separator: " | ") + " |\n"
            }
            if unreconciled.count > maxListedBreaks {
                text += "\n… and \(unreconciled.count - maxListedBreaks) more in report.json.\n"
            }
        }

        text += "\n## Inputs\n\n| Side | Input | Format | Records | SHA-256 | Status |\n|---|---|---|---:|---|---|\n"
        for input in report.inputs {
            let formats = Set(input.files.map(\.format)).sorted().joined(separator: ", ")
            let digests = input.files.map { "`\($0.sha256.prefix(16))…`" }.joined(separator: " ")
            let status = input.failed ? "**failed**: \(input.error ?? "")" : input.skipped ? "skipped" : "ok"
            text +=
                "| \(input.side.rawValue) | \(cell(input.name)) | \(formats) | \(input.recordCount) | \(digests) | \(cell(status)) |\n"
        }
        let diagnostics = report.allDiagnostics
        if !diagnostics.isEmpty {
            text += "\n## Diagnostics\n\n"
            for diagnostic in diagnostics.prefix(100) { text += "- \(cell(diagnostic.description))\n" }
            if diagnostics.count > 100 { text += "- … and \(diagnostics.count - 100) more in report.json\n" }
        }
        return text
    }

    /// `2026-11-20 (3 business days)`, or empty without an age.
    static func age(_ age: BreakAge?) -> String {
        guard let age else { return "" }
        return "\(age.firstSeen) (\(age.ageDays) business day\(age.ageDays == 1 ? "" : "s"))"
    }

    /// `Breaks worth 2,762.50 USD in all (1 without a value); acknowledged: 120.00 USD.`
    static func totalsSentence(_ totals: ValueTotals, valuation: Valuation?) -> String {
        guard !totals.overflowed, let valuation else { return "The break totals leave the exact range." }
        var text = "Breaks worth \(valuation.display(totals.breakValue)) in all"
        if totals.unvaluedBreaks > 0 { text += " (\(totals.unvaluedBreaks) without a value)" }
        text += "; acknowledged: \(valuation.display(totals.acknowledgedValue))"
        if totals.unvaluedAcknowledged > 0 { text += " (\(totals.unvaluedAcknowledged) without a value)" }
        return text + "."
    }

    /// Text safe inside a table cell.
    private func cell(_ text: String) -> String {
        Escaping.markdown(text)
    }
}

extension String {
    /// Every occurrence of `target` replaced (no Foundation needed).
    func replacingAll(_ target: String, with replacement: String) -> String {
        guard !target.isEmpty, contains(target) else { return self }
        return split(separator: target, omittingEmptySubsequences: false).joined(separator: replacement)
    }
}
