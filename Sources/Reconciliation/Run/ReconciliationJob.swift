import Dispatch
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Something that happened during a run, for logs and progress displays.
public enum RunEvent: Sendable {
    /// The run started.
    case started(runID: String, job: String, asOf: String)
    /// An input was read (or failed), in this many seconds.
    case inputLoaded(InputSummary, seconds: Double)
    /// A stage of the run finished, in this many seconds since the run started (`ingest`, `reconcile`, `reports`,
    /// `audit`).
    case stageFinished(String, seconds: Double)
    /// The lines were classified (one event for all of them: thousands of events would cost a thread handoff each).
    case linesClassified([ReconciliationLine])
    /// Reports were written.
    case reportWritten(WrittenFile)
    /// Something the run found about its surroundings (the repository brought level with the audit file).
    case notice(String)
    /// The run finished with a report.
    case completed(ReconciliationReport)
    /// The run could not finish.
    case failed(ReconciliationError)
}

/// A file a run wrote, with its digest.
public struct WrittenFile: Sendable, Hashable {
    /// Its path.
    public let path: String
    /// The path as shown (relative to the working directory when inside it).
    public let displayPath: String
    /// The SHA-256 of its bytes.
    public let sha256: String

    /// Creates a record of a written file.
    public init(path: String, displayPath: String? = nil, sha256: String) {
        self.path = path
        self.displayPath = displayPath ?? path
        self.sha256 = sha256
    }
}

/// What a run produced.
public struct RunOutcome: Sendable {
    /// The report.
    public let report: ReconciliationReport
    /// The report files written.
    public let files: [WrittenFile]
    /// The full outcome of every input (balances included), ledger first.
    package let inputs: [InputOutcome]
    /// Wall time of the run, by the run's clock.
    public let durationSeconds: Double
    /// When the run finished, by the run's clock (Unix time).
    public let finishedAtSeconds: Int64
    /// What went wrong after the run completed without changing its outcome (the repository could not record it).
    public var warnings: [String] = []
}

/// Runs one job through the pipeline: ingest every input (in parallel, bounded by cores) → normalize → two books →
/// reconcile → report files. Each stage is a plain call with a named type on each side; only the ends do I/O.
///
/// ```swift
/// let job = try JobSpec.load(path: "jobs/eod-sample.yaml", environment: ProcessInfo.processInfo.environment)
/// let outcome = try ReconciliationJob(spec: job).run()
/// print(outcome.report.status)   // breaks
/// ```
public struct ReconciliationJob: Sendable {
    /// The job.
    public let spec: JobSpec
    /// The clock, run id and environment.
    public let environment: RunEnvironment
    /// Maps an input file to the path actually opened (a replay reads archived copies).
    package var openPath: @Sendable (InputFile) -> String = { $0.path }
    /// Counts bytes read per input, for progress displays.
    package var progress: @Sendable (InputSpec) -> ByteCounter = { _ in ByteCounter() }
    /// A fixed run id (replays), instead of a new one.
    public var runID: String?

    /// Creates a runnable job.
    public init(spec: JobSpec, environment: RunEnvironment = .live()) {
        self.spec = spec
        self.environment = environment
    }

    /// Runs the job; `events` hears about every stage. Throws only when the run as a whole cannot finish (the audit
    /// file is damaged, reports cannot be written, an input cannot be archived); a failed input makes the run
    /// `partial`, not an error.
    ///
    /// The stages, in the order of their effects (docs/AUDIT.md, "Order of effects"): ``open(events:)`` records
    /// `run_started`; ``commit(_:summaries:events:)`` ingests, reconciles, stages every report in a private directory
    /// and appends the completion batch — the run's single commit point; ``finish(_:_:events:)`` records the run in
    /// the repository and moves the staged reports into place. A failure before the commit leaves no report and a
    /// `run_failed` record; a failure after it is recorded as `post_commit_failure`, never as a second verdict.
    public func run(events: @Sendable (RunEvent) -> Void = { _ in }) throws(ReconciliationError) -> RunOutcome {
        let opened = try open(events: events)
        var summaries: [InputSummary] = []
        let committed: CommittedRun
        do {
            committed = try commit(opened, summaries: &summaries, events: events)
        } catch {
            abandon(opened, error: error, summaries: summaries, events: events)
            throw error
        }
        return try finish(committed, opened, events: events)
    }

    /// A run that has started: its id, its clock, its audit trail and repository (brought level with each other),
    /// and its `run_started` record.
    struct OpenedRun {
        let runID: String
        let startedAt: Date
        let clock: ContinuousClock.Instant
        let trail: AuditTrail?
        let repository: RunRepository?
        let runStarted: AuditLog.WrittenRecord?
        let paths: PathResolver
    }

    /// Reports written into the run's staging directory, not yet in place.
    struct StagedReports {
        /// The report, its result digest made (while report.json was written, when the job writes it).
        let report: ReconciliationReport
        /// The staging directory.
        let directory: String
        /// Each file: where it is staged, and where it goes.
        var files: [(staged: String, written: WrittenFile)]
    }

    /// A run whose completion is durable in the audit file (or, without one, whose reports are staged).
    struct CommittedRun {
        let report: ReconciliationReport
        let outcomes: [InputOutcome]
        let staged: StagedReports
        let auditRecords: [AuditLog.WrittenRecord]
        let anchor: AuditAnchor?
    }

    /// Opens the audit trail and the repository, brings the repository level with the audit file (runs the audit
    /// file completes are added; runs it does not are marked), and records `run_started`.
    func open(events: @Sendable (RunEvent) -> Void) throws(ReconciliationError) -> OpenedRun {
        let startedAt = environment.now()
        let runID = self.runID ?? environment.makeRunID(spec.name, startedAt)
        let trail = try auditTrail()
        let repository = try spec.repositoryPath.map { path throws(ReconciliationError) in try RunRepository(path: path)
        }
        var notices: [String] = []
        if let repository, let trail { notices = try repository.level(with: trail.log, jobs: [spec.name]) }
        let runStarted = try trail?.runStarted(
            runID: runID, spec: spec, time: iso8601(startedAt), toolVersion: environment.toolVersion)
        events(.started(runID: runID, job: spec.name, asOf: spec.asOf))
        for notice in notices { events(.notice(notice)) }
        environment.faults.boundary(.afterStart)
        return OpenedRun(
            runID: runID, startedAt: startedAt, clock: ContinuousClock.now, trail: trail, repository: repository,
            runStarted: runStarted, paths: PathResolver(currentDirectory: environment.currentDirectory))
    }

    /// What ingest read: every input's outcome, the reference files, and the continuity findings against the
    /// previous business day.
    struct Ingested {
        let outcomes: [InputOutcome]
        let references: ReferenceData
        let continuity: [BalanceKey: String]
    }

    /// What the run concluded about the lines, before history: the result (acknowledgements applied), the run-level
    /// notices, and the inputs as reports list them (the acknowledgements' findings included).
    struct Judged {
        let ingested: Ingested
        let result: ReconciliationResult
        let notices: [String]
        let summaries: [InputSummary]
    }

    /// Ingest → judge → report (with history) → stage the reports → append the completion batch. Nothing is published
    /// yet; what this throws leaves the world as if the run had not completed
    /// (``abandon(_:error:summaries:events:)`` says so).
    func commit(_ opened: OpenedRun, summaries: inout [InputSummary], events: @Sendable (RunEvent) -> Void)
        throws(ReconciliationError) -> CommittedRun
    {
        let ingested = try ingest(opened, summaries: &summaries, events: events)
        let judged = judge(ingested)
        summaries = judged.summaries
        events(.stageFinished("reconcile", seconds: Self.seconds(since: opened.clock)))
        events(.linesClassified(judged.result.lines))
        let outcomes = ingested.outcomes
        var stagingNotices: [String] = []
        var staged = try stage(
            try makeReport(judged, opened), runID: opened.runID, repository: opened.repository,
            audit: opened.trail?.log, notices: &stagingNotices)
        let report = staged.report
        for notice in stagingNotices { events(.notice(notice)) }
        events(.stageFinished("reports", seconds: Self.seconds(since: opened.clock)))
        environment.faults.boundary(.afterStage)
        guard let trail = opened.trail else {
            // Without an audit file the repository's record is the commit.
            try opened.repository?.record(
                report, config: spec.jsonValue, reports: staged.files.map(\.written), audit: nil,
                closings: Self.closings(outcomes), faults: environment.faults)
            return CommittedRun(report: report, outcomes: outcomes, staged: staged, auditRecords: [], anchor: nil)
        }
        let runID = opened.runID
        let appended = try trail.runCompleted(
            runID: runID, report: report, inputs: summaries, reports: staged.files.map(\.written),
            time: iso8601(environment.now()), repository: opened.repository.map { absolutePath($0.path) }
        ) { (batch: AuditLog.Appended) throws(ReconciliationError) in
            // checkpoint.json is staged with the reports while the audit lock is held, before the batch is written:
            // once the batch is durable there is nothing left that could fail before publishing but a rename.
            guard let checkpoint = batch.checkpoint else { return }
            var fields = checkpoint.fields
            fields["audit_file"] = .string(trail.log.displayPath)
            fields["run_id"] = .string(runID)
            let staging = staged.directory + "/checkpoint.json"
            let final = spec.report.directory + "/checkpoint.json"
            let digest = try FileOutput.writeAtomically(
                Array(JSONValue.object(fields).prettyEncoded().utf8), to: staging, faults: environment.faults,
                writeStep: .checkpointWrite, syncStep: .checkpointWrite)
            staged.files.append(
                (staging, WrittenFile(path: final, displayPath: opened.paths.display(final), sha256: digest)))
        }
        environment.faults.boundary(.afterCommit)
        let anchor = appended.records.last.map {
            AuditAnchor(runID: runID, seq: $0.seq, hash: $0.hash, end: $0.end)
        }
        return CommittedRun(
            report: report, outcomes: outcomes, staged: staged, auditRecords: appended.records, anchor: anchor)
    }

    /// Reads every input (with the previous business day's closings, which today's openings must continue) and the
    /// reference files, and archives them.
    func ingest(_ opened: OpenedRun, summaries: inout [InputSummary], events: @Sendable (RunEvent) -> Void)
        throws(ReconciliationError) -> Ingested
    {
        let previous = try opened.repository?.previousDay(job: spec.name, before: spec.asOf)
        let special = copySpecialFiles(runID: opened.runID)
        defer { special.directory.map(FileOutput.removeDirectory) }
        var outcomes = loadInputs(
            previousCutoff: previous?.cutoff.flatMap(Timestamp.init), inputs: special.inputs, copies: special.copies,
            archives: true, events: events)
        let continuity = previous.map { Self.checkContinuity(&outcomes, against: $0) } ?? [:]
        let references = ReferenceData.load(spec, open: openPath)
        for summary in references.summaries { events(.inputLoaded(summary, seconds: 0)) }
        events(.stageFinished("ingest", seconds: Self.seconds(since: opened.clock)))
        summaries = outcomes.map(Self.summary) + references.summaries
        try archive(outcomes, copies: special.copies, references: references.opened)
        environment.faults.boundary(.afterIngest)
        return Ingested(outcomes: outcomes, references: references, continuity: continuity)
    }

    /// Reconciles the books (valued when the job values differences) and applies the acknowledgements.
    func judge(_ ingested: Ingested) -> Judged {
        var references = ingested.references
        let (reconciled, notices) = reconcile(ingested.outcomes, valuation: references.valuation)
        let (result, findings) = Acknowledgements.apply(references.acknowledgements, to: reconciled, asOf: spec.asOf)
        references.attach(findings)
        return Judged(
            ingested: ingested, result: result, notices: notices,
            summaries: ingested.outcomes.map(Self.summary) + references.summaries)
    }

    /// The report: the judged lines with what history says (ageing in business days) and where the run sits in its
    /// audit file — every part an input here, nothing set afterwards.
    func makeReport(_ judged: Judged, _ opened: OpenedRun) throws(ReconciliationError) -> ReconciliationReport {
        let references = judged.ingested.references
        var ageing: [BalanceKey: BreakAge] = [:]
        if let repository = opened.repository {
            let lines = judged.result.lines
            let outstanding = lines.indices.lazy.filter {
                lines[$0].classification.isBreak || lines[$0].classification == .acknowledged
            }
            ageing = try repository.ageing(
                job: spec.name, asOf: spec.asOf, keys: Array(outstanding.map { lines[$0].key }),
                excluding: opened.runID,
                calendar: references.calendar)
        }
        let audit = opened.trail.flatMap { trail in
            opened.runStarted.map { started in
                AuditReference(
                    file: trail.log.displayPath,
                    runStarted: AuditAnchor(
                        runID: opened.runID, seq: started.seq, hash: started.hash, end: started.end))
            }
        }
        let report = ReconciliationReport(
            runID: opened.runID, job: spec.name, asOf: spec.asOf, startedAt: iso8601(opened.startedAt),
            toolVersion: environment.toolVersion, maxBreaks: spec.maxBreaks, result: judged.result,
            inputs: judged.summaries, ageing: ageing, continuity: judged.ingested.continuity,
            valuation: references.valuation, audit: audit, cutoff: spec.cutoff, notices: judged.notices,
            digestNow: false)
        return report
    }

    /// After the commit: the repository records the run (a failure is a warning — the next run adds the run from the
    /// audit file) and the staged reports move into place, report.json last. A failed move is an error (exit 2):
    /// the run completed, but its reports are not where the job says.
    func finish(_ committed: CommittedRun, _ opened: OpenedRun, events: @Sendable (RunEvent) -> Void)
        throws(ReconciliationError) -> RunOutcome
    {
        let report = committed.report
        var warnings: [String] = []
        let files = committed.staged.files.map(\.written)
        if let repository = opened.repository, let trail = opened.trail {
            do {
                try repository.record(
                    report, config: spec.jsonValue, reports: files,
                    audit: (trail.log.displayPath, committed.auditRecords), closings: Self.closings(committed.outcomes),
                    anchor: committed.anchor.map { (trail.log.path, $0) }, faults: environment.faults)
            } catch {
                warnings.append(
                    "the run completed, but the run repository could not record it (\(error.message)); the next run "
                        + "of the job, or `recon history`, adds it from the audit file")
                _ = try? trail.postCommitFailure(
                    runID: opened.runID, step: "repository", error: error, time: iso8601(environment.now()))
            }
        }
        environment.faults.boundary(.afterRepository)
        do {
            try publish(committed.staged)
        } catch {
            _ = try? opened.trail?.postCommitFailure(
                runID: opened.runID, step: "publish", error: error, time: iso8601(environment.now()))
            let failure = ReconciliationError(
                .report,
                "run \(opened.runID) completed (its audit records are durable), but its reports could not be moved "
                    + "into place: \(error.message); they are in \(opened.paths.display(committed.staged.directory))",
                at: error.location)
            events(.failed(failure))
            throw failure
        }
        environment.faults.boundary(.afterPublish)
        for file in files { events(.reportWritten(file)) }
        events(.stageFinished("audit", seconds: Self.seconds(since: opened.clock)))
        events(.completed(report))
        let finishedAt = environment.now()
        return RunOutcome(
            report: report, files: files, inputs: committed.outcomes,
            durationSeconds: finishedAt.timeIntervalSince(opened.startedAt),
            finishedAtSeconds: Int64(finishedAt.timeIntervalSince1970.rounded(.down)), warnings: warnings)
    }

    /// A run that failed before its commit: its staged reports are removed and the audit file says `run_failed`.
    func abandon(
        _ opened: OpenedRun, error: ReconciliationError, summaries: [InputSummary], events: @Sendable (RunEvent) -> Void
    ) {
        events(.failed(error))
        FileOutput.removeDirectory(stagingDirectory(runID: opened.runID))
        // Best effort: the run is failing already; a second failure must not hide the first.
        _ = try? opened.trail?.runFailed(
            runID: opened.runID, error: error, inputs: summaries, time: iso8601(environment.now()))
    }

    /// Completes the archive, when the job keeps one: the inputs' copies were taken while they were first read (a
    /// failure to take one stops the run here, before its commit); what was not copied that way — a file the loader
    /// could not finish copying, and the reference files — is stored now.
    func archive(
        _ outcomes: [InputOutcome], copies: [String: String] = [:],
        references: [(path: String, sha256: String, displayPath: String)] = []
    ) throws(ReconciliationError) {
        guard let archive = spec.archiveDirectory.map({ InputArchive(directory: $0, faults: environment.faults) })
        else { return }
        for outcome in outcomes {
            if let failure = outcome.archiveFailure { throw failure }
            for (position, (file, facts)) in zip(outcome.spec.files, outcome.files).enumerated()
            where !facts.sha256.isEmpty && !outcome.archivedFiles.contains(position) {
                try archive.store(
                    copies[file.path] ?? openPath(file), sha256: facts.sha256, displayPath: facts.displayPath)
            }
        }
        for file in references where !file.sha256.isEmpty {
            try archive.store(file.path, sha256: file.sha256, displayPath: file.displayPath)
        }
    }

    /// The job's inputs with devices, FIFOs and sockets read once — when `allow_special_files: true` — up to
    /// `limits.max_input_bytes`, into private regular files in `directory` (removed after the run): the run reads,
    /// hashes and archives the copy, so the bytes it reconciled are the bytes it recorded. A special file that cannot
    /// be read so fails its input only.
    func copySpecialFiles(runID: String) -> (inputs: [InputSpec], copies: [String: String], directory: String?) {
        var inputs = spec.inputs
        var copies: [String: String] = [:]
        var directory: String?
        for index in inputs.indices where inputs[index].options.limits.allowSpecialFiles {
            for file in inputs[index].files {
                var info = stat()
                let path = openPath(file)
                guard stat(path, &info) == 0, (info.st_mode & S_IFMT) != S_IFREG, (info.st_mode & S_IFMT) != S_IFDIR
                else { continue }
                let folder =
                    directory
                    ?? ((environment.variables["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp")
                        + "/recon-special-\(getpid())-" + Self.safeName(runID))
                directory = folder
                let copy = folder + "/\(copies.count)"
                do throws(ReconciliationError) {
                    try FileOutput.makeDirectory(folder)
                    try Self.copyOnce(path, to: copy, limit: inputs[index].options.limits.maxInputBytes)
                    copies[file.path] = copy
                } catch {
                    inputs[index].refusal = (file.displayPath, error.message)
                }
            }
        }
        return (inputs, copies, directory)
    }

    /// Reads a special file to its end into a new regular file, failing past `limit` bytes.
    static func copyOnce(_ path: String, to copy: String, limit: Int64) throws(ReconciliationError) {
        let input = Glibc.open(path, O_RDONLY | O_CLOEXEC)
        guard input >= 0 else {
            throw ReconciliationError(.ingest, "cannot open: \(systemErrorMessage(errno))")
        }
        defer { close(input) }
        let output = Glibc.open(copy, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0o600)
        guard output >= 0 else {
            throw ReconciliationError(.ingest, "cannot make a private copy: \(systemErrorMessage(errno))")
        }
        defer { close(output) }
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 20, alignment: 16)
        defer { buffer.deallocate() }
        var total: Int64 = 0
        while true {
            let count = read(input, buffer.baseAddress, buffer.count)
            if count < 0 {
                if errno == EINTR { continue }
                throw ReconciliationError(.ingest, "read failed at byte \(total): \(systemErrorMessage(errno))")
            }
            if count == 0 { return }
            total += Int64(count)
            guard total <= limit else {
                throw ReconciliationError(
                    .ingest,
                    "a special file (device, FIFO or socket) gave more than `limits.max_input_bytes` (\(limit)) "
                        + "bytes; stopped reading it")
            }
            if let base = buffer.baseAddress, let failure = writeFully(output, base, count: count) {
                throw ReconciliationError(.ingest, "cannot make a private copy: \(systemErrorMessage(failure))")
            }
        }
    }

    /// The prefix of every staging directory of this job (a run's is this prefix and its run id).
    var stagingPrefix: String { ".recon-staging-" + Self.safeName(spec.name) + "." }

    /// Where a run stages its reports: a hidden directory inside the report directory (same file system, so
    /// publishing is a rename).
    func stagingDirectory(runID: String) -> String {
        spec.report.directory + "/" + stagingPrefix + Self.safeName(runID)
    }

    /// Letters, digits, `.`, `_` and `-` kept; anything else becomes `_`.
    static func safeName(_ text: String) -> String {
        String(
            text.unicodeScalars.map { scalar -> Character in
                ("0"..."9").contains(scalar) || ("a"..."z").contains(scalar) || ("A"..."Z").contains(scalar)
                    || scalar == "." || scalar == "_" || scalar == "-" ? Character(scalar) : "_"
            })
    }

    /// Writes every configured report format into the run's staging directory. What an interrupted run of the same
    /// job left there (the job lock is held, so no other run of it is writing) is removed — unless the repository
    /// holds that run as completed: its reports were committed but never published, and are the only copy, so they
    /// stay and `notices` says where.
    ///
    /// A report whose result digest is pending gets it here: made while report.json is written, from the same
    /// encoding of the lines (report.csv, which does not show the digest, is written meanwhile; the pages after), or
    /// on its own first when the job writes no report.json.
    func stage(
        _ report: ReconciliationReport, runID: String, repository: RunRepository?, audit: AuditLog?,
        notices: inout [String]
    ) throws(ReconciliationError) -> StagedReports {
        var report = report
        try FileOutput.makeDirectory(spec.report.directory)
        let paths = PathResolver(currentDirectory: environment.currentDirectory)
        // Which runs completed: the repository's, else (read only when something stale is there) the audit file's.
        var completedRuns: Set<String>?
        for name in FileOutput.names(in: spec.report.directory) where name.hasPrefix(stagingPrefix) {
            let folder = spec.report.directory + "/" + name
            let staleRun = String(name.dropFirst(stagingPrefix.count))
            if completedRuns == nil {
                var known: [String] = []
                if let repository {
                    known = (try? repository.runs(job: spec.name).map { $0.runID }) ?? []
                } else if let audit {
                    known = (try? AuditVerifier.verify(path: audit.path).completions.map { $0.runID }) ?? []
                }
                completedRuns = Set(known.map(Self.safeName))
            }
            if completedRuns?.contains(staleRun) == true {
                notices.append(
                    "the reports of completed run \(staleRun) were never moved into place; they are in "
                        + paths.display(folder))
            } else {
                FileOutput.removeDirectory(folder)
            }
        }
        let directory = stagingDirectory(runID: runID)
        try FileOutput.makeDirectory(directory)
        // The report files are independent: written on every core (one core wrote 1 GB of reports for a million
        // keys while the other idled). A failure is the first format's in the job's order, as one at a time.
        // Each format once (a job loaded from a file cannot list one twice; a spec made in code might): two writers of
        // one file would race for it.
        var formats: [ReportFormat] = []
        for format in spec.report.formats where !formats.contains(format) { formats.append(format) }
        let writers = formats.map(ReportWriters.writer(for:))
        let faults = environment.faults
        let digests = Mutex<[Result<String, ReconciliationError>]>(
            Array(repeating: .failure(ReconciliationError(.report, "not written")), count: writers.count))
        // The costliest first (report.json, report.csv, then the bounded pages): at a million lines the two full files
        // take most of the stage, and the page started last on the core that wrote report.csv finished alone.
        func cost(_ format: ReportFormat) -> Int {
            switch format {
            case .json: 0
            case .csv: 1
            case .html: 2
            case .markdown: 3
            }
        }
        let order = formats.indices.sorted { cost(formats[$0]) < cost(formats[$1]) }
        @Sendable func write(_ positions: [Int], _ report: ReconciliationReport) {
            DispatchQueue.concurrentPerform(iterations: positions.count) { turn in
                let position = positions[turn]
                let writer = writers[position]
                let digest = Result { () throws(ReconciliationError) -> String in
                    try FileOutput.writeAtomically(to: directory + "/" + writer.fileName, faults: faults) { sink in
                        writer.write(report, to: sink)
                    }
                }
                digests.withLock { $0[position] = digest }
            }
        }
        if report.digestPending, let json = formats.firstIndex(of: .json) {
            // report.json makes the digest as it writes the lines; report.csv does not show it, so it is written
            // meanwhile, and the pages, which show it, are made up to it; they are written once it is made.
            let alongside = order.filter { formats[$0] == .csv }
            let pages = order.filter { formats[$0] != .json && formats[$0] != .csv }
            let prepared = Mutex<[Int: PreparedReport]>([:])
            let pending = report
            report.settleDigest { tap, finish in
                DispatchQueue.concurrentPerform(iterations: 1 + alongside.count + pages.count) { turn in
                    if turn > alongside.count {
                        let position = pages[turn - 1 - alongside.count]
                        let page = writers[position].prepare(pending)
                        prepared.withLock { $0[position] = page }
                        return
                    }
                    guard turn == 0 else { return write([alongside[turn - 1]], pending) }
                    let digest = Result { () throws(ReconciliationError) -> String in
                        try FileOutput.writeAtomically(to: directory + "/" + writers[json].fileName, faults: faults) {
                            sink in
                            JSONReportWriter().write(pending, to: sink, tap: tap, finish: finish)
                        }
                    }
                    digests.withLock { $0[json] = digest }
                }
            }
            let resultDigest = report.resultDigest
            let made = prepared.withLock { $0 }
            DispatchQueue.concurrentPerform(iterations: pages.count) { turn in
                let position = pages[turn]
                let digest = Result { () throws(ReconciliationError) -> String in
                    guard let page = made[position] else { preconditionFailure("a page is written before it is made") }
                    return try FileOutput.writeAtomically(
                        to: directory + "/" + writers[position].fileName, faults: faults
                    ) { sink in
                        page.write(resultDigest, sink)
                    }
                }
                digests.withLock { $0[position] = digest }
            }
        } else {
            if report.digestPending { report.settleDigest { _, _ in } }
            write(order, report)
        }
        var files: [(staged: String, written: WrittenFile)] = []
        for (writer, digest) in zip(writers, digests.withLock { $0 }) {
            let final = spec.report.directory + "/" + writer.fileName
            files.append(
                (
                    directory + "/" + writer.fileName,
                    WrittenFile(path: final, displayPath: paths.display(final), sha256: try digest.get())
                ))
        }
        return StagedReports(report: report, directory: directory, files: files)
    }

    /// Moves the staged files into place — report.json last, so a report.json in place always belongs to a run whose
    /// every file is in place — then removes the staging directory. The previous run's files go first (report.json
    /// before the others): a publication that fails part-way leaves no report.json and no older file beside newer.
    func publish(_ staged: StagedReports) throws(ReconciliationError) {
        let ordered =
            staged.files.filter { !$0.staged.hasSuffix("/report.json") }
            + staged.files.filter { $0.staged.hasSuffix("/report.json") }
        for file in ordered.reversed() where unlink(file.written.path) != 0 && errno != ENOENT {
            throw ReconciliationError(
                .report, "cannot remove the previous run's file: \(systemErrorMessage(errno))",
                at: SourceLocation(file: file.written.displayPath))
        }
        for file in ordered {
            if let code = environment.faults.error(at: .publish)
                ?? (rename(file.staged, file.written.path) == 0
                    ? nil : errno)
            {
                throw ReconciliationError(
                    .report, "cannot move into place: \(systemErrorMessage(code))",
                    at: SourceLocation(file: file.written.displayPath))
            }
        }
        FileOutput.syncDirectory(spec.report.directory)
        rmdir(staged.directory)
    }

    /// The audit trail, when the job has one, with its signing key (a key file, or `RECON_AUDIT_SIGNING_KEY`).
    func auditTrail() throws(ReconciliationError) -> AuditTrail? {
        guard let audit = spec.audit else { return nil }
        var signer: CheckpointSigner?
        if let keyText = environment.variables["RECON_AUDIT_SIGNING_KEY"], !keyText.isEmpty {
            signer = try CheckpointSigner(text: keyText, source: "RECON_AUDIT_SIGNING_KEY")
        } else if let keyPath = audit.signingKeyPath {
            let source = try FileByteSource(path: keyPath, displayPath: keyPath)
            let text = String(decoding: try ReplayByteSource.readPrefix(source, count: 4096), as: UTF8.self)
            signer = try CheckpointSigner(text: text, source: "the signing key file \(keyPath)")
        }
        let display = PathResolver(currentDirectory: environment.currentDirectory).display(audit.path)
        let directory = PathResolver(currentDirectory: environment.currentDirectory).directory(of: audit.path)
        try FileOutput.makeDirectory(directory)
        return AuditTrail(
            log: AuditLog(path: audit.path, displayPath: display, faults: environment.faults), signer: signer)
    }

    /// Reads every input, several at a time (at most one per core); `previousCutoff` is the previous business day's,
    /// where running balances take their opening.
    func loadInputs(
        previousCutoff: Timestamp? = nil, collectsRawCodes: Bool = false, inputs given: [InputSpec]? = nil,
        copies: [String: String] = [:], archives: Bool = false, events: @Sendable (RunEvent) -> Void
    ) -> [InputOutcome] {
        let inputs = (given ?? spec.inputs).map { input in
            var input = input
            input.options.previousCutoff = previousCutoff
            return input
        }
        var configured = InputLoader(jobAliases: spec.aliases, prefetch: true, progress: progress)
        configured.collectsRawCodes = collectsRawCodes
        if archives {
            configured.archive = spec.archiveDirectory.map { InputArchive(directory: $0, faults: environment.faults) }
        }
        let loader = configured
        let results = Mutex<[InputOutcome?]>(Array(repeating: nil, count: inputs.count))
        let ledgerCount = spec.ledger.count
        let original = self.openPath
        let openPath: @Sendable (InputFile) -> String = { copies[$0.path] ?? original($0) }
        DispatchQueue.concurrentPerform(iterations: inputs.count) { position in
            let started = ContinuousClock.now
            let index = position < ledgerCount ? position : position - ledgerCount
            let outcome = loader.load(inputs[position], index: index, open: openPath)
            results.withLock { $0[position] = outcome }
            events(.inputLoaded(Self.summary(outcome), seconds: Self.seconds(since: started)))
        }
        return results.withLock { $0.compactMap { $0 } }
    }

    /// Builds both books from the inputs that did not fail and reconciles them; keys of a failed (or skipped) input
    /// become `unreconciled`, and the run-level notices say what could not be attributed.
    func reconcile(_ outcomes: [InputOutcome], valuation: Valuation? = nil) -> (ReconciliationResult, [String]) {
        let result = reconcileBooks(outcomes, valuation: valuation)
        var balanceNotes: [BalanceKey: [String]] = [:]
        for outcome in outcomes {
            for balance in outcome.balances where !balance.notes.isEmpty {
                for note in balance.notes where !(balanceNotes[balance.key]?.contains(note) ?? false) {
                    balanceNotes[balance.key, default: []].append(note)
                }
            }
        }
        let (coverage, notices) = Self.unreconciledCoverage(outcomes)
        guard !balanceNotes.isEmpty || !coverage.isEmpty else { return (result, notices) }
        let lines = result.lines.map { line in
            var line = line
            for note in balanceNotes[line.key] ?? [] { line = line.addingNote(note) }
            // Every key of a failed input is unreconciled, even one another input still matched: what the failed
            // input would have said about it is unknown.
            for gap in coverage where gap.covers(line.key) {
                line =
                    line.classification == .unreconciled
                    ? line.addingNote("not reconciled: \(gap.reason)")
                    : line.reclassified(.unreconciled, note: "not reconciled: \(gap.reason)")
            }
            return line
        }
        return (ReconciliationResult(sortedLines: lines), notices)
    }

    /// Which keys a failed or skipped input would have covered: the venue/account pairs it reported before failing,
    /// the pair it declares (`venue:` or its format's venue, and `account:`), or — declaring only a venue that no other
    /// input of its side reads — the whole venue. An input that names none of these becomes a run-level notice.
    static func unreconciledCoverage(_ outcomes: [InputOutcome]) -> ([CoverageGap], [String]) {
        var gaps: [CoverageGap] = []
        var notices: [String] = []
        // Nearly every run has nothing to cover. The venues read are gathered only then, without copying the outcomes
        // (at 10,000 inputs a filtered copy and a string per balance were 23 MiB of the run's peak).
        guard outcomes.contains(where: { $0.failed || $0.skipped }) else { return (gaps, notices) }
        var readVenues: Set<String> = []
        for outcome in outcomes where !outcome.failed && !outcome.skipped {
            let side = outcome.spec.side.rawValue
            for balance in outcome.balances { readVenues.insert("\(side)/\(balance.key.venue)") }
        }
        for outcome in outcomes where outcome.failed || outcome.skipped {
            let spec = outcome.spec
            let reason =
                outcome.skipped
                ? "the optional \(spec.side.rawValue) input \(spec.name) had no file"
                : "the \(spec.side.rawValue) input \(spec.name) failed (\(outcome.firstError ?? "error"))"
            var pairs = outcome.partialCoverage
            let venue =
                (spec.options.venue ?? spec.format.flatMap { StatementFormats.reader(named: $0)?.defaultVenue })?
                .trimmingSpaces.lowercased()
            let account = spec.options.account.map { spec.accounts[$0.trimmingSpaces] ?? $0.trimmingSpaces }
            if let venue, let account { pairs.insert(.init(venue: venue, account: account)) }
            var wholeVenue: String?
            if pairs.isEmpty, let venue, !readVenues.contains("\(spec.side.rawValue)/\(venue)") { wholeVenue = venue }
            if pairs.isEmpty && wholeVenue == nil {
                notices.append(
                    "\(reason); its keys cannot be told apart from the others, so some breaks may be caused by it")
                continue
            }
            gaps.append(CoverageGap(side: spec.side, pairs: pairs, venue: wholeVenue, reason: reason))
        }
        return (gaps, notices)
    }

    /// The keys a failed or skipped input leaves unreconciled.
    struct CoverageGap {
        let side: Side
        let pairs: Set<BalanceBook.VenueAccount>
        let venue: String?
        let reason: String

        func covers(_ key: BalanceKey) -> Bool {
            key.venue == venue || pairs.contains(.init(venue: key.venue, account: key.account))
        }
    }

    /// Today's openings against the previous business day's closings: a statement that does not continue from where
    /// the last run left it is a warning on its input and a finding for its line (shown like ageing, outside the
    /// result digest, since it comes from history rather than from the run's inputs).
    static func checkContinuity(_ outcomes: inout [InputOutcome], against previous: RunRepository.PreviousDay)
        -> [BalanceKey: String]
    {
        var findings: [BalanceKey: String] = [:]
        for index in outcomes.indices where outcomes[index].spec.side == .statement {
            for position in outcomes[index].balances.indices {
                let balance = outcomes[index].balances[position]
                guard let opening = balance.opening, let closing = previous.closings[balance.key], closing != opening
                else { continue }
                let finding =
                    "opening \(opening) does not continue the closing \(closing) recorded for \(previous.asOf) "
                    + "(run \(previous.runID))"
                findings[balance.key] = finding
                outcomes[index].diagnostics.append(
                    Diagnostic(.warning, "\(balance.key): " + finding, at: balance.source))
            }
        }
        return findings
    }

    /// The statement's closing balance per key, for the next business day's continuity check (keys read twice are
    /// conflicts, not closings).
    static func closings(_ outcomes: [InputOutcome]) -> [RunRepository.StatementClosing] {
        var seen: [BalanceKey: RunRepository.StatementClosing] = [:]
        var twice: Set<BalanceKey> = []
        for outcome in outcomes where outcome.spec.side == .statement && !outcome.failed {
            for balance in outcome.balances {
                if seen[balance.key] != nil { twice.insert(balance.key) }
                seen[balance.key] = RunRepository.StatementClosing(
                    key: balance.key, closing: balance.total, opening: balance.opening)
            }
        }
        return seen.filter { !twice.contains($0.key) }.values.sorted { $0.key < $1.key }
    }

    /// Builds both books from the inputs that did not fail and reconciles them.
    func reconcileBooks(_ outcomes: [InputOutcome], valuation: Valuation? = nil) -> ReconciliationResult {
        var ledgerPolicies: [Int: InputPolicy] = [:]
        var statementPolicies: [Int: InputPolicy] = [:]
        for outcome in outcomes {
            let policy = InputPolicy(
                label: outcome.spec.name, missingMeansZero: outcome.spec.missingMeansZero, compare: outcome.spec.compare
            )
            switch outcome.spec.side {
            case .ledger: ledgerPolicies[outcome.index] = policy
            case .statement: statementPolicies[outcome.index] = policy
            case .reference: break
            }
        }
        // The two sides' books are independent, so they are built at once (1.3M keys a side took most of a second of
        // one core each); each adds its side's inputs in job order, as before.
        let sides: [Side] = [.ledger, .statement]
        let built = Mutex<[BalanceBook]>([BalanceBook(), BalanceBook()])
        DispatchQueue.concurrentPerform(iterations: sides.count) { part in
            var book = BalanceBook()
            for outcome in outcomes where outcome.spec.side == sides[part] {
                book.add(
                    outcome.balances, input: outcome.index, kind: outcome.kind,
                    tracksCoverage: outcome.spec.missingMeansZero)
            }
            built.withLock { $0[part] = book }
        }
        // Taken out of the lock and handed over: the reconciler releases the books' indexes (268 MB at 1.3M keys a
        // side) before it makes the lines, which it can only do when nothing else holds them.
        var books = built.withLock { books in
            defer { books = [] }
            return books
        }
        let statement = books.removeLast()
        let ledger = books.removeLast()
        let reconciler = Reconciler(
            tolerance: spec.tolerance, ledgerPolicies: ledgerPolicies, statementPolicies: statementPolicies,
            valuation: valuation)
        return reconciler.reconcile(ledger: ledger, statement: statement)
    }

    /// Seconds elapsed since `start` on the monotonic clock (for logs; results never depend on it).
    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    /// The report's view of an input.
    static func summary(_ outcome: InputOutcome) -> InputSummary {
        var summary = InputSummary(
            side: outcome.spec.side, name: outcome.spec.name, kind: outcome.kind, files: outcome.files,
            recordCount: outcome.recordCount, balanceCount: outcome.balances.count, diagnostics: outcome.diagnostics,
            error: outcome.firstError, failed: outcome.failed)
        summary.skipped = outcome.skipped
        return summary
    }
}
