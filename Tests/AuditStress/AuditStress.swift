import Foundation
import Reconciliation

/// Test support for the audit kill test: appends runs to an audit file in a loop, the way `recon run` does (a
/// `run_started` record, then inputs + `run_completed` + a checkpoint in one batch), and prints
/// `completed RUN_ID` once a run's records are durable. The test kills it with SIGKILL at random moments.
///
///     audit-stress FILE [RUNS] [PADDING_BYTES]
@main
struct AuditStress {
    static func main() {
        let arguments = CommandLine.arguments
        guard arguments.count >= 2 else {
            FileHandle.standardError.write(Data("usage: audit-stress FILE [RUNS] [PADDING_BYTES]\n".utf8))
            exit(64)
        }
        let log = AuditLog(path: arguments[1])
        let runs = arguments.count > 2 ? Int(arguments[2]) ?? 1_000_000 : 1_000_000
        let padding = String(repeating: "x", count: arguments.count > 3 ? Int(arguments[3]) ?? 0 : 0)
        let prefix = "\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        for number in 0..<runs {
            let runID = "stress-\(prefix)-\(number)"
            do {
                try log.append([
                    ["type": .string("run_started"), "run_id": .string(runID), "padding": .string(padding)]
                ])
                let inputs: [[String: JSONValue]] = (0..<3).map { position in
                    [
                        "type": .string("input"), "run_id": .string(runID), "position": .integer(position),
                        "padding": .string(padding),
                    ]
                }
                try log.append(
                    inputs + [
                        ["type": .string("run_completed"), "run_id": .string(runID), "status": .string("reconciled")]
                    ],
                    checkpoint: ["run_id": .string(runID)])
                FileHandle.standardOutput.write(Data("completed \(runID)\n".utf8))
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                exit(2)
            }
        }
    }
}
