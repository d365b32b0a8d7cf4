#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Re-runs a recorded run: its configuration and as-of from the audit trail, its inputs from the archive (by SHA-256)
/// or a directory, every input's hash checked, then the result digest compared with the recorded one.
package struct Replayer: Sendable {
    /// The run to replay.
    package var runID: String
    /// The audit file that recorded it.
    package var auditPath: String
    /// An input archive (`--archive`).
    package var archiveDirectory: String?
    /// A directory holding the inputs at their recorded paths (`--inputs`).
    package var inputsDirectory: String?
    /// Where the replay's reports go (none when `nil`).
    package var reportDirectory: String?
    /// A run repository holding the recorded lines, for the diff.
    package var repositoryPath: String?
    /// The working directory for relative paths.
    package var currentDirectory: String

    /// Creates a replay request.
    package init(
        runID: String, auditPath: String, archiveDirectory: String? = nil, inputsDirectory: String? = nil,
        reportDirectory: String? = nil, repositoryPath: String? = nil, currentDirectory: String
    ) {
        self.runID = runID
        self.auditPath = auditPath
        self.archiveDirectory = archiveDirectory
        self.inputsDirectory = inputsDirectory
        self.reportDirectory = reportDirectory
        self.repositoryPath = repositoryPath
        self.currentDirectory = currentDirectory
    }

    /// What a replay found.
    package struct Outcome: Sendable {
        /// Whether the replayed result is the recorded one, with every input as recorded.
        package var identical: Bool { inputProblems.isEmpty && recordedDigest == replayedDigest }
        /// The recorded result digest.
        package let recordedDigest: String
        /// The replayed result digest.
        package let replayedDigest: String
        /// Inputs whose bytes are not the recorded ones.
        package let inputProblems: [String]
        /// Lines that differ, `KEY: recorded …, replayed …`.
        package let differences: [String]
        /// Where the recorded lines for the diff came from (or why there is no diff).
        package let diffSource: String
        /// The replayed report.
        package let report: ReconciliationReport
    }

    /// What the audit file says about a run.
    struct Recorded {
        var config: JSONElement?
        var inputs: [JSONElement] = []
        var completed: JSONElement?
    }

    /// Replays the run.
    package func replay() throws(ReconciliationError) -> Outcome {
        let paths = PathResolver(currentDirectory: currentDirectory)
        let recorded = try read()
        guard let config = recorded.config else {
            throw ReconciliationError(
                .audit, "run \(runID) is not in the audit file", at: SourceLocation(file: auditPath))
        }
        guard let completed = recorded.completed, let recordedDigest = completed["result_digest"]?.text else {
            throw ReconciliationError(
                .audit,
                "run \(runID) never completed (no run_completed record sealed by its checkpoint); there is no result "
                    + "to compare",
                at: SourceLocation(file: auditPath))
        }
        var spec = try JobSpec(json: config)
        spec.audit = nil
        spec.repositoryPath = nil
        spec.archiveDirectory = nil
        let scratch =
            reportDirectory.map { paths.absolute($0) }
            ?? (FileManager.default.temporaryDirectory.path + "/recon-replay-\(runID)")
        spec.report.directory = scratch

        // Where each recorded file is now, and whether it is still the same bytes.
        var located: [String: String] = [:]
        var problems: [String] = []
        for input in recorded.inputs {
            for file in input["files"]?.elements ?? [] {
                guard let display = file["path"]?.text, let sha256 = file["sha256"]?.text else { continue }
                // A file the run could not open has no digest and no archived copy: the replay meets the same absence
                // (whatever is at that path today is not what the run read).
                if sha256.isEmpty {
                    located[display] = "/nonexistent/recon-replay/absent/" + display
                    continue
                }
                let candidate: String
                if let archiveDirectory {
                    candidate = InputArchive(directory: paths.absolute(archiveDirectory)).path(for: sha256)
                } else if let inputsDirectory {
                    candidate = paths.absolute(display, from: paths.absolute(inputsDirectory))
                } else {
                    candidate = paths.absolute(display)
                }
                let found: String
                do {
                    found = try FileByteSource(path: candidate, displayPath: display).finishDigest()
                } catch {
                    throw ReconciliationError(
                        .audit, "input \(display) (SHA-256 \(sha256)) is not at \(candidate): \(error.message)")
                }
                if found != sha256 {
                    problems.append(
                        "input \(display): SHA-256 mismatch: recorded \(sha256), found \(found) at \(candidate)")
                }
                located[display] = candidate
            }
        }
        let environment = RunEnvironment(
            now: { Date() }, makeRunID: { _, _ in runID }, variables: [:], currentDirectory: currentDirectory)
        var job = ReconciliationJob(spec: spec, environment: environment)
        job.runID = runID
        let mapping = located
        job.openPath = { mapping[$0.displayPath] ?? $0.path }
        let outcome = try job.run()
        if reportDirectory == nil { try? FileManager.default.removeItem(atPath: scratch) }

        let replayedDigest = outcome.report.resultDigest
        var differences: [String] = []
        var source = "the digests are equal"
        if replayedDigest != recordedDigest {
            (differences, source) = diff(outcome.report, completed: completed)
        }
        return Outcome(
            recordedDigest: recordedDigest, replayedDigest: replayedDigest, inputProblems: problems,
            differences: differences, diffSource: source, report: outcome.report)
    }

    /// The run's records from the audit file (whose chain must be intact).
    func read() throws(ReconciliationError) -> Recorded {
        let descriptor = open(auditPath, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ReconciliationError(
                .audit, "cannot open: \(systemErrorMessage(errno))", at: SourceLocation(file: auditPath))
        }
        defer { close(descriptor) }
        var recorded = Recorded()
        let runID = self.runID
        var tracker = CompletionTracker()
        let (_, problem) = try AuditChain.scan(descriptor: descriptor, file: auditPath) { line, record in
            // Only a sealed completion counts: a batch its checkpoint never closed completed nothing.
            if let completion = tracker.visit(line, record).0, completion.anchor.runID == runID {
                recorded.completed = completion.record
                if !completion.inputs.isEmpty { recorded.inputs = completion.inputs }
            }
            guard record["run_id"]?.text == runID else { return }
            switch record["type"]?.text {
            case "run_started": recorded.config = record["config"]
            case "input" where record["sealed_by"] == nil: recorded.inputs.append(record)
            default: break
            }
        }
        if let problem {
            if case .tornTail = problem {
                // A torn tail is the writer's to repair and cannot hold a completed run's records.
            } else {
                throw ReconciliationError(
                    .audit, "the audit file is not intact (\(problem)); run `recon audit verify` first",
                    at: SourceLocation(file: auditPath))
            }
        }
        return recorded
    }

    /// The recorded lines (from the repository, else the recorded report.json when its hash still matches) against
    /// the replayed ones.
    func diff(_ report: ReconciliationReport, completed: JSONElement) -> ([String], String) {
        var recorded: [BalanceKey: String] = [:]
        var source: String?
        if let repositoryPath, let repository = try? RunRepository(path: repositoryPath),
            let run = try? repository.run(runID)
        {
            for line in run.lines {
                recorded[line.key] = Self.describe(line.classification, line.ledger, line.statement)
            }
            source = "recorded lines from the run repository \(repositoryPath)"
        } else {
            let reports = completed["reports"]?.elements ?? []
            for entry in reports {
                guard let path = entry["path"]?.text, path.hasSuffix("report.json"), let sha256 = entry["sha256"]?.text
                else { continue }
                let absolute = PathResolver(currentDirectory: currentDirectory).absolute(path)
                guard let file = try? FileByteSource(path: absolute, displayPath: path),
                    (try? FileByteSource(path: absolute, displayPath: path).finishDigest()) == sha256
                else { continue }
                var parser = JSONStreamParser(source: file, displayPath: path, maxValueBytes: 1 << 26)
                guard let document = try? parser.document() else { continue }
                for line in document["lines"]?.elements ?? [] {
                    let key = BalanceKey(
                        venue: line["venue"]?.text ?? "", account: line["account"]?.text ?? "",
                        asset: line["asset"]?.text ?? "")
                    recorded[key] = Self.describe(
                        line["classification"]?.text ?? "", line["ledger"]?.text, line["statement"]?.text)
                }
                source = "recorded lines from \(path) (its SHA-256 matches the audit record)"
            }
        }
        guard let source else {
            return (
                [], "no recorded lines to diff against (give --repository, or keep report.json where the run wrote it)"
            )
        }
        var differences: [String] = []
        let replayed = Dictionary(
            uniqueKeysWithValues: report.result.lines.map {
                ($0.key, Self.describe($0.classification.rawValue, $0.ledger?.description, $0.statement?.description))
            })
        for key in Set(recorded.keys).union(replayed.keys).sorted() where recorded[key] != replayed[key] {
            differences.append("\(key): recorded \(recorded[key] ?? "no line"), replayed \(replayed[key] ?? "no line")")
        }
        return (differences, source)
    }

    static func describe(_ classification: String, _ ledger: String?, _ statement: String?) -> String {
        "\(classification) (ledger \(ledger ?? "—"), statement \(statement ?? "—"))"
    }
}

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
