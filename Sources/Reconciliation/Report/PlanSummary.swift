/// What `recon check` prints: the job's inputs as a run would read them, the lines it would classify, the tolerance
/// rule behind them, the rules that never apply, and the inputs' findings.
package struct PlanSummary: Sendable {
    /// Whether every line is listed with its classification and the tolerance rule it would get.
    package var listsLines: Bool

    /// Creates a renderer.
    package init(listsLines: Bool = false) {
        self.listsLines = listsLines
    }

    /// The plan as text, ending with a newline.
    package func render(_ plan: JobPlan) -> String {
        let spec = plan.spec
        let verdict =
            plan.ready
            ? "ready"
            : "not ready (\(count(plan.inputs.filter(\.failed).count + plan.references.filter(\.failed).count, "input")) would fail)"
        var text = "\(spec.name) \(spec.asOf): \(verdict)\ncutoff: \(spec.cutoff)\n\ninputs:\n"
        let rows =
            plan.inputs.map { outcome -> [String] in
                let formats = Set(outcome.files.map(\.format)).sorted().joined(separator: ", ")
                let known = !formats.isEmpty && formats != "?"
                let format = known ? formats : (outcome.spec.format ?? "?")
                let status = outcome.failed ? "fails" : outcome.skipped ? "skipped" : "ok"
                return [
                    outcome.spec.side.rawValue, TerminalText.escape(outcome.spec.name),
                    format + (outcome.spec.format == nil && known ? " (detected)" : ""),
                    String(outcome.files.count), String(outcome.recordCount), String(outcome.balances.count), status,
                ]
            }
            + plan.references.map { reference -> [String] in
                [
                    "reference", reference.name, reference.kind.rawValue, String(reference.files.count),
                    String(reference.recordCount), "", reference.failed ? "fails" : "ok",
                ]
            }
        text += TerminalText.table(
            header: ["side", "input", "format", "files", "rows", "balances", "status"], rows: rows,
            rightAligned: [3, 4, 5], indent: "  ")

        let counts = plan.result.counts
        let classified = Classification.allCases.filter { counts[$0, default: 0] > 0 }
            .map { "\(counts[$0, default: 0]) \($0.rawValue)" }
        text +=
            "\na run would classify \(count(plan.result.lines.count, "line"))"
            + (classified.isEmpty ? "" : ": " + classified.joined(separator: ", ")) + "\n"

        var bySource: [String: Int] = [:]
        for line in plan.result.lines { bySource[line.tolerance?.source ?? "not compared", default: 0] += 1 }
        if !bySource.isEmpty {
            text += "\ntolerance rules (lines judged by each):\n"
            text += TerminalText.table(
                header: ["lines", "rule"],
                rows: bySource.sorted { ($1.value, $0.key) < ($0.value, $1.key) }.map { [String($0.value), $0.key] },
                rightAligned: [0], indent: "  ")
        }
        if listsLines && !plan.result.lines.isEmpty {
            text += "\nlines (classification and the tolerance rule each would get):\n"
            text += TerminalText.table(
                header: ["key", "classification", "rule"],
                rows: plan.result.lines.map {
                    [
                        TerminalText.escape($0.key.description), $0.classification.rawValue,
                        $0.tolerance.map { "\($0.source) (\($0.value))" } ?? "not compared",
                    ]
                }, indent: "  ")
        }
        if !plan.unusedRules.isEmpty {
            text += "\nrules that never apply:\n"
            for rule in plan.unusedRules { text += "  warning: \(TerminalText.escape(rule))\n" }
        }
        for notice in plan.notices { text += "\nnote: \(TerminalText.escape(notice))\n" }
        let findings = plan.inputs.filter { !$0.diagnostics.isEmpty || $0.failure != nil }
        if !findings.isEmpty {
            text += "\nfindings (what each input's reading said):\n"
            for outcome in findings {
                text += "  \(outcome.spec.side.rawValue) \(TerminalText.escape(outcome.spec.name)):\n"
                for finding in outcome.diagnostics.map(\.description) + (outcome.failure.map { [$0.description] } ?? [])
                {
                    text += "    \(TerminalText.escape(finding))\n"
                }
            }
        }
        let referenceFindings = plan.references.filter { !$0.diagnostics.isEmpty || $0.error != nil }
        if !referenceFindings.isEmpty {
            text += "\nreference files:\n"
            for reference in referenceFindings {
                for finding in reference.diagnostics.map(\.description) + (reference.error.map { [$0] } ?? []) {
                    text += "  \(TerminalText.escape(finding))\n"
                }
            }
        }
        text += "\nnothing was written (a check reads the inputs only).\n"
        return text
    }

    private func count(_ value: Int, _ noun: String) -> String {
        "\(value) \(noun)\(value == 1 ? "" : "s")"
    }
}

/// Text for a terminal: aligned tables and plurals.
package enum TerminalText {
    /// Rows under a header, columns padded to their widest cell (the ones in `rightAligned` to the right).
    package static func table(header: [String], rows: [[String]], rightAligned: Set<Int> = [], indent: String = "")
        -> String
    {
        let all = [header] + rows
        let widths = header.indices.map { column in
            all.map { $0.indices.contains(column) ? $0[column].count : 0 }.max() ?? 0
        }
        return all.map { row in
            let cells = row.enumerated().map { column, cell in
                let padding = String(repeating: " ", count: max(0, widths[column] - cell.count))
                return rightAligned.contains(column) ? padding + cell : cell + padding
            }
            var line = indent + cells.joined(separator: "  ")
            while line.hasSuffix(" ") { line.removeLast() }
            return line + "\n"
        }.joined()
    }

    /// `1 break`, `2 breaks`.
    package static func count(_ value: Int, _ singular: String, _ plural: String? = nil) -> String {
        "\(value) \(value == 1 ? singular : plural ?? singular + "s")"
    }

    /// Text from files made safe for a terminal (``Escaping/terminal(_:)``).
    package static func escape(_ text: String) -> String {
        Escaping.terminal(text)
    }
}
