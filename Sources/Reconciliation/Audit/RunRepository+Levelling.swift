import GRDB

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension RunRepository {
    /// The completions this repository recorded in the audit file at `auditPath` (the anchors `recon audit verify
    /// --repository` checks), in chain order.
    public func anchors(auditPath: String) throws(ReconciliationError) -> [AuditAnchor] {
        do {
            return try read { db in
                try Row.fetchAll(
                    db,
                    sql: """
                        SELECT run_id, audit_seq, audit_hash, audit_end FROM runs
                        WHERE audit_path = ? AND audit_seq IS NOT NULL AND audit_state != 'missing'
                        ORDER BY audit_seq
                        """, arguments: [absolutePath(auditPath)]
                ).map {
                    AuditAnchor(runID: $0["run_id"], seq: $0["audit_seq"], hash: $0["audit_hash"], end: $0["audit_end"])
                }
            }
        } catch {
            throw self.error(error)
        }
    }

    /// The audit files (absolute paths) the recorded runs completed in.
    public func auditPaths() throws(ReconciliationError) -> [String] {
        do {
            return try read { db in
                try String.fetchAll(db, sql: "SELECT DISTINCT audit_path FROM runs WHERE audit_path IS NOT NULL")
            }
        } catch {
            throw self.error(error)
        }
    }

    /// Brings the repository level with the audit file: every run the file completes is in the repository (added from
    /// its audit records — summary, inputs and reports, no lines — when the run could not record itself), and every
    /// run the repository holds for this file that the file does not complete is marked `missing`. Only the records
    /// after the last head the repository knows are read, unless that head is no longer in the file. Returns what it
    /// did, one sentence per change. `jobs` limits the runs added to those jobs (an audit file several jobs share
    /// may feed other repositories); `nil` adds the runs of the jobs the repository already holds.
    @discardableResult
    public func level(with log: AuditLog, jobs: Set<String>? = nil) throws(ReconciliationError) -> [String] {
        let auditPath = absolutePath(log.path)
        let known = try anchors(auditPath: log.path)
        let descriptor = open(log.path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            guard errno == ENOENT else {
                throw ReconciliationError(
                    .audit, "cannot open: \(systemErrorMessage(errno))", at: SourceLocation(file: log.displayPath))
            }
            return try markMissing(known, reason: "the audit file \(log.displayPath) does not exist")
        }
        defer { close(descriptor) }

        var start = AuditChain.Head()
        if let latest = known.last, let line = AuditChain.line(endingAt: latest.end, descriptor: descriptor),
            AuditChain.hash(line + [0x0A]) == latest.hash
        {
            start.seq = latest.seq
            start.hash = latest.hash
            start.size = latest.end
            start.hashed = AuditChain.ownHashMatches(line) != nil
        }
        var tracker = CompletionTracker()
        var completions: [CompletionTracker.Completion] = []
        var seen: [Int: String] = [:]
        let (_, problem) = try AuditChain.scan(descriptor: descriptor, file: log.displayPath, from: start) {
            line, record in
            seen[Int(record["seq"]?.text ?? "") ?? 0] = line.hash
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
        if start.size == 0, !known.isEmpty {
            // The head the repository knew is gone: check every run it recorded against what the file holds now.
            let gone = known.filter { seen[$0.seq] != $0.hash }
            notices += try markMissing(gone, reason: "the audit file \(log.displayPath) does not hold its completion")
        }
        let present = try runIDs()
        let wanted: Set<String>
        if let jobs { wanted = jobs } else { wanted = try knownJobs() }
        for completion in completions
        where !present.contains(completion.anchor.runID) && wanted.contains(completion.record["job"]?.text ?? "") {
            try restore(completion, auditPath: auditPath, auditFile: log.displayPath)
            notices.append(
                "run \(completion.anchor.runID) is complete in \(log.displayPath) (seq \(completion.anchor.seq)) but was "
                    + "not in the run repository: added from its audit records")
        }
        return notices
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

    private func markMissing(_ anchors: [AuditAnchor], reason: String) throws(ReconciliationError) -> [String] {
        guard !anchors.isEmpty else { return [] }
        do {
            try write { db in
                for anchor in anchors {
                    try db.execute(
                        sql: "UPDATE runs SET audit_state = 'missing' WHERE run_id = ?", arguments: [anchor.runID])
                }
            }
        } catch {
            throw self.error(error)
        }
        return anchors.map { "run \($0.runID) is marked missing in the run repository: \(reason)" }
    }

    /// Adds a run from its audit records alone.
    private func restore(_ completion: CompletionTracker.Completion, auditPath: String, auditFile: String)
        throws(ReconciliationError)
    {
        let record = completion.record
        let runID = completion.anchor.runID
        let counts = record["counts"]?.members ?? []
        let lineCount =
            record["lines"]?.text.flatMap { Int($0) }
            ?? counts.compactMap { $0.value.text.flatMap { Int($0) } }.reduce(0, +)
        let cutoff = record["cutoff"]
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
                        runID, record["job"]?.text ?? "", record["as_of"]?.text ?? "",
                        record["started_at"]?.text ?? record["time"]?.text ?? "", record["status"]?.text ?? "",
                        Int(record["exit_status"]?.text ?? "") ?? 0, record["result_digest"]?.text ?? "",
                        record["tool_version"]?.text ?? "", lineCount, Int(record["breaks"]?.text ?? "") ?? 0,
                        JSONValue.object(
                            Dictionary(counts.map { ($0.key, JSONValue.integer(Int($0.value.text ?? "") ?? 0)) }) {
                                first, _ in first
                            }
                        ).encoded(),
                        cutoff?["instant"]?.text, cutoff?["time"]?.text, cutoff?["zone"]?.text,
                        auditPath, completion.anchor.seq, completion.anchor.hash, completion.anchor.end,
                    ])
                for input in completion.inputs {
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
