/// The short human summary printed after a run: the verdict, counts per venue, and the breaks.
package struct TerminalSummary: Sendable {
    /// Whether to use ANSI colours.
    package var color: Bool
    /// At most this many breaks are listed.
    package var maxListedBreaks: Int

    /// Creates a renderer.
    package init(color: Bool = false, maxListedBreaks: Int = 25) {
        self.color = color
        self.maxListedBreaks = maxListedBreaks
    }

    private func paint(_ text: String, _ code: String) -> String {
        color ? "\u{1B}[\(code)m\(text)\u{1B}[0m" : text
    }

    private func statusColor(_ status: ReconciliationStatus) -> String {
        switch status {
        case .reconciled, .reconciledWithinTolerance, .reconciledWithAcknowledged: "32"
        case .breaks: "33"
        case .partial, .failed: "31"
        }
    }

    /// The summary text, ending with a newline.
    package func render(_ report: ReconciliationReport, files: [WrittenFile] = []) -> String {
        var text =
            "\(TerminalText.escape(report.job)) \(report.asOf): "
            + paint(report.status.rawValue, "1;" + statusColor(report.status))
        text +=
            " (\(TerminalText.count(report.result.lines.count, "line")), "
            + TerminalText.count(report.breakCount, "break")
        let unreconciled = report.result.lines { $0 == .unreconciled }
        let acknowledged = report.acknowledgedLines
        if !acknowledged.isEmpty { text += ", \(acknowledged.count) acknowledged" }
        if !unreconciled.isEmpty { text += ", \(unreconciled.count) not reconciled" }
        if report.status == .breaks && report.exitStatus == 0 { text += ", within max_breaks \(report.maxBreaks)" }
        text += ")\n"
        text += "run \(report.runID) · cutoff: \(report.cutoff)\n"

        let short = [
            "matched", "within", "mismatch", "miss_stmt", "miss_ledger", "conflict", "unreconciled", "acknowledged",
        ]
        let venues = report.countsByVenue
        let venueWidth = max(5, venues.map { TerminalText.escape($0.venue).count }.max() ?? 0)
        text += "\n" + pad("venue", venueWidth) + short.map { "  " + padLeft($0, 12) }.joined() + "\n"
        for (venue, counts) in venues {
            text += pad(TerminalText.escape(venue), venueWidth)
            for classification in Classification.allCases {
                let count = counts[classification, default: 0]
                let cell = padLeft(String(count), 12)
                text += "  " + (count > 0 && classification.isBreak ? paint(cell, "33") : cell)
            }
            text += "\n"
        }

        // Where the rest of a long list is: the Markdown report, else the CSV, else the JSON.
        let fullList =
            ["report.md", "report.csv", "report.json"].lazy.compactMap { name in
                files.first { $0.displayPath.hasSuffix("/" + name) || $0.displayPath == name }
            }.first.map { " in \($0.displayPath)" } ?? ""
        let breaks = report.rankedBreaks
        if !breaks.isEmpty {
            text += "\nbreaks, largest first"
            if let totals = report.valueTotals, !totals.overflowed, let valuation = report.valuation {
                text += " (worth \(valuation.display(totals.breakValue))"
                text += totals.unvaluedBreaks > 0 ? "; \(totals.unvaluedBreaks) without a value)" : ")"
            }
            text += ":\n"
            for line in breaks.prefix(maxListedBreaks) {
                let ledger = line.ledger?.description ?? "—"
                let statement = line.statement?.description ?? "—"
                var difference = line.difference.map { " diff \($0)" } ?? ""
                if let valuation = report.valuation, line.difference != nil {
                    difference +=
                        line.differenceValue.map { " (\(valuation.display($0)))" }
                        ?? (valuation.price(of: line.key.asset) == nil ? " (no price)" : " (not valued)")
                }
                // A conflict says why (the key twice in one input, and where).
                let reason = line.classification == .conflict ? line.notes.first.map { "  (\($0))" } ?? "" : ""
                text +=
                    "  " + paint(line.classification.rawValue, "33")
                    + "  \(TerminalText.escape(line.key.description))  ledger \(ledger)  statement \(statement)"
                    + "\(difference)\(TerminalText.escape(reason))\n"
            }
            if breaks.count > maxListedBreaks {
                text += "  … and \(breaks.count - maxListedBreaks) more\(fullList)\n"
            }
        }
        if !acknowledged.isEmpty {
            text += "\nacknowledged (not breaks while in force):\n"
            for line in acknowledged.prefix(maxListedBreaks) {
                let acknowledgement = line.acknowledgement
                text +=
                    "  " + paint("acknowledged", "32")
                    + "  \(TerminalText.escape(line.key.description))  diff \(line.difference?.description ?? "—")  "
                    + TerminalText.escape(
                        "\(acknowledgement?.reason ?? "") (by \(acknowledgement?.by ?? "?"), approved by "
                            + "\(acknowledgement?.approvedBy ?? "?"))") + "\n"
            }
            if acknowledged.count > maxListedBreaks {
                text += "  … and \(acknowledged.count - maxListedBreaks) more\(fullList)\n"
            }
        }
        if !unreconciled.isEmpty {
            text += "\nnot reconciled (an input failed or was missing; not breaks):\n"
            for line in unreconciled.prefix(maxListedBreaks) {
                let reason = line.notes.last { $0.hasPrefix("not reconciled: ") }.map { String($0.dropFirst(16)) } ?? ""
                text +=
                    "  " + paint("unreconciled", "31")
                    + "  \(TerminalText.escape(line.key.description))  \(TerminalText.escape(reason))\n"
            }
            if unreconciled.count > maxListedBreaks {
                text += "  … and \(unreconciled.count - maxListedBreaks) more\(fullList)\n"
            }
        }
        for notice in report.notices { text += "\n" + paint("note", "31") + ": \(TerminalText.escape(notice))\n" }
        let failed = report.inputs.filter(\.failed)
        if !failed.isEmpty {
            text += "\nfailed inputs:\n"
            for input in failed {
                text +=
                    "  " + paint(TerminalText.escape(input.name), "31")
                    + ": \(TerminalText.escape(input.error ?? "failed"))\n"
            }
        }
        if !files.isEmpty {
            text += "\nreports: " + files.map(\.displayPath).joined(separator: ", ") + "\n"
        }
        return text
    }

    private func pad(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : text + String(repeating: " ", count: width - text.count)
    }

    private func padLeft(_ text: String, _ width: Int) -> String {
        text.count >= width ? text : String(repeating: " ", count: width - text.count) + text
    }
}
