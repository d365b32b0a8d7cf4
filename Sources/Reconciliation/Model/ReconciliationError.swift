/// Why an input or a run cannot continue. Breaks are results, never errors; skipped rows are diagnostics.
///
/// Every error names its place: the file and line/column, the byte offset in a compressed stream, or the key path
/// in a job file.
public struct ReconciliationError: Error, Sendable, CustomStringConvertible {
    /// The pipeline stage that raised the error; the CLI maps `job` and `usage` to exit status 64.
    public enum Room: String, Sendable, Hashable {
        /// The job file or its settings.
        case job
        /// Command-line usage.
        case usage
        /// Reading an input.
        case ingest
        /// Writing reports.
        case report
        /// The audit file, archive or replay.
        case audit
        /// The run repository.
        case repository
        /// Running the job as a whole (locks, concurrency).
        case run
    }

    /// Where in the pipeline it happened.
    public let room: Room
    /// What went wrong, without the location.
    public let message: String
    /// The file (and line/column) it concerns, if any.
    public let location: SourceLocation?
    /// The error this one wraps, kept for callers that want the cause.
    public let underlying: (any Error & Sendable)?

    /// Creates an error.
    public init(
        _ room: Room, _ message: String, at location: SourceLocation? = nil, underlying: (any Error & Sendable)? = nil
    ) {
        self.room = room
        self.message = message
        self.location = location
        self.underlying = underlying
    }

    /// `file:line:column: error: message`.
    public var description: String {
        if let location { return "\(location): error: \(message)" }
        return "error: \(message)"
    }

    /// Whether this is a usage or job-file mistake (exit status 64) rather than a failure of an input or the run.
    public var isUsageError: Bool { room == .job || room == .usage }
}
