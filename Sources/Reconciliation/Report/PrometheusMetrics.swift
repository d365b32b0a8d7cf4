/// Prometheus text-format metrics of a run, for node_exporter's textfile collector (`--metrics-file`): the status,
/// the exit status, the duration, bytes and records per input, and lines per classification.
package enum PrometheusMetrics {
    /// The metrics text.
    package static func render(_ report: ReconciliationReport, durationSeconds: Double, finishedAtSeconds: Int64)
        -> String
    {
        let job = label(report.job)
        var text = ""
        func metric(_ name: String, _ help: String, _ type: String = "gauge", _ samples: [(String, String)]) {
            text += "# HELP \(name) \(help)\n# TYPE \(name) \(type)\n"
            for (labels, value) in samples { text += "\(name){\(labels)} \(value)\n" }
        }
        metric(
            "recon_run_status", "1 for the status of the job's last run, 0 for the others.", "gauge",
            ReconciliationStatus.allCases.map {
                ("job=\"\(job)\",status=\"\($0.rawValue)\"", $0 == report.status ? "1" : "0")
            })
        metric(
            "recon_run_exit_status", "Exit status of the last run (0, 1, 2).", "gauge",
            [("job=\"\(job)\"", "\(report.exitStatus)")])
        metric(
            "recon_run_duration_seconds", "Wall time of the last run.", "gauge",
            [("job=\"\(job)\"", formatSeconds(durationSeconds))])
        metric(
            "recon_run_finished_timestamp_seconds", "When the last run finished (Unix time).", "gauge",
            [("job=\"\(job)\"", "\(finishedAtSeconds)")])
        metric(
            "recon_lines", "Lines of the last run per classification.", "gauge",
            Classification.allCases.map {
                ("job=\"\(job)\",classification=\"\($0.rawValue)\"", "\(report.result.counts[$0, default: 0])")
            })
        metric("recon_breaks", "Breaks in the last run.", "gauge", [("job=\"\(job)\"", "\(report.breakCount)")])
        metric(
            "recon_input_bytes", "Bytes read per input (as stored, compressed or not).", "gauge",
            report.inputs.map {
                (
                    "job=\"\(job)\",side=\"\($0.side.rawValue)\",input=\"\(label($0.name))\"",
                    "\($0.files.map(\.size).reduce(0, +))"
                )
            })
        metric(
            "recon_input_records", "Rows or records read per input.", "gauge",
            report.inputs.map {
                ("job=\"\(job)\",side=\"\($0.side.rawValue)\",input=\"\(label($0.name))\"", "\($0.recordCount)")
            })
        metric(
            "recon_input_failed", "1 when the input failed.", "gauge",
            report.inputs.map {
                ("job=\"\(job)\",side=\"\($0.side.rawValue)\",input=\"\(label($0.name))\"", $0.failed ? "1" : "0")
            })
        return text
    }

    /// A label value escaped as the text format requires.
    static func label(_ value: String) -> String {
        value.replacingAll("\\", with: "\\\\").replacingAll("\"", with: "\\\"").replacingAll("\n", with: "\\n")
    }

    private static func formatSeconds(_ seconds: Double) -> String {
        let milliseconds = Int64((seconds * 1000).rounded())
        let whole = milliseconds / 1000
        let fraction = milliseconds % 1000
        return "\(whole)." + String(repeating: "0", count: 3 - String(fraction).count) + "\(fraction)"
    }

    /// Writes the metrics atomically (a temporary file renamed over the target, as the textfile collector needs).
    package static func write(_ text: String, to path: String) throws(ReconciliationError) {
        try FileOutput.writeAtomically(text, to: path, room: .report)
    }
}
