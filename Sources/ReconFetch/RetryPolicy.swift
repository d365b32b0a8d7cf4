import Foundation
package import Reconciliation

/// When to try a request again and how long to wait first.
///
/// Only idempotent requests are retried, and only for outcomes that may pass: timeouts, broken connections, 429, 500,
/// 502, 503, 504 (and Kraken's rate-limit and busy errors, which it sends with status 200). 400, 401, 403, 404, 418
/// and everything else fail at once with the venue's message. The wait before retry `n` (1-based) is full jitter:
/// a uniform draw from 0 to min(cap, base × 2^(n−1)); a longer `Retry-After` wins.
package struct RetryPolicy: Sendable {
    package var retries: Int
    package var baseMilliseconds: Int64
    package var capMilliseconds: Int64

    /// The policy of an input.
    package init(_ spec: FetchSpec) {
        retries = spec.retries
        baseMilliseconds = spec.backoffBaseMilliseconds
        capMilliseconds = spec.backoffCapMilliseconds
    }

    /// The ceiling of the jittered wait before retry `retry` (1-based).
    package func ceiling(beforeRetry retry: Int) -> Int64 {
        let shift = min(retry - 1, 40)
        let (scaled, overflow) = baseMilliseconds.multipliedReportingOverflow(by: Int64(1) << shift)
        return overflow ? capMilliseconds : min(capMilliseconds, scaled)
    }

    /// HTTP statuses worth another attempt.
    static let retryableStatuses: Set<Int> = [429, 500, 502, 503, 504]

    /// `Retry-After` in milliseconds: whole seconds, or an HTTP date (IMF-fixdate) relative to `wallMilliseconds`.
    /// The dYdX indexer sends milliseconds rather than seconds (its own rate limiter), hence `unitMilliseconds`.
    package static func retryAfter(_ text: String?, wallMilliseconds: Int64, unitMilliseconds: Int64 = 1_000) -> Int64?
    {
        guard let text = text?.trimmingCharacters(in: .whitespaces), !text.isEmpty else { return nil }
        if text.allSatisfy({ $0.isASCII && $0.isNumber }) {
            // Too large to hold is "longer than any deadline", not "now".
            guard let value = Int64(text) else { return .max }
            return value.multipliedReportingOverflow(by: unitMilliseconds).overflow ? .max : value * unitMilliseconds
        }
        guard let date = httpDate(text) else { return nil }
        return max(0, date - wallMilliseconds)
    }

    /// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) in milliseconds since 1970.
    static func httpDate(_ text: String) -> Int64? {
        let parts = text.split(separator: " ")
        guard parts.count == 6, parts[0].hasSuffix(","), parts[5] == "GMT",
            let day = Int(parts[1]), let year = Int(parts[3]),
            let month = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
                .firstIndex(of: String(parts[2]))
        else { return nil }
        let clock = parts[4].split(separator: ":").compactMap { Int($0) }
        guard clock.count == 3, (1...31).contains(day), (0...23).contains(clock[0]), (0...59).contains(clock[1]),
            (0...60).contains(clock[2])
        else { return nil }
        // Days from the civil date (Howard Hinnant's algorithm).
        let y = month < 2 ? year - 1 : year
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let m = month + 1
        let dayOfYear = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + day - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        let days = era * 146_097 + dayOfEra - 719_468
        return (Int64(days) * 86_400 + Int64(clock[0] * 3600 + clock[1] * 60 + clock[2])) * 1000
    }
}
