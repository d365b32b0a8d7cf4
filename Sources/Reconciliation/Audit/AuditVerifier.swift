package import Crypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `recon audit verify` found.
package struct AuditVerification: Sendable {
    /// Complete, chained records.
    package let records: Int
    /// Runs that completed: a `run_completed` record sealed by its batch's checkpoint.
    package var completedRuns: Int { completions.count }
    /// The completed runs, in the file's order.
    package let completions: [AuditAnchor]
    /// Checkpoint records checked.
    package let checkpoints: Int
    /// Every problem, with its place; empty when the file is intact.
    package let problems: [Diagnostic]
    /// What the file records that did not go as planned without being damage: completions never sealed (the writer
    /// stopped inside the batch), failures after a run completed, torn tails repaired.
    package let findings: [Diagnostic]
    /// The last intact record: the head the file was checked up to.
    package let head: AuditAnchor
    /// The anchors kept elsewhere (checkpoint file, repository) the file was checked against.
    package let anchorsChecked: [AuditAnchor]

    /// Whether nothing is wrong.
    package var isIntact: Bool { problems.isEmpty }
}

/// A point in an audit chain kept outside the file: a run's completion (the checkpoint that seals it), as written
/// into the repository, checkpoint.json and the report; the file must still hold a record `seq` hashing to `hash`.
public struct AuditAnchor: Sendable, Hashable {
    /// The run whose completion this is (empty for a bare head).
    public let runID: String
    /// The record's sequence number.
    public let seq: Int
    /// The SHA-256 of its line.
    public let hash: String
    /// The file's size after it.
    public let end: Int64

    /// Creates an anchor.
    public init(runID: String, seq: Int, hash: String, end: Int64) {
        self.runID = runID
        self.seq = seq
        self.hash = hash
        self.end = end
    }
}

/// Checks an audit file without changing it: every record parses, `seq` runs 1, 2, 3, …, every `prev` is the hash of
/// the line before, every checkpoint record matches what precedes it (and its signature verifies, given a public
/// key), and an external checkpoint file still matches the file (nothing cut or rewritten before it).
package enum AuditVerifier {
    /// Verifies `path`; `checkpointPath` is a checkpoint file kept elsewhere, `publicKey` the signer's key, `anchors`
    /// the completions a run repository recorded for this file (each must still be in it).
    package static func verify(
        path: String, displayPath: String? = nil, checkpointPath: String? = nil,
        publicKey: Curve25519.Signing.PublicKey? = nil, anchors: [AuditAnchor] = []
    ) throws(ReconciliationError) -> AuditVerification {
        let file = displayPath ?? path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ReconciliationError(
                .audit, "cannot open: \(systemErrorMessage(errno))", at: SourceLocation(file: file))
        }
        defer { close(descriptor) }
        var problems: [Diagnostic] = []
        var findings: [Diagnostic] = []
        var completions: [AuditAnchor] = []
        var checkpoints = 0
        var previous: AuditChain.Line?
        var lineEnds: [Int: (hash: String, end: Int64, line: Int)] = [:]
        var tracker = CompletionTracker()
        func unsealed(_ cut: CompletionTracker.Unsealed?) {
            guard let cut else { return }
            findings.append(
                Diagnostic(
                    .warning,
                    "run \(cut.runID): its completion was never sealed (the batch stopped before its checkpoint at seq "
                        + "\(cut.seal)); the run did not complete",
                    at: SourceLocation(file: file, line: cut.line)))
        }
        let (head, problem) = try AuditChain.scan(descriptor: descriptor, file: file) { line, record in
            let seq = Int(record["seq"]?.text ?? "") ?? 0
            let end = line.offset + Int64(line.bytes.count) + 1
            lineEnds[seq] = (line.hash, end, line.number)
            defer { previous = line }
            let (completion, cut) = tracker.visit(line, record)
            unsealed(cut)
            if let completion { completions.append(completion.anchor) }
            let runID = record["run_id"]?.text ?? ""
            switch record["type"]?.text {
            case "post_commit_failure":
                findings.append(
                    Diagnostic(
                        .warning,
                        "run \(runID) completed, then \(record["step"]?.text ?? "a later step") failed: "
                            + (record["error"]?.text ?? ""), at: SourceLocation(file: file, line: line.number)))
            case "recovery":
                let dropped = record["dropped_bytes"]?.text ?? "0"
                findings.append(
                    Diagnostic(
                        .note,
                        "a writer stopped part-way; the next one cut \(dropped) torn bytes here and carried on",
                        at: SourceLocation(file: file, line: line.number)))
            case "checkpoint":
                checkpoints += 1
                let location = SourceLocation(file: file, line: line.number)
                guard let checkpoint = Checkpoint.from(record) else {
                    problems.append(
                        Diagnostic(.error, "checkpoint at seq \(seq) is missing size, covers_seq or head", at: location)
                    )
                    return
                }
                if checkpoint.seq != seq - 1 || checkpoint.head != (previous?.hash ?? AuditChain.genesis)
                    || checkpoint.size != line.offset
                {
                    problems.append(
                        Diagnostic(
                            .error, "checkpoint at seq \(seq) does not match the records before it", at: location))
                }
                if let publicKey {
                    if checkpoint.signature == nil {
                        problems.append(Diagnostic(.error, "checkpoint at seq \(seq) is not signed", at: location))
                    } else if !checkpoint.isSigned(by: publicKey) {
                        problems.append(
                            Diagnostic(.error, "bad signature on the checkpoint at seq \(seq)", at: location))
                    }
                }
            default:
                break
            }
        }
        let stoppedEarly: Bool
        switch problem {
        case nil, .tornTail?: stoppedEarly = false
        default: stoppedEarly = true
        }
        if !stoppedEarly { unsealed(tracker.finish()) }
        if let problem {
            problems.append(Diagnostic(.error, problem.description, at: SourceLocation(file: file, line: problem.line)))
        }

        var checked: [AuditAnchor] = []
        if let checkpointPath {
            let (found, anchor) = try checkExternal(
                checkpointPath, head: head, lineEnds: lineEnds, publicKey: publicKey, file: file)
            problems += found
            checked += anchor.map { [$0] } ?? []
        }
        for anchor in anchors {
            checked.append(anchor)
            let run = anchor.runID.isEmpty ? "" : " of run \(anchor.runID)"
            guard let covered = lineEnds[anchor.seq] else {
                problems.append(
                    Diagnostic(
                        .error,
                        "the repository records the completion\(run) at seq \(anchor.seq), but the file's intact chain "
                            + "ends at seq \(head.seq): records were cut from the end or the file was replaced",
                        at: SourceLocation(file: file)))
                continue
            }
            if covered.hash != anchor.hash {
                problems.append(
                    Diagnostic(
                        .error,
                        "record seq \(anchor.seq) hashes to \(covered.hash), but the repository recorded \(anchor.hash) for "
                            + "the completion\(run): the file was rewritten",
                        at: SourceLocation(file: file, line: covered.line)))
            }
        }
        return AuditVerification(
            records: head.seq, completions: completions, checkpoints: checkpoints, problems: problems,
            findings: findings, head: AuditAnchor(runID: "", seq: head.seq, hash: head.hash, end: head.size),
            anchorsChecked: checked)
    }

    private static func checkExternal(
        _ checkpointPath: String, head: AuditChain.Head, lineEnds: [Int: (hash: String, end: Int64, line: Int)],
        publicKey: Curve25519.Signing.PublicKey?, file: String
    ) throws(ReconciliationError) -> ([Diagnostic], AuditAnchor?) {
        let source = try FileByteSource(path: checkpointPath, displayPath: checkpointPath)
        var parser = JSONStreamParser(source: source, displayPath: checkpointPath)
        guard let checkpoint = Checkpoint.from(try parser.document()) else {
            throw ReconciliationError(
                .audit, "not a checkpoint file (needs size, covers_seq, head)", at: SourceLocation(file: checkpointPath)
            )
        }
        var problems: [Diagnostic] = []
        let location = SourceLocation(file: file)
        let anchor = AuditAnchor(runID: "", seq: checkpoint.seq, hash: checkpoint.head, end: checkpoint.size)
        if let publicKey, !checkpoint.isSigned(by: publicKey) {
            problems.append(Diagnostic(.error, "bad signature on the checkpoint file \(checkpointPath)", at: location))
        }
        guard let covered = lineEnds[checkpoint.seq] else {
            problems.append(
                Diagnostic(
                    .error,
                    "truncated before checkpoint \(checkpointPath): it covers seq \(checkpoint.seq) and \(checkpoint.size) "
                        + "bytes, the file's intact chain ends at seq \(head.seq) after \(head.size) bytes",
                    at: location))
            return (problems, anchor)
        }
        if covered.hash != checkpoint.head || covered.end != checkpoint.size {
            problems.append(
                Diagnostic(
                    .error,
                    "does not match checkpoint \(checkpointPath): record seq \(checkpoint.seq) hashes to \(covered.hash) "
                        + "and ends at byte \(covered.end); the checkpoint says \(checkpoint.head) at byte \(checkpoint.size)",
                    at: SourceLocation(file: file, line: covered.line)))
        }
        return (problems, anchor)
    }
}
