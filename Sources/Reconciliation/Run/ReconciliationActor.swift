import Dispatch

/// Runs jobs: the library's entry point for Swift code, and the protocol the CLI and tests run through.
package protocol ReconciliationService: Sendable {
    /// Starts a run; its events stream while it goes, its outcome arrives at the end.
    func start(_ spec: JobSpec, options: RunOptions) async -> RunHandle
}

/// How a run is started.
package struct RunOptions: Sendable {
    /// Seconds to wait for another process running the same job (0: fail at once).
    package var waitSeconds: Double
    /// Where cross-process job locks live.
    package var lockDirectory: String?
    /// Maps an input file to the path opened (replays read archived copies).
    package var openPath: (@Sendable (InputFile) -> String)?
    /// A fixed run id (replays), instead of a new one.
    package var runID: String?
    /// Counts bytes read per input, for progress displays.
    package var progress: (@Sendable (InputSpec) -> ByteCounter)?

    /// Creates options.
    package init(
        waitSeconds: Double = 0, lockDirectory: String? = nil, openPath: (@Sendable (InputFile) -> String)? = nil,
        runID: String? = nil, progress: (@Sendable (InputSpec) -> ByteCounter)? = nil
    ) {
        self.waitSeconds = waitSeconds
        self.lockDirectory = lockDirectory
        self.openPath = openPath
        self.runID = runID
        self.progress = progress
    }
}

/// A run in progress.
package struct RunHandle: Sendable {
    /// Everything the run does, in order; finishes when the run does.
    package let events: AsyncStream<RunEvent>
    let task: Task<Result<RunOutcome, ReconciliationError>, Never>

    /// Waits for the run and returns its outcome.
    package func outcome() async throws(ReconciliationError) -> RunOutcome {
        try await task.value.get()
    }
}

/// Runs jobs one at a time and refuses a second run of a job that is already running — in this process (a clear
/// error at once) and across processes (a lock file per job; `waitSeconds` waits for it).
///
/// ```swift
/// let service = ReconciliationActor()
/// let run = await service.start(try JobSpec.load(path: "jobs/eod-sample.yaml"), options: RunOptions())
/// for await event in run.events { print(event) }
/// let outcome = try await run.outcome()
/// ```
package actor ReconciliationActor: ReconciliationService {
    private let environment: RunEnvironment
    private var running: Set<String> = []
    private var busy = false
    private var waiters: [CheckedContinuation<Void, Never>] = []

    /// Creates a service with its clock, run ids and environment.
    package init(environment: RunEnvironment = .live()) {
        self.environment = environment
    }

    package func start(_ spec: JobSpec, options: RunOptions = RunOptions()) -> RunHandle {
        let (events, continuation) = AsyncStream.makeStream(of: RunEvent.self, bufferingPolicy: .unbounded)
        let refused = running.contains(spec.name)
        if !refused { running.insert(spec.name) }
        let task = Task { () -> Result<RunOutcome, ReconciliationError> in
            defer { continuation.finish() }
            if refused {
                return .failure(ReconciliationError(.run, "job \(spec.name) is already running in this process"))
            }
            let result = await self.execute(spec, options: options, continuation: continuation)
            self.finished(spec.name)
            return result
        }
        return RunHandle(events: events, task: task)
    }

    /// Runs a job and waits for its outcome, ignoring events.
    package func run(_ spec: JobSpec, options: RunOptions = RunOptions()) async throws(ReconciliationError)
        -> RunOutcome
    {
        try await start(spec, options: options).outcome()
    }

    private func finished(_ job: String) {
        running.remove(job)
    }

    private func execute(
        _ spec: JobSpec, options: RunOptions, continuation: AsyncStream<RunEvent>.Continuation
    ) async -> Result<RunOutcome, ReconciliationError> {
        await acquireTurn()
        defer { releaseTurn() }
        let lock: JobLock
        do {
            lock = try await JobLock.acquire(
                job: spec.name,
                directory: options.lockDirectory ?? JobLock.defaultDirectory(environment: environment.variables),
                wait: options.waitSeconds)
        } catch {
            return .failure(error)
        }
        var job = ReconciliationJob(spec: spec, environment: environment)
        if let openPath = options.openPath { job.openPath = openPath }
        if let progress = options.progress { job.progress = progress }
        job.runID = options.runID
        let runnable = job
        // The run blocks on file I/O and CPU: it goes to a Dispatch thread, not the cooperative pool.
        let result = await withCheckedContinuation {
            (waiting: CheckedContinuation<Result<RunOutcome, ReconciliationError>, Never>) in
            DispatchQueue.global(qos: .userInitiated).async {
                do throws(ReconciliationError) {
                    waiting.resume(returning: .success(try runnable.run { continuation.yield($0) }))
                } catch {
                    waiting.resume(returning: .failure(error))
                }
            }
        }
        withExtendedLifetime(lock) {}
        return result
    }

    private func acquireTurn() async {
        if busy {
            await withCheckedContinuation { waiters.append($0) }
        } else {
            busy = true
        }
    }

    private func releaseTurn() {
        if waiters.isEmpty {
            busy = false
        } else {
            waiters.removeFirst().resume()
        }
    }
}
