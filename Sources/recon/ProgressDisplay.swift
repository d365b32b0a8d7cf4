import Foundation
import Reconciliation
import Synchronization

/// A one-line progress display on stderr while inputs are read — bytes done of total, rate, ETA, and the input with
/// the most left to read — shown only when stderr is a terminal. Redrawn a few times a second and erased at the end.
final class ProgressDisplay: Sendable {
    private struct Entry {
        let name: String
        let total: Int64
        let counter: ByteCounter
    }

    /// By input name: a job may have 10,000 inputs, each asking once.
    private let entries = Mutex<[String: Entry]>([:])
    private let started = ContinuousClock.now
    private let task = Mutex<Task<Void, Never>?>(nil)

    /// The counter for an input, created on first use with the input's total size.
    func counter(for spec: InputSpec) -> ByteCounter {
        entries.withLock { entries in
            if let existing = entries[spec.name] { return existing.counter }
            let total = spec.files.compactMap {
                (try? FileManager.default.attributesOfItem(atPath: $0.path)[.size] as? NSNumber)?.int64Value
            }.reduce(0, +)
            let entry = Entry(name: spec.name, total: total, counter: ByteCounter())
            entries[spec.name] = entry
            return entry.counter
        }
    }

    /// Starts redrawing.
    func start() {
        task.withLock { task in
            task = Task.detached { [self] in
                while !Task.isCancelled {
                    try? await Task.sleep(for: .milliseconds(250))
                    if Task.isCancelled { break }
                    draw()
                }
            }
        }
    }

    /// Stops and erases the line.
    func stop() {
        task.withLock { $0?.cancel() }
        printErrorRaw("\r\u{1B}[2K")
    }

    private func draw() {
        let snapshot = entries.withLock { Array($0.values) }
        guard !snapshot.isEmpty else { return }
        let total = snapshot.map(\.total).reduce(0, +)
        let done = snapshot.map { min($0.counter.count, $0.total) }.reduce(0, +)
        let elapsed =
            Double((ContinuousClock.now - started).components.attoseconds) / 1e18
            + Double((ContinuousClock.now - started).components.seconds)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let remaining = rate > 0 ? Double(total - done) / rate : 0
        let busiest = snapshot.max { ($0.total - $0.counter.count) < ($1.total - $1.counter.count) }
        let percent = total > 0 ? Int(Double(done) * 100 / Double(total)) : 100
        var line = "reading \(snapshot.count) input(s): \(megabytes(done)) of \(megabytes(total)) MB (\(percent)%)"
        line += String(format: " · %.1f MB/s · ETA %ds", rate / 1_000_000, Int(remaining.rounded(.up)))
        if let busiest, busiest.total > busiest.counter.count { line += " · \(busiest.name)" }
        printErrorRaw("\r\u{1B}[2K" + String(line.prefix(160)))
    }

    private func megabytes(_ bytes: Int64) -> String {
        String(format: "%.1f", Double(bytes) / 1_000_000)
    }
}

/// Writes to standard error without a newline.
func printErrorRaw(_ text: String) {
    var stream = StandardError()
    stream.write(text)
}
