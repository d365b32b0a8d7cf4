import Foundation
import Testing

/// Inputs that are not plain files, inputs too large, and jobs with too many inputs: each is refused with a message
/// naming the file or the limit, and one refused input never stops the others.
@Suite(.serialized) struct InputLimitTests {
    let scratch = Scratch()

    func writeJob(statement: String, extra: String = "") {
        scratch.write("venue,account,asset,amount\nkraken,m,BTC,1.5\ncoinbase,c,ETH,2\n", to: "in/ledger.csv")
        scratch.write("venue,account,asset,balance\ncoinbase,c,ETH,2\n", to: "in/coinbase.csv")
        scratch.write(
            """
            job: limited
            as_of: 2026-11-24
            ledger: [{path: in/ledger.csv, format: csv}]
            statements:
              - {name: kraken, path: \(statement), format: csv, venue: kraken, account: m, columns: {asset: asset, amount: balance}}
              - {name: coinbase, path: in/coinbase.csv, format: csv, columns: {venue: venue, account: account, asset: asset, amount: balance}}
            report: {dir: out, formats: [json]}
            audit: {path: audit.jsonl}
            archive: archive
            \(extra)
            """, to: "job.yaml")
    }

    func run() throws -> ProcessResult {
        try recon(["run", "job.yaml", "--quiet"], in: scratch.path, environment: ["RECON_LOCK_DIR": scratch.path])
    }

    func failedInput(_ report: [String: Any]) -> String? {
        let inputs = report["inputs"] as? [[String: Any]] ?? []
        return inputs.first { $0["name"] as? String == "kraken" }?["error"] as? String
    }

    @Test func aDeviceIsRefusedUnlessTheJobAllowsSpecialFiles() throws {
        writeJob(statement: "/dev/zero")
        let result = try run()
        #expect(result.status == 2)
        let report = try scratch.json("out/report.json")
        #expect(
            failedInput(report)
                == "/dev/zero: error: is not a regular file (a device, FIFO or socket); give the statement as a file")
        // The other statement still reconciled.
        let lines = report["lines"] as? [[String: Any]] ?? []
        #expect(lines.first { $0["venue"] as? String == "coinbase" }?["classification"] as? String == "matched")
    }

    @Test func anAllowedDeviceIsReadOnlyUpToTheInputByteLimit() throws {
        writeJob(statement: "/dev/zero", extra: "allow_special_files: true\nlimits: {max_input_bytes: 1048576}")
        let result = try run()
        #expect(result.status == 2)
        #expect(
            failedInput(try scratch.json("out/report.json"))
                == "/dev/zero: error: a special file (device, FIFO or socket) gave more than `limits.max_input_bytes` (1048576) bytes; stopped reading it"
        )
    }

    @Test func anAllowedFIFOIsReadOnceAndArchivedAsRead() throws {
        let fifo = scratch.path + "/statement.fifo"
        #expect(mkfifo(fifo, 0o600) == 0)
        writeJob(statement: "statement.fifo", extra: "allow_special_files: true")
        let text = "asset,balance\nBTC,1.5\n"
        let writer = Thread {
            if let handle = FileHandle(forWritingAtPath: fifo) {
                handle.write(Data(text.utf8))
                try? handle.close()
            }
        }
        writer.start()
        let result = try run()
        #expect(result.status == 0, "\(result.stderr)")
        let report = try scratch.json("out/report.json")
        let kraken = (report["inputs"] as? [[String: Any]] ?? []).first { $0["name"] as? String == "kraken" }
        let file = (kraken?["files"] as? [[String: Any]])?.first
        let sha256 = try #require(file?["sha256"] as? String)
        #expect(file?["size"] as? Int == text.utf8.count)
        // The archive holds exactly the bytes the run read from the FIFO.
        #expect(scratch.read("archive/\(sha256.prefix(2))/\(sha256)") == text)
        // The private copy is gone.
        let leftovers = (try? FileManager.default.contentsOfDirectory(atPath: NSTemporaryDirectory())) ?? []
        #expect(!leftovers.contains { $0.hasPrefix("recon-special-") && $0.contains("limited") })
    }

    @Test func aFileOverTheInputByteLimitFailsItsInputOnly() throws {
        writeJob(statement: "in/kraken.csv", extra: "limits: {max_input_bytes: 16}")
        scratch.write("asset,balance\nBTC,1.5\n", to: "in/kraken.csv")
        let result = try run()
        #expect(result.status == 2)
        #expect(
            failedInput(try scratch.json("out/report.json"))
                == "in/kraken.csv: error: is 22 bytes or more, over `limits.max_input_bytes` (16); raise the limit in the job if the file is meant to be this large"
        )
    }

    @Test func aJobWithMoreInputsThanTheLimitIsRefusedUpFront() throws {
        let inputs = (0..<100_000).map { "  - {path: in/s\($0).csv, format: csv}" }.joined(separator: "\n")
        scratch.write(
            "job: huge\nas_of: 2026-11-24\nledger: [{path: in/ledger.csv, format: csv}]\nstatements:\n\(inputs)\n"
                + "report: {dir: out}\n", to: "huge.yaml")
        let result = try recon(["check", "huge.yaml"], in: scratch.path)
        #expect(result.status == 64)
        #expect(
            result.stderr.contains(
                "huge.yaml:5:3: error: at `statements`: the job has 100001 inputs, more than `limits.max_inputs` "
                    + "(10000); split the job, or raise the limit"), "\(result.stderr)")
    }
}
