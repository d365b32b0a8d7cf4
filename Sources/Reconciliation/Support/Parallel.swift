import Dispatch
import Synchronization

/// Work split into nearly equal parts of a range of positions, one part a thread.
enum Parallel {
    /// Part `part` of the positions `0..<count` cut into `parts` ranges whose sizes differ by at most one.
    static func range(_ part: Int, of parts: Int, count: Int) -> Range<Int> {
        (count * part / parts)..<(count * (part + 1) / parts)
    }

    /// `make` of each part's range, the parts on every core (`concurrentPerform`), their results joined in order.
    static func map<Made: Sendable>(
        _ count: Int, parts: Int, _ make: @Sendable (Range<Int>) -> [Made]
    ) -> [Made] {
        guard parts > 1 else { return make(0..<count) }
        let made = Mutex([[Made]](repeating: [], count: parts))
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            let results = make(range(part, of: parts, count: count))
            made.withLock { $0[part] = results }
        }
        return made.withLock { $0 }.flatMap { $0 }
    }
}
