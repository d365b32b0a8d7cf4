/// The records a run leaves in the audit file: `run_started` (job, as-of, the effective configuration in full, the
/// tool version) as soon as the run starts; then, in one durable batch at the end, one `input` record per input
/// (files with size and SHA-256, format, record count, diagnostics), `run_completed` (status, counts, result
/// digest, report files with their SHA-256) or `run_failed`, and a `checkpoint`.
struct AuditTrail: Sendable {
    let log: AuditLog
    let signer: CheckpointSigner?

    /// At most this many diagnostics are copied into an input record (the count is always there).
    static let maxDiagnostics = 50

    /// The job's configuration as recorded: `audit.signing_key` says whether checkpoints are signed, whether the key
    /// came from a file or from `RECON_AUDIT_SIGNING_KEY` (the key itself is never recorded).
    func configuration(_ spec: JobSpec) -> JSONValue {
        guard case .object(var members) = spec.jsonValue, case .object(var audit)? = members["audit"] else {
            return spec.jsonValue
        }
        audit["signing_key"] = .bool(signer != nil)
        members["audit"] = .object(audit)
        return .object(members)
    }

    func runStarted(runID: String, spec: JobSpec, time: String, toolVersion: String) throws(ReconciliationError)
        -> AuditLog.WrittenRecord?
    {
        try log.append([
            [
                "type": .string("run_started"), "run_id": .string(runID), "time": .string(time),
                "job": .string(spec.name), "as_of": .string(spec.asOf), "cutoff": spec.cutoff.jsonValue,
                "tool_version": .string(toolVersion), "config": configuration(spec),
            ]
        ]).records.last
    }

    /// The completion batch — the run's commit point. `prepared` runs under the audit lock with the batch as it will
    /// be written (its checkpoint included), before any of it is; the run completes when this returns.
    /// `repository` is the run repository that records the run (its canonical path), so levelling adds the run to
    /// that repository only.
    func runCompleted(
        runID: String, report: ReconciliationReport, inputs: [InputSummary], reports: [WrittenFile], time: String,
        repository: String? = nil, prepared: (AuditLog.Appended) throws(ReconciliationError) -> Void = { _ in }
    ) throws(ReconciliationError) -> AuditLog.Appended {
        var records = inputs.enumerated().map { position, input in
            Self.inputRecord(runID: runID, position: position, input)
        }
        var completed: [String: JSONValue] = [
            "type": .string("run_completed"), "run_id": .string(runID), "time": .string(time),
            // Enough to list the run in the repository from this record alone.
            "job": .string(report.job), "as_of": .string(report.asOf), "started_at": .string(report.startedAt),
            "tool_version": .string(report.toolVersion), "cutoff": report.cutoff.jsonValue,
            "lines": .integer(report.result.lines.count),
            "status": .string(report.status.rawValue), "exit_status": .integer(report.exitStatus),
            "counts": ReconciliationReport.countsJSON(report.result.counts), "breaks": .integer(report.breakCount),
            "result_digest": .string(report.resultDigest),
            "reports": .array(
                reports.map { .object(["path": .string($0.displayPath), "sha256": .string($0.sha256)]) }),
        ]
        if let repository { completed["repository"] = .string(repository) }
        records.append(completed)
        return try log.append(
            records, checkpoint: checkpointFields(runID: runID, time: time), signer: signer, prepared: prepared)
    }

    /// A step after the commit point failed: recorded as that, never as a second verdict on the run.
    func postCommitFailure(runID: String, step: String, error: ReconciliationError, time: String)
        throws(ReconciliationError)
    {
        try log.append([
            [
                "type": .string("post_commit_failure"), "run_id": .string(runID), "time": .string(time),
                "step": .string(step), "error": .string(error.description),
            ]
        ])
    }

    func runFailed(runID: String, error: ReconciliationError, inputs: [InputSummary], time: String)
        throws(ReconciliationError) -> AuditLog.Appended
    {
        var records = inputs.enumerated().map { position, input in
            Self.inputRecord(runID: runID, position: position, input)
        }
        records.append([
            "type": .string("run_failed"), "run_id": .string(runID), "time": .string(time),
            "error": .string(error.description),
        ])
        return try log.append(records, checkpoint: checkpointFields(runID: runID, time: time), signer: signer)
    }

    private func checkpointFields(runID: String, time: String) -> [String: JSONValue] {
        ["run_id": .string(runID), "time": .string(time)]
    }

    /// The `input` record: the input as report.json writes it (one encoder for both), with the run and position.
    static func inputRecord(runID: String, position: Int, _ input: InputSummary) -> [String: JSONValue] {
        var record = input.jsonMembers(maxDiagnostics: maxDiagnostics)
        record["type"] = .string("input")
        record["run_id"] = .string(runID)
        record["position"] = .integer(position)
        return record
    }
}
