import GRDB

/// The SQLite run repository (through GRDB): every run, the files it read, every line it classified and the audit
/// records that prove it, so auditors can list runs, look at one, age breaks across runs and diff a replay.
///
/// The schema is documented in docs/AUDIT.md and migrated with GRDB's `DatabaseMigrator` (version `v1`, …); opening
/// a repository migrates it. Several processes may write at once: SQLite's lock, with a busy timeout, serializes them.
package final class RunRepository: Sendable {
    private let queue: DatabaseQueue
    /// The database file.
    package let path: String

    /// Opens (creating and migrating) the repository at `path`.
    package init(path: String) throws(ReconciliationError) {
        self.path = path
        var configuration = Configuration()
        configuration.busyMode = .timeout(30)
        configuration.foreignKeysEnabled = true
        do {
            queue = try DatabaseQueue(path: path, configuration: configuration)
            try Self.migrator.migrate(queue)
        } catch {
            throw ReconciliationError(
                .repository, "cannot open the run repository: \(error)", at: SourceLocation(file: path),
                underlying: error)
        }
    }

    static var migrator: DatabaseMigrator {
        var migrator = DatabaseMigrator()
        migrator.registerMigration("v1") { db in
            try db.execute(
                sql: """
                    CREATE TABLE runs (
                        run_id TEXT PRIMARY KEY,
                        job TEXT NOT NULL,
                        as_of TEXT NOT NULL,
                        started_at TEXT NOT NULL,
                        status TEXT NOT NULL,
                        exit_status INTEGER NOT NULL,
                        result_digest TEXT NOT NULL,
                        tool_version TEXT NOT NULL,
                        line_count INTEGER NOT NULL,
                        break_count INTEGER NOT NULL,
                        counts TEXT NOT NULL,
                        config TEXT NOT NULL
                    );
                    CREATE INDEX runs_by_job ON runs(job, started_at);
                    CREATE TABLE inputs (
                        run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
                        position INTEGER NOT NULL,
                        file_position INTEGER NOT NULL,
                        side TEXT NOT NULL,
                        name TEXT NOT NULL,
                        kind TEXT NOT NULL,
                        path TEXT NOT NULL,
                        format TEXT NOT NULL,
                        size INTEGER NOT NULL,
                        sha256 TEXT NOT NULL,
                        compressed INTEGER NOT NULL,
                        records INTEGER NOT NULL,
                        balances INTEGER NOT NULL,
                        status TEXT NOT NULL,
                        error TEXT,
                        PRIMARY KEY (run_id, position, file_position)
                    );
                    CREATE TABLE lines (
                        run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
                        venue TEXT NOT NULL,
                        account TEXT NOT NULL,
                        asset TEXT NOT NULL,
                        classification TEXT NOT NULL,
                        is_break INTEGER NOT NULL,
                        compared TEXT NOT NULL,
                        ledger TEXT,
                        statement TEXT,
                        difference TEXT,
                        relative_difference_bps TEXT,
                        tolerance TEXT,
                        tolerance_source TEXT,
                        notes TEXT NOT NULL,
                        first_seen TEXT,
                        consecutive_runs INTEGER,
                        PRIMARY KEY (run_id, venue, account, asset)
                    );
                    CREATE INDEX lines_breaks ON lines(run_id, is_break);
                    CREATE TABLE reports (
                        run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
                        path TEXT NOT NULL,
                        sha256 TEXT NOT NULL,
                        PRIMARY KEY (run_id, path)
                    );
                    CREATE TABLE reconciliation_audit (
                        id INTEGER PRIMARY KEY AUTOINCREMENT,
                        run_id TEXT NOT NULL,
                        audit_file TEXT NOT NULL,
                        seq INTEGER NOT NULL,
                        type TEXT NOT NULL,
                        record_sha256 TEXT NOT NULL
                    );
                    CREATE INDEX reconciliation_audit_by_run ON reconciliation_audit(run_id);
                    """)
        }
        // v2: runs have a time dimension (the cutoff), and each run keeps the statement's closing (and opening)
        // balance per key, so the next business day can check that it continues from there.
        migrator.registerMigration("v2") { db in
            try db.execute(
                sql: """
                    ALTER TABLE runs ADD COLUMN cutoff TEXT;
                    ALTER TABLE runs ADD COLUMN cutoff_time TEXT;
                    ALTER TABLE runs ADD COLUMN cutoff_zone TEXT;
                    CREATE TABLE closings (
                        run_id TEXT NOT NULL REFERENCES runs(run_id) ON DELETE CASCADE,
                        venue TEXT NOT NULL,
                        account TEXT NOT NULL,
                        asset TEXT NOT NULL,
                        closing TEXT NOT NULL,
                        opening TEXT,
                        PRIMARY KEY (run_id, venue, account, asset)
                    );
                    """)
        }
        // v3: each run keeps the audit head its completion ended at (the anchor `recon audit verify --repository`
        // checks the file against) and how the repository came to know it: `committed` (recorded by the run),
        // `restored` (added from the audit file's records after the run could not record itself; no lines), or
        // `missing` (the audit file does not, or no longer, completes it).
        migrator.registerMigration("v3") { db in
            try db.execute(
                sql: """
                    ALTER TABLE runs ADD COLUMN audit_path TEXT;
                    ALTER TABLE runs ADD COLUMN audit_seq INTEGER;
                    ALTER TABLE runs ADD COLUMN audit_hash TEXT;
                    ALTER TABLE runs ADD COLUMN audit_end INTEGER;
                    ALTER TABLE runs ADD COLUMN audit_state TEXT NOT NULL DEFAULT 'committed';
                    CREATE INDEX runs_by_audit ON runs(audit_path, audit_seq);
                    """)
        }
        // v4: how far levelling has read each audit file, so the next levelling reads only what came after. (IF NOT
        // EXISTS: a development build created it under v3.)
        migrator.registerMigration("v4") { db in
            try db.execute(
                sql: """
                    CREATE TABLE IF NOT EXISTS audit_levels (
                        audit_path TEXT PRIMARY KEY,
                        seq INTEGER NOT NULL,
                        hash TEXT NOT NULL,
                        end_offset INTEGER NOT NULL
                    );
                    """)
        }
        // v5: breaks age in business days (`age_days`); `consecutive_runs` stays for runs recorded before.
        migrator.registerMigration("v5") { db in
            let columns = try db.columns(in: "lines").map(\.name)
            if !columns.contains("age_days") { try db.execute(sql: "ALTER TABLE lines ADD COLUMN age_days INTEGER") }
        }
        return migrator
    }

    /// Reads in a transaction.
    func read<T>(_ body: (Database) throws -> T) throws -> T { try queue.read(body) }

    /// Writes in a transaction.
    func write(_ body: (Database) throws -> Void) throws { try queue.write(body) }

    func error(_ error: any Error) -> ReconciliationError {
        ReconciliationError(
            .repository, "run repository: \(error)", at: SourceLocation(file: path), underlying: error)
    }

    /// Records a finished run with its inputs, every line, its reports, its audit records and the statement's
    /// closing balances.
    /// `anchor` is the audit file (its path as opened) and the head the run's completion ended at.
    package func record(
        _ report: ReconciliationReport, config: JSONValue, reports: [WrittenFile],
        audit: (file: String, records: [AuditLog.WrittenRecord])?, closings: [StatementClosing] = [],
        anchor: (auditPath: String, head: AuditAnchor)? = nil, faults: FaultInjection = .none
    ) throws(ReconciliationError) {
        if let code = faults.error(at: .repositoryInsert) {
            throw ReconciliationError(
                .repository, "run repository: \(systemErrorMessage(code))", at: SourceLocation(file: path))
        }
        do {
            try queue.write { db in
                // Levelling may have added this run from its audit records first (between the commit and this insert):
                // the full record replaces it.
                // (A restored run is known by its config: a run that recorded itself keeps its job's.)
                if try Bool.fetchOne(
                    db, sql: "SELECT 1 FROM runs WHERE run_id = ? AND config = 'null'", arguments: [report.runID])
                    ?? false
                {
                    try db.execute(sql: "DELETE FROM runs WHERE run_id = ?", arguments: [report.runID])
                    try db.execute(sql: "DELETE FROM reconciliation_audit WHERE run_id = ?", arguments: [report.runID])
                }
                try db.execute(
                    sql: """
                        INSERT INTO runs (run_id, job, as_of, started_at, status, exit_status, result_digest, tool_version,
                                          line_count, break_count, counts, config, cutoff, cutoff_time, cutoff_zone,
                                          audit_path, audit_seq, audit_hash, audit_end)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """,
                    arguments: [
                        report.runID, report.job, report.asOf, report.startedAt, report.status.rawValue,
                        Int(report.exitStatus), report.resultDigest, report.toolVersion, report.result.lines.count,
                        report.breakCount, ReconciliationReport.countsJSON(report.result.counts).encoded(),
                        config.encoded(), report.cutoff.instantISO8601, report.cutoff.time, report.cutoff.zone,
                        anchor.map { absolutePath($0.auditPath) }, anchor?.head.seq, anchor?.head.hash,
                        anchor?.head.end,
                    ])
                for closing in closings {
                    try db.execute(
                        sql: """
                            INSERT OR REPLACE INTO closings (run_id, venue, account, asset, closing, opening)
                            VALUES (?, ?, ?, ?, ?, ?)
                            """,
                        arguments: [
                            report.runID, closing.key.venue, closing.key.account, closing.key.asset,
                            closing.closing.description, closing.opening?.description,
                        ])
                }
                for (position, input) in report.inputs.enumerated() {
                    // An input with no file (a glob that matched nothing) is still an input of the run.
                    let files =
                        input.files.isEmpty
                        ? [FileFacts(displayPath: "", size: 0, sha256: "", compressed: false, format: "")] : input.files
                    for (filePosition, file) in files.enumerated() {
                        try db.execute(
                            sql: """
                                INSERT INTO inputs (run_id, position, file_position, side, name, kind, path, format, size,
                                                    sha256, compressed, records, balances, status, error)
                                VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                                """,
                            arguments: [
                                report.runID, position, filePosition, input.side.rawValue, input.name,
                                input.kind.rawValue,
                                file.displayPath, file.format, file.size, file.sha256, file.compressed,
                                input.recordCount,
                                input.balanceCount, input.failed ? "failed" : input.skipped ? "skipped" : "ok",
                                input.error,
                            ])
                    }
                }
                let insert = try db.makeStatement(
                    sql: """
                        INSERT INTO lines (run_id, venue, account, asset, classification, is_break, compared, ledger,
                                           statement, difference, relative_difference_bps, tolerance, tolerance_source,
                                           notes, first_seen, age_days)
                        VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                        """)
                for line in report.result.lines {
                    let age = report.ageing[line.key]
                    try insert.execute(arguments: [
                        report.runID, line.key.venue, line.key.account, line.key.asset, line.classification.rawValue,
                        line.classification.isBreak, line.figure.rawValue, line.ledger?.description,
                        line.statement?.description, line.difference?.description,
                        line.relativeDifferenceBasisPoints?.description, line.tolerance?.value.description,
                        line.tolerance?.source, JSONValue.array(line.notes.map { .string($0) }).encoded(),
                        age?.firstSeen,
                        age?.ageDays,
                    ])
                }
                for file in reports {
                    try db.execute(
                        sql: "INSERT INTO reports (run_id, path, sha256) VALUES (?, ?, ?)",
                        arguments: [report.runID, file.displayPath, file.sha256])
                }
                if let audit {
                    for record in audit.records {
                        try db.execute(
                            sql: """
                                INSERT INTO reconciliation_audit (run_id, audit_file, seq, type, record_sha256)
                                VALUES (?, ?, ?, ?, ?)
                                """,
                            arguments: [report.runID, audit.file, record.seq, record.type, record.hash])
                    }
                }
            }
        } catch {
            throw self.error(error)
        }
    }

    /// For each key of `keys` (today's breaks and acknowledged breaks): since which as-of day it has been outstanding,
    /// and how many business days that is. Each earlier business day counts once — its latest committed run — so
    /// re-running a day replaces that day's observation; a day without a run, or on which the key was unreconciled
    /// (an input failed), neither extends nor ends a streak.
    package func ageing(
        job: String, asOf: String, keys: [BalanceKey], excluding runID: String,
        calendar: BusinessCalendar = .weekdays
    ) throws(ReconciliationError) -> [BalanceKey: BreakAge] {
        guard !keys.isEmpty else { return [:] }
        do {
            return try queue.read { db in
                var first = Dictionary(keys.map { ($0, asOf) }, uniquingKeysWith: { lhs, _ in lhs })
                var active = Set(keys)
                // Only runs the repository holds whole: a run restored from the audit file has no lines (its breaks
                // are unknown), a missing one did not complete.
                let previous = try Row.fetchAll(
                    db,
                    sql: """
                        SELECT run_id, as_of, status FROM runs
                        WHERE job = ? AND run_id != ? AND as_of < ? AND audit_state = 'committed'
                          AND status != 'failed'
                        ORDER BY as_of DESC, started_at DESC, rowid DESC
                        """,
                    arguments: [job, runID, asOf])
                var seenDays: Set<String> = []
                for run in previous {
                    guard !active.isEmpty else { break }
                    let day: String = run["as_of"]
                    guard seenDays.insert(day).inserted else { continue }
                    // In a partial run a key may have no line at all (the side that reported it failed): only a
                    // line that reconciled ends a streak there.
                    let partial = (run["status"] as String) == "partial"
                    var outstanding: Set<BalanceKey> = []
                    var unobserved: Set<BalanceKey> = []
                    var resolved: Set<BalanceKey> = []
                    for row in try Row.fetchAll(
                        db,
                        sql: """
                            SELECT venue, account, asset, classification FROM lines
                            WHERE run_id = ?
                              AND (is_break = 1 OR classification IN ('acknowledged', 'unreconciled')
                                   OR (? AND classification IN ('matched', 'within_tolerance')))
                            """,
                        arguments: [run["run_id"] as String, partial])
                    {
                        let key = BalanceKey(venue: row["venue"], account: row["account"], asset: row["asset"])
                        switch row["classification"] as String {
                        case "unreconciled": unobserved.insert(key)
                        case "matched", "within_tolerance": resolved.insert(key)
                        default: outstanding.insert(key)
                        }
                    }
                    for key in active {
                        if outstanding.contains(key) {
                            first[key] = day
                        } else if unobserved.contains(key) || (partial && !resolved.contains(key)) {
                            // Unreconciled that day (an input failed), or absent from a partial run: no observation
                            // either way, the streak goes on past it.
                            continue
                        } else {
                            // Reconciled that day: the streak began after it.
                            active.remove(key)
                        }
                    }
                }
                return first.mapValues {
                    BreakAge(firstSeen: $0, ageDays: calendar.businessDays(after: $0, through: asOf))
                }
            }
        } catch {
            throw self.error(error)
        }
    }

    /// A statement's closing balance of one key in a run (and the opening it started from, when known).
    package struct StatementClosing: Sendable, Hashable {
        /// The key.
        package let key: BalanceKey
        /// The statement's balance at the run's cutoff.
        package let closing: Amount
        /// What the statement opened with, when it says.
        package let opening: Amount?

        /// Creates a closing.
        package init(key: BalanceKey, closing: Amount, opening: Amount?) {
            self.key = key
            self.closing = closing
            self.opening = opening
        }
    }

    /// The latest run of `job` for a business day before `asOf`: what continuity is checked against.
    package struct PreviousDay: Sendable {
        /// Its run id.
        package let runID: String
        /// Its business day.
        package let asOf: String
        /// Its cutoff instant (ISO 8601), when recorded.
        package let cutoff: String?
        /// The statement's closing balance per key.
        package let closings: [BalanceKey: Amount]
    }

    /// The latest run of `job` for a day before `asOf` that recorded closings, or `nil`.
    package func previousDay(job: String, before asOf: String) throws(ReconciliationError) -> PreviousDay? {
        do {
            return try queue.read { db in
                guard
                    let run = try Row.fetchOne(
                        db,
                        sql: """
                            SELECT run_id, as_of, cutoff FROM runs
                            WHERE job = ? AND as_of < ? AND run_id IN (SELECT run_id FROM closings)
                              AND audit_state != 'missing'
                            ORDER BY as_of DESC, started_at DESC, run_id DESC LIMIT 1
                            """, arguments: [job, asOf])
                else { return nil }
                let runID: String = run["run_id"]
                var closings: [BalanceKey: Amount] = [:]
                for row in try Row.fetchAll(
                    db, sql: "SELECT venue, account, asset, closing FROM closings WHERE run_id = ?", arguments: [runID])
                {
                    guard let amount = Amount(row["closing"] as String) else { continue }
                    closings[BalanceKey(venue: row["venue"], account: row["account"], asset: row["asset"])] = amount
                }
                return PreviousDay(runID: runID, asOf: run["as_of"], cutoff: run["cutoff"], closings: closings)
            }
        } catch {
            throw self.error(error)
        }
    }

    /// One run as listed by `recon history`.
    package struct RunSummary: Sendable, Hashable {
        /// The run id.
        package let runID: String
        /// The job.
        package let job: String
        /// The business day.
        package let asOf: String
        /// When it started.
        package let startedAt: String
        /// Its status.
        package let status: String
        /// Its exit status.
        package let exitStatus: Int
        /// Lines and breaks.
        package let lineCount: Int
        /// Breaks.
        package let breakCount: Int
        /// Its result digest.
        package let resultDigest: String
        /// How the repository knows it: `committed` (the run recorded itself), `restored` (added from the audit
        /// file), `missing` (the audit file does not complete it).
        package var auditState = "committed"
    }

    /// Runs, newest first, optionally of one job and from an as-of day on.
    package func runs(job: String? = nil, since: String? = nil) throws(ReconciliationError) -> [RunSummary] {
        do {
            return try queue.read { db in
                var conditions: [String] = []
                var arguments: StatementArguments = []
                if let job {
                    conditions.append("job = ?")
                    arguments += [job]
                }
                if let since {
                    conditions.append("as_of >= ?")
                    arguments += [since]
                }
                let filter = conditions.isEmpty ? "" : "WHERE " + conditions.joined(separator: " AND ")
                return try Row.fetchAll(
                    db, sql: "SELECT * FROM runs \(filter) ORDER BY started_at DESC, rowid DESC", arguments: arguments
                ).map(Self.summary)
            }
        } catch {
            throw self.error(error)
        }
    }

    private static func summary(_ row: Row) -> RunSummary {
        var summary = RunSummary(
            runID: row["run_id"], job: row["job"], asOf: row["as_of"], startedAt: row["started_at"],
            status: row["status"],
            exitStatus: row["exit_status"], lineCount: row["line_count"], breakCount: row["break_count"],
            resultDigest: row["result_digest"])
        summary.auditState = row["audit_state"]
        return summary
    }

    /// A stored line.
    package struct StoredLine: Sendable, Hashable {
        /// Its key.
        package let key: BalanceKey
        /// Its classification.
        package let classification: String
        /// Ledger, statement, difference as written.
        package let ledger: String?
        /// The statement figure.
        package let statement: String?
        /// The difference.
        package let difference: String?
        /// The tolerance and its source.
        package let tolerance: String?
        /// Where the tolerance came from.
        package let toleranceSource: String?
        /// Since when, for breaks.
        package let firstSeen: String?
        /// How many business days old, for breaks recorded with their age in days.
        package let ageDays: Int?
        /// Whether the line was a break (an `unreconciled` line is not).
        package var isBreak = false
    }

    /// One run with its inputs and lines, for `recon show`.
    package struct RunDetail: Sendable {
        /// The run.
        package let summary: RunSummary
        /// Its inputs: side, name, path, format, sha256, status.
        package let inputs:
            [(side: String, name: String, path: String, format: String, sha256: String, status: String, error: String?)]
        /// Every line.
        package let lines: [StoredLine]
        /// Its reports.
        package let reports: [(path: String, sha256: String)]
    }

    /// The run `runID`, or `nil`.
    package func run(_ runID: String) throws(ReconciliationError) -> RunDetail? {
        do {
            return try queue.read { db in
                guard let row = try Row.fetchOne(db, sql: "SELECT * FROM runs WHERE run_id = ?", arguments: [runID])
                else {
                    return nil
                }
                let inputs = try Row.fetchAll(
                    db, sql: "SELECT * FROM inputs WHERE run_id = ? ORDER BY position, file_position",
                    arguments: [runID]
                ).map { row -> (String, String, String, String, String, String, String?) in
                    (row["side"], row["name"], row["path"], row["format"], row["sha256"], row["status"], row["error"])
                }
                let lines = try Row.fetchAll(
                    db, sql: "SELECT * FROM lines WHERE run_id = ? ORDER BY venue, account, asset", arguments: [runID]
                ).map { row in
                    var line = StoredLine(
                        key: BalanceKey(venue: row["venue"], account: row["account"], asset: row["asset"]),
                        classification: row["classification"], ledger: row["ledger"], statement: row["statement"],
                        difference: row["difference"], tolerance: row["tolerance"],
                        toleranceSource: row["tolerance_source"],
                        firstSeen: row["first_seen"], ageDays: row["age_days"])
                    line.isBreak = row["is_break"]
                    return line
                }
                let reports = try Row.fetchAll(
                    db, sql: "SELECT path, sha256 FROM reports WHERE run_id = ?", arguments: [runID]
                )
                .map { row -> (String, String) in (row["path"], row["sha256"]) }
                return RunDetail(summary: Self.summary(row), inputs: inputs, lines: lines, reports: reports)
            }
        } catch {
            throw self.error(error)
        }
    }
}
