/// `report.json`: the whole report for machines. Amounts are decimal strings, keys sorted, lines in key order.
package struct JSONReportWriter: ReportWriter {
    package let format = ReportFormat.json
    package let fileName = "report.json"

    /// Creates the writer.
    package init() {}

    package func render(_ report: ReconciliationReport) -> String {
        String(decoding: renderBytes(report), as: UTF8.self)
    }

    package func renderBytes(_ report: ReconciliationReport) -> [UInt8] {
        report.jsonValue.prettyEncodedBytes(capacity: 4096 + report.result.lines.count * 640)
    }

    package func write(_ report: ReconciliationReport, to sink: ByteSink) {
        report.jsonValue.write(to: sink, pretty: true)
    }

    /// Writes report.json for a report whose result digest is pending, making the digest from the lines as they are
    /// written (the tap gets their canonical encoding) and naming it after them, where `result_digest` falls in key
    /// order. The bytes are ``write(_:to:)``'s for the report with that digest.
    package func write(
        _ report: ReconciliationReport, to sink: ByteSink, tap: JSONElementsTap, finish: @Sendable () -> String
    ) {
        var members = report.jsonMembers(linesTap: tap)
        JSONValue.writeObject(keys: Array(members.keys) + ["result_digest"], to: sink, pretty: true) { key in
            if key == "result_digest" {
                // Everything before it is written, the lines among them: the tap has taken them all.
                return .string(finish())
            }
            return members.removeValue(forKey: key) ?? .null
        }
    }
}

extension ReconciliationReport {
    /// The report as JSON (the schema is documented in docs/REPORTS.md).
    package var jsonValue: JSONValue {
        var members = jsonMembers(linesTap: nil)
        members["result_digest"] = .string(resultDigest)
        return .object(members)
    }

    /// report.json's members but its result digest; the lines hand their canonical encoding to `linesTap` as they
    /// are written, when given.
    fileprivate func jsonMembers(linesTap: JSONElementsTap?) -> [String: JSONValue] {
        var lines = result.linesJSON(ageing: ageing, continuity: continuity)
        if let linesTap, case .elements(var elements) = lines {
            elements.tap = linesTap
            lines = .elements(elements)
        }
        var members: [String: JSONValue] = [
            "schema": .string("recon.report/1"),
            "run_id": .string(runID),
            "job": .string(job),
            "as_of": .string(asOf),
            "cutoff": cutoff.jsonValue,
            "notices": .array(notices.map { .string($0) }),
            "started_at": .string(startedAt),
            "tool_version": .string(toolVersion),
            "status": .string(status.rawValue),
            "exit_status": .integer(exitStatus),
            "max_breaks": .integer(maxBreaks),
            "counts": Self.countsJSON(result.counts),
            "counts_by_venue": .object(
                Dictionary(uniqueKeysWithValues: countsByVenue.map { ($0.venue, Self.countsJSON($0.counts)) })),
            "inputs": .array(inputs.map(\.jsonValue)),
            "lines": lines,
        ]
        // The breaks largest first (the lines stay in key order): where to start reading. One a text line, as the lines.
        let ranked = rankedBreaks
        let ageing = ageing
        members["breaks"] = .elements(
            JSONElements(count: ranked.count) { position, output, indent, level in
                let line = ranked[position]
                JSONValue.object([
                    "venue": .string(line.key.venue), "account": .string(line.key.account),
                    "asset": .string(line.key.asset), "classification": .string(line.classification.rawValue),
                    "difference": .amount(line.difference), "difference_value": .amount(line.differenceValue),
                    "age_days": ageing[line.key].map { .integer($0.ageDays) } ?? .null,
                ]).append(to: &output, indent: indent, level: level)
            })
        if let totals = valueTotals { members["valuation"] = totals.jsonValue }
        if let audit {
            members["audit"] = .object([
                "file": .string(audit.file),
                "run_started": .object([
                    "seq": .integer(audit.runStarted.seq), "hash": .string(audit.runStarted.hash),
                ]),
            ])
        }
        return members
    }
}

extension InputSummary {
    /// The input as report JSON.
    package var jsonValue: JSONValue { .object(jsonMembers()) }

    /// The input's fields, written the same way by report.json and by the audit file's `input` record; with
    /// `maxDiagnostics` (the audit record's) the list is capped and `diagnostic_count` says how many there were.
    package func jsonMembers(maxDiagnostics: Int? = nil) -> [String: JSONValue] {
        var members: [String: JSONValue] = [
            "side": .string(side.rawValue),
            "name": .string(name),
            "kind": .string(kind.rawValue),
            "files": .array(
                files.map {
                    .object([
                        "path": .string($0.displayPath), "size": .integer($0.size), "sha256": .string($0.sha256),
                        "compressed": .bool($0.compressed), "format": .string($0.format),
                    ])
                }),
            "records": .integer(recordCount),
            "balances": .integer(balanceCount),
            "status": .string(failed ? "failed" : skipped ? "skipped" : "ok"),
            "error": .string(error),
            "diagnostics": .array(diagnostics.prefix(maxDiagnostics ?? diagnostics.count).map(\.jsonValue)),
        ]
        if maxDiagnostics != nil { members["diagnostic_count"] = .integer(diagnostics.count) }
        return members
    }
}
