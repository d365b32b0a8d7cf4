#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Keeps two processes from running the same job at once: an exclusive `flock` on `DIR/JOB.lock` holding the
/// owner's pid, released when the lock is dropped or the process dies (the kernel releases it).
package final class JobLock: Sendable {
    private let descriptor: Int32
    /// The lock file.
    package let path: String

    private init(descriptor: Int32, path: String) {
        self.descriptor = descriptor
        self.path = path
    }

    deinit {
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }

    /// The default lock directory: `RECON_LOCK_DIR`, else `$TMPDIR/recon-locks` (or `/tmp/recon-locks`).
    package static func defaultDirectory(environment: [String: String]) -> String {
        if let directory = environment["RECON_LOCK_DIR"], !directory.isEmpty { return directory }
        let temporary = environment["TMPDIR"].flatMap { $0.isEmpty ? nil : $0 } ?? "/tmp"
        return temporary + "/recon-locks"
    }

    /// Takes the lock of `job` once, without waiting: `nil` with the holder's pid when another process has it.
    static func tryAcquire(job: String, directory: String) throws(ReconciliationError) -> (JobLock?, holder: Int32?) {
        try FileOutput.makeDirectory(directory)
        let path = "\(directory)/\(job).lock"
        let descriptor = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw ReconciliationError(
                .run, "cannot open the job lock: \(systemErrorMessage(errno))", at: SourceLocation(file: path))
        }
        if flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            let code = errno
            var buffer = [UInt8](repeating: 0, count: 32)
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, 31, 0) }
            close(descriptor)
            guard code == EWOULDBLOCK else {
                throw ReconciliationError(
                    .run, "cannot take the job lock: \(systemErrorMessage(code))", at: SourceLocation(file: path))
            }
            let text = count > 0 ? String(decoding: buffer[0..<count], as: UTF8.self) : ""
            return (nil, Int32(text.trimmingWhitespace))
        }
        let pid = Array("\(getpid())\n".utf8)
        ftruncate(descriptor, 0)
        _ = pid.withUnsafeBytes { pwrite(descriptor, $0.baseAddress, pid.count, 0) }
        return (JobLock(descriptor: descriptor, path: path), nil)
    }

    /// Takes the lock of `job`, waiting up to `wait` seconds (polling) when another process holds it; otherwise
    /// fails with "job X is already running (pid N)".
    package static func acquire(job: String, directory: String, wait: Double = 0) async throws(ReconciliationError)
        -> JobLock
    {
        let deadline = ContinuousClock.now + .milliseconds(Int64(max(0, wait) * 1000))
        while true {
            let (lock, holder) = try tryAcquire(job: job, directory: directory)
            if let lock { return lock }
            if ContinuousClock.now >= deadline {
                let who = holder.map { " (pid \($0))" } ?? ""
                let waited = wait > 0 ? "; waited \(wait) seconds" : " (use --wait SECONDS to wait for it)"
                throw ReconciliationError(.run, "job \(job) is already running\(who)\(waited)")
            }
            try? await Task.sleep(for: .milliseconds(100))
        }
    }
}
