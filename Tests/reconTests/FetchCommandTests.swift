import Foundation
import Reconciliation
import Testing
import VenueMock

/// `recon fetch` and `recon run --fetch`, the built binary against the mock venue: all five APIs end to end, exit
/// statuses, a venue down, and no credential in anything the commands print or write.
@Suite(.serialized) struct FetchCommandTests {
    let scratch = Scratch()

    /// The sample fetched job and its ledger, its venues pointed at `venue`.
    func workspace(_ venue: VenueScenario) throws -> String {
        let root = scratch.path + "/ws"
        try FileManager.default.createDirectory(atPath: root + "/samples", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: packageRoot + "/samples/ledger", toPath: root + "/samples/ledger")
        try FileManager.default.createDirectory(atPath: root + "/jobs", withIntermediateDirectories: true)
        let job = try String(contentsOfFile: packageRoot + "/jobs/eod-fetch.yaml", encoding: .utf8)
        let local = job.split(separator: "\n", omittingEmptySubsequences: false).map { line in
            line.contains("base_url: https://") ? line.prefix { $0 != "b" } + "base_url: \(venue.venue.baseURL)" : line
        }
        try local.joined(separator: "\n").write(
            toFile: root + "/jobs/eod-fetch.yaml", atomically: true, encoding: .utf8)
        return root
    }

    func run(_ arguments: [String], _ venue: VenueScenario, in root: String) throws -> ProcessResult {
        try recon(
            arguments, in: root, environment: venue.environment.merging(["RECON_LOCK_DIR": root + "/locks"]) { $1 })
    }

    @Test func fetchThenRunReconcilesAllFiveAPIs() async throws {
        let venue = try await VenueScenario()
        let root = try workspace(venue)
        let fetched = try run(["fetch", "jobs/eod-fetch.yaml", "--allow-skew"], venue, in: root)
        #expect(fetched.status == 0, "\(fetched.stderr)")
        for name in ["coinbase", "coinbase-exchange", "dydx", "kraken", "binance"] {
            #expect(fetched.stdout.contains("fetched  \(name) "), "\(fetched.stdout)")
            #expect(FileManager.default.fileExists(atPath: root + "/batches/2026-11-24/\(name)/page-0001.json"))
        }
        #expect(fetched.stdout.contains("batch    batches/2026-11-24"))
        await venue.shutdown()
        // The run reads the batch: the venues are gone.
        let ran = try run(["run", "jobs/eod-fetch.yaml", "--json"], venue, in: root)
        #expect(ran.status == 0, "\(ran.stderr)")
        #expect(ran.stdout.contains(#""status": "reconciled""#))
        #expect(venue.signatureProblems.isEmpty)
    }

    @Test func runFetchReconcilesAllFiveAPIsInOneCommand() async throws {
        let venue = try await VenueScenario()
        let root = try workspace(venue)
        let ran = try run(["run", "jobs/eod-fetch.yaml", "--fetch", "--allow-skew", "--quiet"], venue, in: root)
        #expect(!ran.stderr.contains("\nwarning: the snapshot"))
        await venue.shutdown()
        #expect(ran.status == 0, "\(ran.stderr)")
        let report = try String(contentsOfFile: root + "/out/eod-fetch/report.json", encoding: .utf8)
        #expect(report.contains(#""status": "reconciled""#))
        #expect(report.contains(#""matched": 10"#))
        // Fetched days from the cutoff, and allowed to: every line says when the balances were taken, and stderr
        // says which input each warning is about.
        #expect(report.contains("snapshot taken "))
        #expect(ran.stderr.contains("warning: kraken: the snapshot was taken at "))
        #expect(venue.requests(.kraken).count == 1 && venue.requests(.binance).count == 1)
    }

    @Test func runFetchWithOneVenueDownIsPartialAndSaysWhy() async throws {
        let venue = try await VenueScenario()
        venue.always(
            .binance, .json(#"{"code":-2015,"msg":"Invalid API-key, IP, or permissions for action."}"#, status: 401))
        let root = try workspace(venue)
        let ran = try run(
            ["run", "jobs/eod-fetch.yaml", "--as-of", "2026-11-24", "--fetch", "--allow-skew"], venue, in: root)
        await venue.shutdown()
        #expect(ran.status == 2, "\(ran.stdout)\n\(ran.stderr)")
        #expect(
            ran.stderr.contains(
                "error: fetch failed: binance (binance): GET \(venue.venue.baseURL)/api/v3/account?recvWindow=5000&timestamp="
            ))
        #expect(
            ran.stderr.contains(
                "signature=[redacted]: HTTP 401: Invalid API-key, IP, or permissions for action. (code -2015) (not retried)"
            ))
        let report = try String(contentsOfFile: root + "/out/eod-fetch/report.json", encoding: .utf8)
        #expect(report.contains(#""status": "partial""#))
        #expect(report.contains(#""unreconciled": 2"#))
        #expect(report.contains(#""matched": 8"#))
        for secret in venue.secrets where !secret.isEmpty {
            #expect(!ran.stdout.contains(secret) && !ran.stderr.contains(secret))
        }
    }

    @Test func usageMistakesExit64() async throws {
        let venue = try await VenueScenario()
        defer { Task { await venue.shutdown() } }
        let root = try workspace(venue)
        let unknown = try run(["fetch", "jobs/eod-fetch.yaml", "--input", "krakn", "--allow-skew"], venue, in: root)
        #expect(unknown.status == 64)
        #expect(unknown.stderr.contains("--input krakn: no fetched input has that name; did you mean 'kraken'?"))
        let nothing = try recon(["fetch", packageRoot + "/jobs/eod-sample.yaml"], in: root)
        #expect(nothing.status == 64)
        #expect(nothing.stderr.contains("no statement input has a `fetch:` block; there is nothing to fetch"))
        let failed = try recon(
            ["fetch", "jobs/eod-fetch.yaml", "--input", "kraken", "--allow-skew"], in: root,
            environment: [
                "RECON_LOCK_DIR": root + "/locks"
            ])
        #expect(failed.status == 2)
        #expect(
            failed.stderr.contains(
                "error: fetch failed: kraken (kraken): environment variable KRAKEN_API_KEY is not set"))
    }

    @Test func aFetchWaitsForNoOneAndTouchesNothingWhileTheJobIsRunning() async throws {
        let venue = try await VenueScenario()
        let root = try workspace(venue)
        let held = try await JobLock.acquire(job: "eod-fetch", directory: root + "/locks")
        let refused = try run(["fetch", "jobs/eod-fetch.yaml", "--allow-skew"], venue, in: root)
        await venue.shutdown()
        withExtendedLifetime(held) {}
        #expect(refused.status == 2)
        #expect(refused.stderr.hasPrefix("error: job eod-fetch is already running (pid \(getpid()))"))
        #expect(venue.venue.requests.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: root + "/batches"))
    }

    @Test func noHelpOrOutputHoldsACredential() async throws {
        let venue = try await VenueScenario()
        let root = try workspace(venue)
        var outputs: [String] = []
        for command in [["--help"], ["fetch", "--help"], ["run", "--help"]] {
            let help = try run(command, venue, in: root)
            outputs += [help.stdout, help.stderr]
        }
        let fetched = try run(["fetch", "jobs/eod-fetch.yaml", "--json", "--allow-skew"], venue, in: root)
        let ran = try run(["run", "jobs/eod-fetch.yaml", "--log-level", "trace"], venue, in: root)
        await venue.shutdown()
        outputs += [fetched.stdout, fetched.stderr, ran.stdout, ran.stderr]
        let files = FileManager.default.enumerator(atPath: root)?.allObjects as? [String] ?? []
        for file in files {
            outputs.append(
                String(decoding: FileManager.default.contents(atPath: root + "/" + file) ?? Data(), as: UTF8.self))
        }
        #expect(files.count > 10)
        for secret in venue.secrets where !secret.isEmpty {
            #expect(!outputs.contains { $0.contains(secret) }, "a secret was printed or written")
        }
    }
}
