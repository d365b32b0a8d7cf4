import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension RunRepository {
    /// The completions this repository recorded in the audit file at `auditPath` (the anchors `recon audit verify
    /// --repository` checks), in chain order — the runs marked `missing` included: they stay an error until the file
    /// holds them again.
    package func anchors(auditPath: String) throws(ReconciliationError) -> [AuditAnchor] {
        try anchorStates(auditPath: auditPath).map(\.anchor)
    }

    /// The recorded completions in the audit file with their state.
    func anchorStates(auditPath: String) throws(ReconciliationError) -> [(anchor: AuditAnchor, state: String)] {
        do {
            return try read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT run_id, audit_seq, audit_hash, audit_end, audit_state FROM runs
                        WHERE audit_path = ? AND audit_seq IS NOT NULL ORDER BY audit_seq
                        """, arguments: [absolutePath(auditPath)]
                ).map {
                    (
                        AuditAnchor(
                            runID: $0["run_id"], seq: $0["audit_seq"], hash: $0["audit_hash"], end: $0["audit_end"]),
                        $0["audit_state"]
                    )
                }
            }
        } catch {
            throw self.error(error)
        }
    }

    /// The audit files (absolute paths) the recorded runs completed in, or that were levelled.
    package func auditPaths() throws(ReconciliationError) -> [String] {
        do {
            return try read { db in
                try String.fetchAll(
                    db,
                    sql: """
                        SELECT audit_path FROM runs WHERE audit_path IS NOT NULL
                        UNION SELECT audit_path FROM audit_levels
                        """)
            }
        } catch {
            throw self.error(error)
        }
    }

    /// Brings the repository level with the audit file: every run the file completes for this repository is in it
    /// (added from its audit records — summary, inputs and reports, no lines — when the run could not record itself),
    /// and every run it holds for this file that the file does not complete is marked `missing` (and `committed`
    /// again if the file holds it once more). A completion belongs to this repository when its `run_completed`
    /// record names it (`repository`), or, for records written before they did, when its job is one the repository
    /// holds or one of `jobs`. The records read are those after the position the last levelling reached (the
    /// whole file the first time, or when that position is no longer in the file). Returns one sentence per change.
    @discardableResult
    package func level(with log: AuditLog, jobs: Set<String> = []) throws(ReconciliationError) -> [String] {
        let auditPath = absolutePath(log.path)
        let known = try anchorStates(auditPath: log.path)
        let descriptor = open(log.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            guard errno == ENOENT else {
                throw ReconciliationError(
                    .audit, "cannot open: \(systemErrorMessage(errno))", at: SourceLocation(file: log.displayPath))
            }
            return try mark(
                known.filter { $0.state != "missing" }.map(\.anchor), "missing",
                reason: "the audit file \(log.displayPath) does not exist")
        }
        defer { close(descriptor) }

        var start = AuditChain.Head()
        if let level = try levelled(auditPath),
            let line = AuditChain.line(endingAt: level.end, descriptor: descriptor),
            AuditChain.hash(line + [0x0A]) == level.hash
        {
            start.seq = level.seq
            start.hash = level.hash
            start.size = level.end
            start.hashed = AuditChain.ownHashMatches(line) != nil
        }
        var tracker = CompletionTracker()
        var completions: [CompletionTracker.Completion] = []
        var started: [String: JSONElement] = [:]
        var legacyInputs: [String: [JSONElement]] = [:]
        var seen: [Int: String] = [:]
        let (head, problem) = try AuditChain.scan(descriptor: descriptor, file: log.displayPath, from: start) {
            line, record in
            seen[Int(record["seq"]?.text ?? "") ?? 0] = line.hash
            let runID = record["run_id"]?.text ?? ""
            switch record["type"]?.text {
            case "run_started": started[runID] = record
            case "input" where record["sealed_by"] == nil: legacyInputs[runID, default: []].append(record)
            default: break
            }
            if let completion = tracker.visit(line, record).0 { completions.append(completion) }
        }
        if let problem, case .tornTail = problem {
        } else if let problem {
            // A damaged file is not a source of truth: leave the repository as it is (the append refuses too).
            return [
                "the run repository was not brought level with \(log.displayPath): \(problem); run `recon audit verify`"
            ]
        }
        var notices: [String] = []
        // Every run recorded for this file after the position read from must be in what was read (from the start,
        // when the last levelled position is gone: then every run is checked).
        let checked = known.filter { $0.anchor.seq > start.seq }
        let gone = checked.filter { seen[$0.anchor.seq] != $0.anchor.hash }
        notices += try mark(
            gone.filter { $0.state != "missing" }.map(\.anchor), "missing",
            reason: "the audit file \(log.displayPath) does not hold its completion")
        let back = checked.filter { $0.state == "missing" && seen[$0.anchor.seq] == $0.anchor.hash }
        notices += try mark(
            back.map(\.anchor), "present", reason: "the audit file \(log.displayPath) holds its completion again")
        let present = try runIDs()
        let wanted = try knownJobs().union(jobs)
        let repository = absolutePath(path)
        for completion in completions where !present.contains(completion.anchor.runID) {
            let record = completion.record
            let job = record["job"]?.text ?? started[completion.anchor.runID]?["job"]?.text ?? ""
            let belongs = record["repository"]?.text.map { $0 == repository } ?? wanted.contains(job)
            guard belongs else { continue }
            try restore(
                completion, started: started[completion.anchor.runID],
                legacyInputs: legacyInputs[completion.anchor.runID] ?? [], auditPath: auditPath,
                auditFile: log.displayPath)
            notices.append(
                "run \(completion.anchor.runID) is complete in \(log.displayPath) (seq \(completion.anchor.seq)) but was "
                    + "not in the run repository: added from its audit records")
        }
        try setLevel(auditPath, AuditAnchor(runID: "", seq: head.seq, hash: head.hash, end: head.size))
        return notices
    }

    private func levelled(_ auditPath: String) throws(ReconciliationError) -> AuditAnchor? {
        do {
            return try read { db in
                try Row.fetchOne(
                    db, sql: "SELECT seq, hash, end_offset FROM audit_levels WHERE audit_path = ?",
                    arguments: [auditPath]
                ).map { AuditAnchor(runID: "", seq: $0["seq"], hash: $0["hash"], end: $0["end_offset"]) }
            }
        } catch {
            throw self.error(error)
        }
    }

    private func setLevel(_ auditPath: String, _ head: AuditAnchor) throws(ReconciliationError) {
        guard head.seq > 0 else { return }
        do {
            try write { db in
                try db.execute(
                    sql: "INSERT OR REPLACE INTO audit_levels (audit_path, seq, hash, end_offset) VALUES (?, ?, ?, ?)",
                    arguments: [auditPath, head.seq, head.hash, head.end])
            }
        } catch {
            throw self.error(error)
        }
    }

    private func knownJobs() throws(ReconciliationError) -> Set<String> {
        do {
            return Set(try read { db in try String.fetchAll(db, sql: "SELECT DISTINCT job FROM runs") })
        } catch {
            throw self.error(error)
        }
    }

    private func runIDs() throws(ReconciliationError) -> Set<String> {
        do {
            return Set(try read { db in try String.fetchAll(db, sql: "SELECT run_id FROM runs") })
        } catch {
            throw self.error(error)
        }
    }

    private func mark(_ anchors: [AuditAnchor], _ state: String, reason: String) throws(ReconciliationError)
        -> [String]
    {
        guard !anchors.isEmpty else { return [] }
        do {
            try write { db in
                for anchor in anchors {
                    // A run found again is what it was before it went missing: restored runs (config 'null') have
                    // no lines and stay restored.
                    try db.execute(
                        sql: """
                            UPDATE runs SET audit_state = CASE WHEN ? = 'missing' THEN 'missing'
                                WHEN config = 'null' THEN 'restored' ELSE 'committed' END
                            WHERE run_id = ?
                            """, arguments: [state, anchor.runID])
                }
            }
        } catch {
            throw self.error(error)
        }
        return anchors.map {
            state == "missing"
                ? "run \($0.runID) is marked missing in the run repository: \(reason)"
                : "run \($0.runID) is no longer marked missing in the run repository: \(reason)"
        }
    }

    /// Adds a run from its audit records alone.
    private func restore(
        _ completion: CompletionTracker.Completion, started: JSONElement?, legacyInputs: [JSONElement],
        auditPath: String, auditFile: String
    ) throws(ReconciliationError) {
        let record = completion.record
        let runID = completion.anchor.runID
        let counts = record["counts"]?.members ?? []
        let lineCount =
            record["lines"]?.text.flatMap { Int($0) }
            ?? counts.compactMap { $0.value.text.flatMap { Int($0) } }.reduce(0, +)
        let cutoff = record["cutoff"] ?? started?["cutoff"]
        let inputs = completion.inputs.isEmpty ? legacyInputs : completion.inputs
        do {
            try write { db in
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO runs (run_id, job, as_of, started_at, status, exit_status, result_digest, tool_version,
                                          line_count, break_count, counts, config, cutoff, cutoff_time, cutoff_zone,
                                          audit_path, audit_seq, audit_hash, audit_end, audit_state)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'null', ?, ?, ?, ?, ?, ?, ?, 'restored')
                        """,
                    arguments: [
                        runID, record["job"]?.text ?? started?["job"]?.text ?? "",
                        record["as_of"]?.text ?? started?["as_of"]?.text ?? "",
                        record["started_at"]?.text ?? started?["time"]?.text ?? record["time"]?.text ?? "",
                        record["status"]?.text ?? "",
                        Int(record["exit_status"]?.text ?? "") ?? 0, record["result_digest"]?.text ?? "",
                        record["tool_version"]?.text ?? started?["tool_version"]?.text ?? "", lineCount,
                        Int(record["breaks"]?.text ?? "") ?? 0,
                        JSONValue.object(
                            Dictionary(counts.map { ($0.key, JSONValue.integer(Int($0.value.text ?? "") ?? 0)) }) {
                                first, _ in first
                            }
                        ).encoded(),
                        cutoff?["instant"]?.text, cutoff?["time"]?.text, cutoff?["zone"]?.text,
                        auditPath, completion.anchor.seq, completion.anchor.hash, completion.anchor.end,
                    ])
                for input in inputs {
                    let files = input["files"]?.elements ?? []
                    for (filePosition, file) in (files.isEmpty ? [nil] : files.map { Optional($0) }).enumerated() {
                        try db.execute(
                            sql: """
                                INSERT OR IGNORE INTO inputs (run_id, position, file_position, side, name, kind, path,
                                                    format, size, sha256, compressed, records, balances, status, error)
                                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                                """,
                            arguments: [
                                runID, Int(input["position"]?.text ?? "") ?? 0, filePosition,
                                input["side"]?.text ?? "", input["name"]?.text ?? "", input["kind"]?.text ?? "",
                                file?["path"]?.text ?? "", file?["format"]?.text ?? "",
                                Int(file?["size"]?.text ?? "") ?? 0, file?["sha256"]?.text ?? "",
                                file?["compressed"].map { if case .bool(let value) = $0.kind { value } else { false } }
                                    ?? false,
                                Int(input["records"]?.text ?? "") ?? 0, Int(input["balances"]?.text ?? "") ?? 0,
                                input["status"]?.text ?? "", input["error"]?.text,
                            ])
                    }
                }
                for report in record["reports"]?.elements ?? [] {
                    try db.execute(
                        sql: "INSERT OR IGNORE INTO reports (run_id, path, sha256) VALUES (?, ?, ?)",
                        arguments: [runID, report["path"]?.text ?? "", report["sha256"]?.text ?? ""])
                }
                try db.execute(
                    sql: """
                        INSERT OR IGNORE INTO reconciliation_audit (run_id, audit_file, seq, type, record_sha256)
                        VALUES (?, ?, ?, 'checkpoint', ?)
                        """,
                    arguments: [runID, auditFile, completion.anchor.seq, completion.anchor.hash])
            }
        } catch {
            throw self.error(error)
        }
    }
}
