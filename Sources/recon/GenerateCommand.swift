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
            Keys are 6 venues × ACCOUNTS × 20 assets (6,000 by default). With --statement-files N the statement
            balances are split by key into statements/statement-NNNNN.csv, each an input of its own.
            The same options always produce the same bytes.

            Examples:
              recon generate /tmp/w100k --entries 100000
              recon generate /tmp/w100k-plain --entries 100000 --plain
              recon run /tmp/w100k/job.yaml --quiet
              recon generate /tmp/w-keys --entries 300000 --accounts 1250
              recon generate /tmp/w-files --entries 100000 --statement-files 100
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

    @Option(name: .long, help: "Accounts per venue (keys = 6 venues × accounts × 20 assets).")
    var accounts: Int = 50

    @Option(name: .long, help: "Split the statement balances into this many files, each its own input.")
    var statementFiles: Int = 1

    func validate() throws {
        guard entries > 0 else { throw ValidationError("--entries must be positive") }
        guard (1...9).contains(level) else { throw ValidationError("--level must be 1 to 9") }
        guard (1...1_000_000).contains(accounts) else { throw ValidationError("--accounts must be 1 to 1000000") }
        guard (1...100_000).contains(statementFiles) else {
            throw ValidationError("--statement-files must be 1 to 100000")
        }
    }

    func run() throws {
        let generator = WorkloadGenerator(
            entries: entries, accountsPerVenue: accounts, seed: seed, gzip: !plain, compressionLevel: level,
            statementFiles: statementFiles)
        let directory = self.directory
        let summary = try exitOnError { () throws(ReconciliationError) in try generator.write(to: directory) }
        print("ledger:    \(summary.ledgerPath) (\(entries) entries, \(summary.ledgerBytes) bytes of CSV)")
        let files = statementFiles == 1 ? "" : ", \(statementFiles) files"
        print("statement: \(summary.statementPath) (\(summary.expected.count) keys expected\(files))")
        print("expected:  \(summary.expectedPath)")
        print("job:       \(summary.jobPath)")
    }
}
