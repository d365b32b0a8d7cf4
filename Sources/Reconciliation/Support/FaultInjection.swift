#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Faults injected at named steps of a run's writes, so tests can show what the audit file, the repository and the
/// reports say after a full disk, an I/O error, a short write, a failed fsync or a kill at any step.
///
/// A plan maps a step (`audit.write`, `report.write`, `after.commit`, …; see ``Step``) to a fault. Tests set it on
/// ``RunEnvironment/faults``; `RECON_FAULTS` sets it for a real process (`audit.write=ENOSPC,after.commit=kill`),
/// which is how the kill tests stop the real binary at every step boundary. A process running with faults says so
/// on standard error. Without a plan every check is a no-op.
package struct FaultInjection: Sendable, Hashable {
    /// A named point in a run's writes.
    package enum Step: String, Sendable, CaseIterable {
        /// Writing the bytes of an audit append.
        case auditWrite = "audit.write"
        /// Flushing an audit append to disk.
        case auditSync = "audit.sync"
        /// Writing a report file into the staging directory.
        case reportWrite = "report.write"
        /// Flushing a report file.
        case reportSync = "report.sync"
        /// Writing `checkpoint.json` into the staging directory.
        case checkpointWrite = "checkpoint.write"
        /// Moving the staged reports into place.
        case publish = "publish"
        /// Writing an input's copy into the archive.
        case archiveWrite = "archive.write"
        /// Flushing an input's archived copy.
        case archiveSync = "archive.sync"
        /// Recording the run in the repository.
        case repositoryInsert = "repository.insert"
        /// After `run_started` is durable.
        case afterStart = "after.start"
        /// After every input was read and archived.
        case afterIngest = "after.ingest"
        /// After the reports are staged.
        case afterStage = "after.stage"
        /// After the completion batch is durable (the commit point).
        case afterCommit = "after.commit"
        /// After the repository recorded the run.
        case afterRepository = "after.repository"
        /// After the reports were moved into place.
        case afterPublish = "after.publish"
    }

    /// What happens at a step.
    package enum Fault: Sendable, Hashable {
        /// The system call fails with this `errno`.
        case error(Int32)
        /// Half of the bytes are written, then the call fails with this `errno`.
        case shortWrite(Int32)
        /// The process is killed (`SIGKILL`) before the step.
        case kill
    }

    /// Faults by step.
    package var faults: [Step: Fault]

    /// No faults.
    package static let none = FaultInjection(faults: [:])

    /// A plan of faults by step.
    package init(faults: [Step: Fault]) {
        self.faults = faults
    }

    /// Whether any fault is planned.
    package var isEmpty: Bool { faults.isEmpty }

    /// Reads `RECON_FAULTS`: comma-separated `STEP=FAULT`, a fault being `kill`, an errno name (`ENOSPC`, `EIO`,
    /// `EDQUOT`, `EROFS`), or `short:ERRNO` (a short write, then that error).
    package init(text: String) throws(ReconciliationError) {
        var faults: [Step: Fault] = [:]
        for item in text.split(separator: ",") {
            let parts = item.split(separator: "=", maxSplits: 1).map { String($0).trimmingSpaces }
            guard parts.count == 2, let step = Step(rawValue: parts[0]) else {
                let steps = Step.allCases.map(\.rawValue).joined(separator: ", ")
                throw ReconciliationError(
                    .usage, "RECON_FAULTS: '\(item)' is not STEP=FAULT with STEP one of \(steps)")
            }
            let fault: Fault
            if parts[1] == "kill" {
                fault = .kill
            } else if parts[1].hasPrefix("short:"), let code = Self.errno(named: String(parts[1].dropFirst(6))) {
                fault = .shortWrite(code)
            } else if let code = Self.errno(named: parts[1]) {
                fault = .error(code)
            } else {
                throw ReconciliationError(
                    .usage,
                    "RECON_FAULTS: '\(parts[1])' is not kill, an errno (ENOSPC, EIO, EDQUOT, EROFS) or short:ERRNO")
            }
            faults[step] = fault
        }
        self.faults = faults
    }

    private static func errno(named name: String) -> Int32? {
        switch name {
        case "ENOSPC": ENOSPC
        case "EIO": EIO
        case "EDQUOT": EDQUOT
        case "EROFS": EROFS
        default: nil
        }
    }

    /// The errno planned for `step` (`nil` when none); a planned kill happens here and does not return.
    package func error(at step: Step) -> Int32? {
        switch faults[step] {
        case .kill?:
            kill(getpid(), SIGKILL)
            return nil
        case .error(let code)?, .shortWrite(let code)?:
            return code
        case nil:
            return nil
        }
    }

    /// Stops the process here when a kill is planned at `step` (a step boundary).
    package func boundary(_ step: Step) {
        if case .kill? = faults[step] { kill(getpid(), SIGKILL) }
    }

    /// How many of `count` bytes a write at `step` may write before failing: all of them without a fault, half with
    /// a short write, none with an error. The failure's errno comes with it.
    func writeLimit(at step: Step, count: Int) -> (allowed: Int, failure: Int32?) {
        switch faults[step] {
        case .kill?:
            kill(getpid(), SIGKILL)
            return (count, nil)
        case .error(let code)?:
            return (0, code)
        case .shortWrite(let code)?:
            return (count / 2, code)
        case nil:
            return (count, nil)
        }
    }
}

/// Writes all of `count` bytes at `base` to `descriptor` (at `offset` with `pwrite` when given), retrying on
/// `EINTR`; returns the errno of the first failure (a fault planned at `step` included), or `nil`.
func writeFully(
    _ descriptor: Int32, _ base: UnsafeRawPointer, count: Int, offset: Int64? = nil,
    faults: FaultInjection = .none, step: FaultInjection.Step? = nil
) -> Int32? {
    let (allowed, injected) = step.map { faults.writeLimit(at: $0, count: count) } ?? (count, nil)
    var done = 0
    while done < allowed {
        let written =
            offset.map { pwrite(descriptor, base + done, allowed - done, off_t($0 + Int64(done))) }
            ?? write(descriptor, base + done, allowed - done)
        if written < 0 {
            if errno == EINTR { continue }
            return errno
        }
        done += written
    }
    return injected
}
