#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif
// `Date` is part of the public API (the run's clock).
#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// What a run takes from the world outside the job: the clock, the run id, the environment variables and the working
/// directory. Tests pin them; replays reproduce a run with them.
public struct RunEnvironment: Sendable {
    /// The current time.
    public var now: @Sendable () -> Date
    /// A new run id for a job starting at a time.
    public var makeRunID: @Sendable (_ job: String, _ startedAt: Date) -> String
    /// Environment variables (for `RECON_*` overrides).
    public var variables: [String: String]
    /// The working directory relative paths are shown against.
    public var currentDirectory: String
    /// The tool version recorded in reports and the audit trail.
    public var toolVersion: String
    /// Faults to inject at named steps (tests; `RECON_FAULTS` for a real process).
    package var faults = FaultInjection.none

    /// Creates an environment.
    public init(
        now: @escaping @Sendable () -> Date, makeRunID: @escaping @Sendable (String, Date) -> String,
        variables: [String: String], currentDirectory: String, toolVersion: String = ReconVersion.current
    ) {
        self.now = now
        self.makeRunID = makeRunID
        self.variables = variables
        self.currentDirectory = currentDirectory
        self.toolVersion = toolVersion
    }

    /// The real clock, random run ids, the process environment and working directory.
    public static func live() -> RunEnvironment {
        var environment = RunEnvironment(
            now: { Date() },
            makeRunID: { job, startedAt in
                let stamp = timestampForID(startedAt)
                let random = (0..<3).map { _ in String(UInt8.random(in: 0...255), radix: 16) }
                    .map { $0.count == 1 ? "0" + $0 : $0 }.joined()
                return "\(job)-\(stamp)-\(random)"
            },
            variables: ProcessInfo.processInfo.environment,
            currentDirectory: FileManager.default.currentDirectoryPath)
        if let text = environment.variables["RECON_FAULTS"], !text.isEmpty {
            // A test hook: says so, so it is never active unnoticed.
            do {
                environment.faults = try FaultInjection(text: text)
                standardError("recon: fault injection active (RECON_FAULTS=\(text))\n")
            } catch {
                standardError("recon: \(error.message); no faults injected\n")
            }
        }
        return environment
    }

    /// `20261124T183000Z`.
    static func timestampForID(_ date: Date) -> String {
        iso8601(date).filter { $0 != "-" && $0 != ":" }
    }
}

/// `2026-11-24T18:30:00Z`, computed without locale or time zone settings (whole seconds).
func iso8601(_ date: Date) -> String {
    Timestamp(seconds: Int64(date.timeIntervalSince1970.rounded(.down)), nanoseconds: 0).iso8601
}

/// The version of `recon`.
public enum ReconVersion {
    /// The version string recorded in reports and audit records.
    public static let current = "0.1.0"
}

/// Writes text to standard error, unbuffered.
func standardError(_ text: String) {
    let bytes = Array(text.utf8)
    _ = bytes.withUnsafeBytes { write(2, $0.baseAddress, $0.count) }
}
