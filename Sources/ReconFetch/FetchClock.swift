import Foundation
package import Reconciliation

/// Time for a fetch: a monotonic clock for deadlines and waits, the wall clock for signatures and records. Injected,
/// so backoff and rate-limit tests take milliseconds and assert the exact schedule.
package protocol FetchClock: Sendable {
    /// Milliseconds on a monotonic clock.
    func monotonicMilliseconds() -> Int64
    /// Milliseconds since 1970-01-01T00:00:00Z.
    func wallMilliseconds() -> Int64
    /// Waits `milliseconds` (a task cancelled while waiting throws).
    func sleep(milliseconds: Int64) async throws
}

/// The machine's clocks.
package struct SystemFetchClock: FetchClock {
    /// Creates the clock.
    package init() {}

    package func monotonicMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_MONOTONIC, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    package func wallMilliseconds() -> Int64 {
        var spec = timespec()
        clock_gettime(CLOCK_REALTIME, &spec)
        return Int64(spec.tv_sec) * 1000 + Int64(spec.tv_nsec) / 1_000_000
    }

    package func sleep(milliseconds: Int64) async throws {
        guard milliseconds > 0 else { return }
        try await Task.sleep(for: .milliseconds(milliseconds))
    }
}

/// A client-side token bucket: a request takes `cost` tokens, the bucket holds `burst` and refills `perSecond` a
/// second. One bucket serves every input of the same API, base URL and credentials, so concurrent inputs share the
/// venue's limit instead of each spending all of it.
package actor TokenBucket {
    private let limit: RateLimit
    private let clock: any FetchClock
    private var tokens: Double
    private var updated: Int64
    /// Total time requests waited here, in milliseconds.
    package private(set) var waitedMilliseconds: Int64 = 0

    /// Creates a full bucket.
    package init(_ limit: RateLimit, clock: any FetchClock) {
        self.limit = limit
        self.clock = clock
        tokens = limit.burst
        updated = clock.monotonicMilliseconds()
    }

    /// Until when (monotonic ms) the venue asked every client to wait (`Retry-After`).
    private var heldUntil: Int64 = 0

    /// Waiting for tokens would end after the caller's deadline.
    package struct PastDeadline: Error {
        /// How long the wait would have been, in milliseconds.
        package let wait: Int64
    }

    /// The venue said how much of its budget is spent (Binance's `X-MBX-USED-WEIGHT-1M`, out of `limit`): the bucket
    /// holds no more than what the venue has left, scaled to the bucket's size. Other clients of the same IP spend the
    /// same budget; this is how their spending reaches this bucket.
    package func observe(used: Double, of limit: Double) {
        guard limit > 0, used >= 0 else { return }
        let now = clock.monotonicMilliseconds()
        tokens = min(self.limit.burst, tokens + Double(now - updated) * self.limit.perSecond / 1000)
        updated = now
        tokens = min(tokens, max(0, self.limit.burst * (limit - used) / limit))
    }

    /// The venue asked to wait (`Retry-After`): no request of this bucket goes before then.
    package func holdOff(milliseconds: Int64) {
        let (until, overflow) = clock.monotonicMilliseconds().addingReportingOverflow(milliseconds)
        heldUntil = max(heldUntil, overflow ? .max : until)
    }

    /// Takes one request's tokens, waiting until there are enough; returns how long it waited (ms). Throws
    /// ``PastDeadline`` instead of waiting past `deadline` (monotonic ms).
    package func acquire(deadline: Int64 = .max) async throws -> Int64 {
        var waited: Int64 = 0
        while true {
            let now = clock.monotonicMilliseconds()
            tokens = min(limit.burst, tokens + Double(now - updated) * limit.perSecond / 1000)
            updated = now
            if now >= heldUntil, tokens >= limit.cost {
                tokens -= limit.cost
                waitedMilliseconds += waited
                return waited
            }
            // Clamped: a tiny refill rate means "longer than any deadline", never an overflow.
            let forTokens = Int64(min(((limit.cost - tokens) / limit.perSecond * 1000).rounded(.up), 1e15))
            let wait = max(forTokens, heldUntil - now)
            let (end, overflow) = now.addingReportingOverflow(wait)
            guard !overflow, end <= deadline else { throw PastDeadline(wait: wait) }
            // Reserve nothing while asleep: whoever wakes first and finds tokens takes them.
            try await clock.sleep(milliseconds: max(1, wait))
            waited += max(1, wait)
        }
    }
}

/// Kraken's nonces: strictly increasing per API key, across every input using it (milliseconds since 1970, or one
/// more than the last when the clock has not moved). Kraken refuses a nonce lower than one it has seen, so requests on
/// one key also pass one at a time (``enter()`` before taking a nonce, ``leave()`` once answered): two concurrent
/// inputs could otherwise reach the venue in the other order.
package actor NonceSource {
    private var last: UInt64 = 0
    private var busy = false
    private var waiting: [CheckedContinuation<Void, Never>] = []

    /// Waits for the key's turn.
    package func enter() async {
        guard busy else {
            busy = true
            return
        }
        await withCheckedContinuation { waiting.append($0) }
    }

    /// Ends this request's turn.
    package func leave() {
        if waiting.isEmpty {
            busy = false
        } else {
            waiting.removeFirst().resume()
        }
    }

    /// Creates a source.
    package init() {}

    /// The next nonce.
    package func next(wallMilliseconds: Int64) -> UInt64 {
        last = max(last + 1, UInt64(max(0, wallMilliseconds)))
        return last
    }
}
