import ArgumentParser
import ReconWorkload
import Reconciliation

/// `recon generate DIR`: a deterministic workload for benchmarks and tests.
struct GenerateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "generate",
        abstract: "Write a deterministic workload: ledger entries, statement balances with breaks, a job, the answer.",
        discussion: """
            Writes ledger.csv.gz (or ledger.csv with --plain), statement.csv, expected.csv and job.yaml into DIR.
            The same options always produce the same bytes.

            Examples:
              recon generate /tmp/w100k --entries 100000
              recon generate /tmp/w100k-plain --entries 100000 --plain
              recon run /tmp/w100k/job.yaml --quiet
            """
    )

    @Argument(help: "The directory to write into (created when missing).")
    var directory: String

    @Option(name: .long, help: "How many ledger entries.")
    var entries: Int = 1_000_000

    @Option(name: .long, help: "The random seed.")
    var seed: UInt64 = 20_261_124

    @Flag(name: .long, help: "Write the ledger uncompressed.")
    var plain = false

    @Option(name: .long, help: "zlib compression level for the ledger (1–9).")
    var level: Int32 = 6

    func validate() throws {
        guard entries > 0 else { throw ValidationError("--entries must be positive") }
        guard (1...9).contains(level) else { throw ValidationError("--level must be 1 to 9") }
    }

    func run() throws {
        let generator = WorkloadGenerator(entries: entries, seed: seed, gzip: !plain, compressionLevel: level)
        let directory = self.directory
        let summary = try exitOnError { () throws(ReconciliationError) in try generator.write(to: directory) }
        print("ledger:    \(summary.ledgerPath) (\(entries) entries, \(summary.ledgerBytes) bytes of CSV)")
        print("statement: \(summary.statementPath) (\(summary.expected.count) keys expected)")
        print("expected:  \(summary.expectedPath)")
        print("job:       \(summary.jobPath)")
    }
}
