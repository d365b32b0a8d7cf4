import ArgumentParser
import Foundation
import Reconciliation

/// `recon audit …`: the audit file.
struct AuditCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "audit",
        abstract: "Verify an audit file, or make a checkpoint signing key.",
        discussion: """
            Examples:
              recon audit verify out/audit.jsonl
              recon audit keygen audit-signing.key > audit.pub
            """,
        subcommands: [VerifyCommand.self, KeygenCommand.self]
    )
}

/// `recon audit verify FILE`.
struct VerifyCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Check an audit file's hash chain, checkpoints and signatures; exit 0 when intact.",
        discussion: """
            Reports exactly what is wrong and where: a corrupt record (line N), a broken chain (seq N), a torn \
            tail, a record that does not match its own hash, a file cut or rewritten before a checkpoint kept \
            elsewhere or before a completion the run repository recorded, a bad signature. Also lists what the \
            file records that did not go as planned: completions never sealed, failures after a run completed. \
            Exit 0 intact, 1 not intact, 2 the file cannot be read.

            Examples:
              recon audit verify out/audit.jsonl --repository out/recon.sqlite
              cd out/eod-sample && recon audit verify ../audit.jsonl \\
                --checkpoint checkpoint.json
            """
    )

    @Argument(help: "The audit file.", completion: .file(extensions: ["jsonl"]))
    var file: String

    @Option(
        name: .long, help: "A checkpoint file kept elsewhere (checkpoint.json from a report directory).",
        completion: .file(extensions: ["json"]))
    var checkpoint: String?

    @Option(name: .long, help: "A file with the Ed25519 public key (base64 or hex) that signs checkpoints.")
    var publicKey: String?

    @Option(
        name: .long, help: "A run repository: every completion it recorded in this file must still be there.",
        completion: .file(extensions: ["sqlite"]))
    var repository: String?

    func run() throws {
        do {
            let key = try publicKey.map { path throws(ReconciliationError) in
                try checkpointPublicKey(text: try readSmallFile(path), source: path)
            }
            var anchors: [AuditAnchor] = []
            if let repository {
                guard FileManager.default.fileExists(atPath: repository) else {
                    throw ReconciliationError(.usage, "--repository: no such run repository: \(repository)")
                }
                anchors = try RunRepository(path: repository).anchors(auditPath: file)
            }
            let result = try AuditVerifier.verify(
                path: file, checkpointPath: checkpoint, publicKey: key, anchors: anchors)
            let safeFile = TerminalText.escape(file)
            if result.isIntact {
                print(
                    "\(safeFile): intact — \(result.records) records, \(result.completedRuns) completed runs, "
                        + "\(result.checkpoints) checkpoints" + (key != nil ? ", signatures verified" : ""))
            } else {
                for problem in result.problems { print(TerminalText.escape(problem.description)) }
            }
            print("head: seq \(result.head.seq), \(result.head.hash)")
            if let latest = result.anchorsChecked.max(by: { $0.seq < $1.seq }) {
                let source = latest.runID.isEmpty ? "the checkpoint" : "the repository (run \(latest.runID))"
                print("checked against \(source): seq \(latest.seq), \(latest.hash)")
            } else if repository != nil && checkpoint == nil {
                // The anchor asked for cannot be applied: that is a failed check, not a pass.
                print(
                    "not anchored: the repository records no completion in this file (it names audit files by their "
                        + "canonical path: a copied or moved file is not the one it recorded)")
                throw ExitCode(1)
            } else if repository == nil && checkpoint == nil {
                print(
                    "not anchored: without --repository or --checkpoint, records cut from the end of the file "
                        + "cannot be seen")
            }
            for finding in result.findings { print(TerminalText.escape(finding.description)) }
            if !result.isIntact { throw ExitCode(1) }
        } catch let error as ReconciliationError {
            printError(error.description)
            throw ExitCode(ExitStatus.failed)
        }
    }
}

/// `recon audit keygen FILE`.
struct KeygenCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "keygen",
        abstract: "Write a new Ed25519 checkpoint signing key to FILE and print its public key.",
        discussion: """
            Keep FILE secret (set `audit.signing_key: FILE` in the job, or put its content in
            RECON_AUDIT_SIGNING_KEY); give the printed public key to `recon audit verify --public-key`.

            Example:
              recon audit keygen signing.key > signing.pub
            """
    )

    @Argument(help: "Where to write the private key (created with mode 0600; never overwritten).")
    var file: String

    func run() throws {
        guard !FileManager.default.fileExists(atPath: file) else {
            printError("error: \(file) exists; not overwriting a key")
            throw ExitCode(ExitStatus.usage)
        }
        let signer = CheckpointSigner()
        guard
            FileManager.default.createFile(
                atPath: file, contents: Data((signer.privateKeyBase64 + "\n").utf8),
                attributes: [.posixPermissions: 0o600])
        else {
            printError("error: cannot write \(file)")
            throw ExitCode(ExitStatus.failed)
        }
        print(signer.publicKeyBase64)
    }
}

/// The text of a small file (keys), or an error naming it.
func readSmallFile(_ path: String) throws(ReconciliationError) -> String {
    guard let data = FileManager.default.contents(atPath: path) else {
        throw ReconciliationError(.usage, "cannot read \(path)")
    }
    return String(decoding: data, as: UTF8.self)
}
