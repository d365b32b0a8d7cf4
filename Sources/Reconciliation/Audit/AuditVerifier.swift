import Crypto

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// What `recon audit verify` found.
public struct AuditVerification: Sendable {
    /// Complete, chained records.
    public let records: Int
    /// Runs that completed (`run_completed` records).
    public let completedRuns: Int
    /// Checkpoint records checked.
    public let checkpoints: Int
    /// Every problem, with its place; empty when the file is intact.
    public let problems: [Diagnostic]

    /// Whether nothing is wrong.
    public var isIntact: Bool { problems.isEmpty }
}

/// Checks an audit file without changing it: every record parses, `seq` runs 1, 2, 3, …, every `prev` is the hash of
/// the line before, every checkpoint record matches what precedes it (and its signature verifies, given a public
/// key), and an external checkpoint file still matches the file (nothing cut or rewritten before it).
public enum AuditVerifier {
    /// Verifies `path`; `checkpointPath` is a checkpoint file kept elsewhere, `publicKey` the signer's key.
    public static func verify(
        path: String, displayPath: String? = nil, checkpointPath: String? = nil,
        publicKey: Curve25519.Signing.PublicKey? = nil
    ) throws(ReconciliationError) -> AuditVerification {
        let file = displayPath ?? path
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ReconciliationError(
                .audit, "cannot open: \(systemErrorMessage(errno))", at: SourceLocation(file: file))
        }
        defer { close(descriptor) }
        var problems: [Diagnostic] = []
        var completed = 0
        var checkpoints = 0
        var previous: AuditChain.Line?
        var lineEnds: [Int: (hash: String, end: Int64, line: Int)] = [:]
        let (head, problem) = try AuditChain.scan(descriptor: descriptor, file: file) { line, record in
            let seq = Int(record["seq"]?.text ?? "") ?? 0
            lineEnds[seq] = (line.hash, line.offset + Int64(line.bytes.count) + 1, line.number)
            defer { previous = line }
            switch record["type"]?.text {
            case "run_completed":
                completed += 1
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
        if let problem {
            let line: Int
            switch problem {
            case .corrupt(let number, _), .wrongSequence(let number, _, _), .brokenLink(let number, _),
                .tornTail(let number, _):
                line = number
            }
            problems.append(Diagnostic(.error, problem.description, at: SourceLocation(file: file, line: line)))
        }

        if let checkpointPath {
            problems += try checkExternal(
                checkpointPath, head: head, lineEnds: lineEnds, publicKey: publicKey, file: file)
        }
        return AuditVerification(
            records: head.seq, completedRuns: completed, checkpoints: checkpoints, problems: problems)
    }

    private static func checkExternal(
        _ checkpointPath: String, head: AuditChain.Head, lineEnds: [Int: (hash: String, end: Int64, line: Int)],
        publicKey: Curve25519.Signing.PublicKey?, file: String
    ) throws(ReconciliationError) -> [Diagnostic] {
        let source = try FileByteSource(path: checkpointPath, displayPath: checkpointPath)
        var parser = JSONStreamParser(source: source, displayPath: checkpointPath)
        guard let checkpoint = Checkpoint.from(try parser.document()) else {
            throw ReconciliationError(
                .audit, "not a checkpoint file (needs size, covers_seq, head)", at: SourceLocation(file: checkpointPath)
            )
        }
        var problems: [Diagnostic] = []
        let location = SourceLocation(file: file)
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
            return problems
        }
        if covered.hash != checkpoint.head || covered.end != checkpoint.size {
            problems.append(
                Diagnostic(
                    .error,
                    "does not match checkpoint \(checkpointPath): record seq \(checkpoint.seq) hashes to \(covered.hash) "
                        + "and ends at byte \(covered.end); the checkpoint says \(checkpoint.head) at byte \(checkpoint.size)",
                    at: SourceLocation(file: file, line: covered.line)))
        }
        return problems
    }
}
