import Foundation
import Testing

@testable import Reconciliation

/// Writes a small audit file of `runs` runs the way a job does; returns its path and the last checkpoint.
func makeAuditFile(in directory: TemporaryDirectory, runs: Int = 3, signer: CheckpointSigner? = nil) throws
    -> (path: String, checkpoint: Checkpoint?)
{
    let path = directory.path + "/audit.jsonl"
    let log = AuditLog(path: path, displayPath: "audit.jsonl")
    var last: Checkpoint?
    for run in 1...runs {
        let runID = "run-\(run)"
        try log.append([["type": .string("run_started"), "run_id": .string(runID), "job": .string("eod")]])
        let appended = try log.append(
            [
                ["type": .string("input"), "run_id": .string(runID), "records": .integer(12)],
                [
                    "type": .string("run_completed"), "run_id": .string(runID), "breaks": .integer(5),
                    "result_digest": .string("sha256:abc"),
                ],
            ], checkpoint: ["run_id": .string(runID)], signer: signer)
        last = appended.checkpoint
    }
    return (path, last)
}

/// The lines of a file (without newlines).
func lines(of path: String) -> [String] {
    let text = String(decoding: FileManager.default.contents(atPath: path) ?? Data(), as: UTF8.self)
    return text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().map(String.init)
}

func write(lines: [String], to path: String) {
    _ = FileManager.default.createFile(atPath: path, contents: Data((lines.joined(separator: "\n") + "\n").utf8))
}

func problems(_ path: String, checkpoint: String? = nil, key: String? = nil) throws -> [String] {
    let publicKey = try key.map { text throws(ReconciliationError) in try checkpointPublicKey(text: text, source: "key")
    }
    return try AuditVerifier.verify(
        path: path, displayPath: "audit.jsonl", checkpointPath: checkpoint, publicKey: publicKey
    )
    .problems.map(\.description)
}

@Suite struct AuditLogTests {
    let directory = TemporaryDirectory()

    @Test func recordsChainByTheBytesAsWritten() throws {
        let (path, checkpoint) = try makeAuditFile(in: directory, runs: 2)
        let all = lines(of: path)
        #expect(all.count == 8)
        #expect(
            all[0].hasPrefix(
                #"{"job":"eod","prev":"0000000000000000000000000000000000000000000000000000000000000000","#))
        // Each prev is the SHA-256 of the previous line's bytes, newline included.
        for (before, after) in zip(all, all.dropFirst()) {
            #expect(after.contains(#""prev":"\#(AuditChain.hash(Array((before + "\n").utf8)))""#))
        }
        #expect(checkpoint?.seq == 7)
        #expect(try problems(path).isEmpty)
        let verification = try AuditVerifier.verify(path: path)
        #expect(verification.records == 8)
        #expect(verification.completedRuns == 2)
        #expect(verification.checkpoints == 2)
    }

    @Test func aTornTailIsCutBackWithARecoveryRecord() throws {
        let (path, _) = try makeAuditFile(in: directory, runs: 1)
        let torn = #"{"run_id":"run-x","type":"inp"#
        let handle = try #require(FileHandle(forWritingAtPath: path))
        handle.seekToEndOfFile()
        handle.write(Data(torn.utf8))
        try handle.close()
        #expect(
            try problems(path) == [
                "audit.jsonl:5: error: torn tail: line 5 is incomplete (29 bytes after the last complete record)"
            ])
        try AuditLog(path: path).append([["type": .string("run_started"), "run_id": .string("run-2")]])
        let all = lines(of: path)
        #expect(all.count == 6)
        #expect(all[4].contains(#""dropped_bytes":29"#))
        #expect(all[4].contains(#""dropped_sha256":"\#(AuditChain.hash(Array(torn.utf8)))""#))
        #expect(all[4].contains(#""type":"recovery""#))
        #expect(all[5].contains(#""type":"run_started""#))
        #expect(try problems(path).isEmpty)
    }

    @Test func damageBeforeTheTailIsAHardErrorNotARepair() throws {
        let (path, _) = try makeAuditFile(in: directory, runs: 1)
        var all = lines(of: path)
        all[2] = all[2].replacingOccurrences(of: #""breaks":5"#, with: #""breaks":0"#)
        write(lines: all, to: path)
        let before = FileManager.default.contents(atPath: path)
        let error = caught { try AuditLog(path: path, displayPath: "audit.jsonl").append([["type": .string("x")]]) }
        let offset = all[0..<3].map { $0.utf8.count + 1 }.reduce(0, +)
        #expect(
            error.map { "\($0)" }
                == "audit.jsonl: error: the audit file is damaged: the last record (seq 4, at byte \(offset)) does not chain to the record before it; nothing was appended — run `recon audit verify audit.jsonl`"
        )
        #expect(FileManager.default.contents(atPath: path) == before)
    }

    @Test func concurrentAppendsFromManyThreadsKeepTheChainLinear() async throws {
        let path = directory.path + "/audit.jsonl"
        await withTaskGroup(of: Void.self) { group in
            for writer in 0..<8 {
                group.addTask {
                    for run in 0..<10 {
                        _ = try? AuditLog(path: path).append(
                            [["type": .string("run_started"), "run_id": .string("w\(writer)-\(run)")]],
                            checkpoint: ["run_id": .string("w\(writer)-\(run)")])
                    }
                }
            }
        }
        #expect(try problems(path).isEmpty)
        #expect(lines(of: path).count == 160)
    }
}

/// Tampering is found, with its place.
@Suite struct AuditTamperTests {
    let directory = TemporaryDirectory()

    func tampered(_ change: (inout [String]) -> Void) throws -> [String] {
        let (path, _) = try makeAuditFile(in: directory)
        var all = lines(of: path)
        change(&all)
        write(lines: all, to: path)
        return try problems(path)
    }

    @Test func bitFlip() throws {
        #expect(
            try tampered { $0[6] = $0[6].replacingOccurrences(of: #""type":"#, with: #""typ":"#) }
                == [
                    "audit.jsonl:7: error: record seq 7 (line 7) does not match its own `hash` (the record was changed)"
                ])
        #expect(
            try tampered { $0[3] = String($0[3].dropLast()) }.first?.hasPrefix(
                "audit.jsonl:4: error: corrupt record at line 4: invalid JSON")
                == true)
    }

    @Test func editedAmount() throws {
        #expect(
            try tampered { $0[2] = $0[2].replacingOccurrences(of: #""breaks":5"#, with: #""breaks":0"#) }
                == [
                    "audit.jsonl:3: error: record seq 3 (line 3) does not match its own `hash` (the record was changed)"
                ])
    }

    @Test func deletedRecord() throws {
        #expect(
            try tampered { $0.remove(at: 6) }
                == [
                    "audit.jsonl:7: error: broken chain at line 7: expected seq 7, found seq 8 (a record was deleted, inserted, duplicated or moved)"
                ])
    }

    @Test func reorderedRecords() throws {
        #expect(
            try tampered { $0.swapAt(6, 7) }
                == [
                    "audit.jsonl:7: error: broken chain at line 7: expected seq 7, found seq 8 (a record was deleted, inserted, duplicated or moved)"
                ])
    }

    @Test func duplicatedRecord() throws {
        #expect(
            try tampered { $0.insert($0[2], at: 3) }
                == [
                    "audit.jsonl:4: error: broken chain at line 4: expected seq 4, found seq 3 (a record was deleted, inserted, duplicated or moved)"
                ])
    }

    @Test func insertedRecord() throws {
        let forged =
            #"{"prev":"0000000000000000000000000000000000000000000000000000000000000000","run_id":"run-9","seq":6,"type":"run_completed"}"#
        #expect(
            try tampered { $0.insert(forged, at: 5) }
                == [
                    "audit.jsonl:6: error: broken chain at seq 6 (line 6): `prev` is not the hash of the record before it (that record was changed)"
                ])
    }

    @Test func truncatedBeforeAKnownCheckpoint() throws {
        let (path, checkpoint) = try makeAuditFile(in: directory)
        let kept = directory.write(
            JSONValue.object(try #require(checkpoint).fields).prettyEncoded(), to: "vault/checkpoint.json")
        var all = lines(of: path)
        all.removeLast(3)
        write(lines: all, to: path)
        #expect(
            try problems(path, checkpoint: kept) == [
                "audit.jsonl: error: truncated before checkpoint \(kept): it covers seq 11 and \(try #require(checkpoint).size) bytes, the file's intact chain ends at seq 9 after \(lines(of: path).map { $0.utf8.count + 1 }.reduce(0, +)) bytes"
            ])
    }

    @Test func aRewrittenHistoryDoesNotMatchTheKeptCheckpoint() throws {
        // The whole chain recomputed after an edit is internally consistent; only the checkpoint kept elsewhere shows it.
        let (path, checkpoint) = try makeAuditFile(in: directory, runs: 1)
        let kept = directory.write(
            JSONValue.object(try #require(checkpoint).fields).prettyEncoded(), to: "vault/checkpoint.json")
        try FileManager.default.removeItem(atPath: path)
        let log = AuditLog(path: path)
        try log.append([["type": .string("run_started"), "run_id": .string("run-1"), "job": .string("eod")]])
        try log.append(
            [
                ["type": .string("input"), "run_id": .string("run-1"), "records": .integer(12)],
                [
                    "type": .string("run_completed"), "run_id": .string("run-1"), "breaks": .integer(0),
                    "result_digest": .string("sha256:abc"),
                ],
            ], checkpoint: ["run_id": .string("run-1")])
        let found = try problems(path, checkpoint: kept)
        #expect(found.count == 1)
        #expect(
            found.first?.hasPrefix("audit.jsonl:3: error: does not match checkpoint \(kept): record seq 3 hashes to ")
                == true)
    }

    @Test func signaturesVerifyWithTheRightKeyOnly() throws {
        let signer = CheckpointSigner()
        let (path, _) = try makeAuditFile(in: directory, signer: signer)
        #expect(try problems(path, key: signer.publicKeyBase64).isEmpty)
        let stranger = CheckpointSigner()
        #expect(
            try problems(path, key: stranger.publicKeyBase64) == [
                "audit.jsonl:4: error: bad signature on the checkpoint at seq 4",
                "audit.jsonl:8: error: bad signature on the checkpoint at seq 8",
                "audit.jsonl:12: error: bad signature on the checkpoint at seq 12",
            ])
        let elsewhere = TemporaryDirectory()
        let unsigned = try makeAuditFile(in: elsewhere)
        #expect(
            try problems(unsigned.path, key: signer.publicKeyBase64).first
                == "audit.jsonl:4: error: checkpoint at seq 4 is not signed")
    }
}

/// The end of the file is protected too: each record carries its own hash, batches are sealed by their checkpoint,
/// and a failed append leaves nothing of its batch.
@Suite struct AuditTailTests {
    let directory = TemporaryDirectory()

    @Test func everySingleBitFlipInTheLastRecordIsFound() throws {
        let (path, _) = try makeAuditFile(in: directory, runs: 2)
        let original = try #require(FileManager.default.contents(atPath: path))
        let lastStart = try #require(original.dropLast().lastIndex(of: 0x0A)) + 1
        var missed: [String] = []
        for index in lastStart..<original.count {
            for bit in 0..<8 {
                var bytes = original
                bytes[index] ^= UInt8(1 << bit)
                _ = FileManager.default.createFile(atPath: path, contents: bytes)
                if try problems(path).isEmpty { missed.append("byte \(index) bit \(bit)") }
            }
        }
        #expect(missed == [])
    }

    @Test func anEditedTimeOrRunIDInTheLastRecordIsFound() throws {
        let (path, _) = try makeAuditFile(in: directory, runs: 2)
        var all = lines(of: path)
        all[all.count - 1] = all[all.count - 1].replacingOccurrences(of: "run-2", with: "run-9")
        write(lines: all, to: path)
        #expect(
            try problems(path) == [
                "audit.jsonl:8: error: record seq 8 (line 8) does not match its own `hash` (the record was changed)"
            ])
    }

    @Test func aDroppedLastRunIsFoundAgainstTheRepositoryAnchor() throws {
        let (path, _) = try makeAuditFile(in: directory, runs: 3)
        let verified = try AuditVerifier.verify(path: path, displayPath: "audit.jsonl")
        let anchor = try #require(verified.completions.last)
        #expect(anchor == AuditAnchor(runID: "run-3", seq: 12, hash: anchor.hash, end: anchor.end))
        var all = lines(of: path)
        all.removeLast(4)
        write(lines: all, to: path)
        // The chain alone cannot tell: what is left is a whole, valid chain.
        #expect(try problems(path).isEmpty)
        let checked = try AuditVerifier.verify(path: path, displayPath: "audit.jsonl", anchors: [anchor])
        #expect(
            checked.problems.map(\.description) == [
                "audit.jsonl: error: the repository records the completion of run run-3 at seq 12, but the file's intact chain ends at seq 8: records were cut from the end or the file was replaced"
            ])
        #expect(checked.anchorsChecked == [anchor])
    }

    @Test func aCompletionWithoutItsCheckpointDidNotComplete() throws {
        let (path, _) = try makeAuditFile(in: directory, runs: 2)
        var all = lines(of: path)
        all.removeLast()
        write(lines: all, to: path)
        let verified = try AuditVerifier.verify(path: path, displayPath: "audit.jsonl")
        #expect(verified.isIntact)
        #expect(verified.completions.map(\.runID) == ["run-1"])
        #expect(
            verified.findings.map(\.description) == [
                "audit.jsonl:7: warning: run run-2: its completion was never sealed (the batch stopped before its checkpoint at seq 8); the run did not complete"
            ])
        // The next append marks the unsealed batch in the chain.
        try AuditLog(path: path, displayPath: "audit.jsonl").append([["type": .string("run_started")]])
        let recovery = lines(of: path)[7]
        #expect(recovery.contains(#""type":"recovery""#) && recovery.contains(#""unsealed_run":"run-2""#))
        #expect(try AuditVerifier.verify(path: path, displayPath: "audit.jsonl").completions.map(\.runID) == ["run-1"])
    }

    @Test(arguments: [
        FaultInjection.Fault.error(ENOSPC), .shortWrite(ENOSPC), .error(EIO),
    ])
    func aFailedWriteLeavesNothingOfItsBatch(fault: FaultInjection.Fault) throws {
        let (path, _) = try makeAuditFile(in: directory, runs: 1)
        let before = FileManager.default.contents(atPath: path)
        let log = AuditLog(path: path, displayPath: "audit.jsonl", faults: FaultInjection(faults: [.auditWrite: fault]))
        #expect(throws: ReconciliationError.self) {
            try log.append(
                [["type": .string("run_completed"), "run_id": .string("run-2")]],
                checkpoint: ["run_id": .string("run-2")])
        }
        #expect(FileManager.default.contents(atPath: path) == before)
        #expect(try AuditVerifier.verify(path: path).completions.map(\.runID) == ["run-1"])
    }

    @Test func aFailedFsyncCutsTheBatchBackAndSaysSo() throws {
        let (path, _) = try makeAuditFile(in: directory, runs: 1)
        let before = FileManager.default.contents(atPath: path)
        let log = AuditLog(
            path: path, displayPath: "audit.jsonl", faults: FaultInjection(faults: [.auditSync: .error(EIO)]))
        do {
            try log.append([["type": .string("run_completed"), "run_id": .string("run-2")]], checkpoint: [:])
            Issue.record("the append should fail")
        } catch {
            #expect(
                error.description
                    == "audit.jsonl: error: fsync of the audit file failed: Input/output error; the run stops; nothing of this batch was kept"
            )
        }
        #expect(FileManager.default.contents(atPath: path) == before)
    }
}
