/// A point in time read from the text statements use (`2020-01-12T23:26:44.073Z`, `2023-01-15 10:30:00`,
/// `2025-01-17 16:57:02 UTC`, `2024-03-01T09:00:00+01:00`), for ordering rows; no zone means UTC.
struct Timestamp: Comparable, Hashable {
    /// Seconds since 1970-01-01T00:00:00Z.
    let seconds: Int64
    /// Nanoseconds within the second.
    let nanoseconds: Int
    /// Whether the text named its zone (`Z`, `UTC` or an offset); a time without one was read as UTC.
    let hasOffset: Bool

    static func < (lhs: Timestamp, rhs: Timestamp) -> Bool {
        (lhs.seconds, lhs.nanoseconds) < (rhs.seconds, rhs.nanoseconds)
    }

    static func == (lhs: Timestamp, rhs: Timestamp) -> Bool {
        lhs.seconds == rhs.seconds && lhs.nanoseconds == rhs.nanoseconds
    }

    func hash(into hasher: inout Hasher) {
        hasher.combine(seconds)
        hasher.combine(nanoseconds)
    }

    /// Parses the text, or `nil` when it is not a date and time.
    init?(_ text: String) {
        let bytes = Array(text.trimmingSpaces.utf8)
        var index = 0
        func number(_ digits: Int) -> Int? { Self.digits(bytes, &index, digits) }
        func skip(_ byte: UInt8) -> Bool {
            guard index < bytes.count, bytes[index] == byte else { return false }
            index += 1
            return true
        }
        guard let year = number(4), skip(0x2D), let month = number(2), skip(0x2D), let day = number(2),
            (1...12).contains(month), day >= 1, day <= Self.daysIn(month: month, year: year)
        else { return nil }
        var hour = 0
        var minute = 0
        var second = 0
        var nanos = 0
        if index < bytes.count, bytes[index] == UInt8(ascii: "T") || bytes[index] == UInt8(ascii: " ") {
            index += 1
            guard let h = number(2), skip(0x3A), let m = number(2) else { return nil }
            hour = h
            minute = m
            if skip(0x3A) {
                guard let s = number(2) else { return nil }
                second = s
                if skip(0x2E) {
                    var scale = 100_000_000
                    while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                        nanos += Int(bytes[index] - 0x30) * scale
                        scale /= 10
                        index += 1
                    }
                }
            }
        }
        var offset = 0
        var zoned = false
        if index < bytes.count {
            if bytes[index] == UInt8(ascii: " ") { index += 1 }
            let rest = String(decoding: bytes[index...], as: UTF8.self)
            zoned = !rest.isEmpty
            if rest == "Z" || rest == "UTC" || rest.isEmpty {
                offset = 0
            } else if let sign = rest.first, sign == "+" || sign == "-" {
                index += 1
                guard let h = number(2) else { return nil }
                _ = skip(0x3A)
                guard let m = number(2), index == bytes.count, h <= 18, m < 60 else { return nil }
                offset = (sign == "+" ? 1 : -1) * (h * 3600 + m * 60)
            } else {
                return nil
            }
        }
        guard hour < 24, minute < 60, second < 61 else { return nil }
        let days = Self.daysFromCivil(year: year, month: month, day: day)
        seconds = days * 86_400 + Int64(hour * 3600 + minute * 60 + second) - Int64(offset)
        nanoseconds = nanos
        hasOffset = zoned
    }

    /// An instant.
    init(seconds: Int64, nanoseconds: Int) {
        self.seconds = seconds
        self.nanoseconds = nanoseconds
        hasOffset = true
    }

    /// The number written by exactly `count` ASCII digits at `index` (moved past them), or `nil`.
    static func digits(_ bytes: [UInt8], _ index: inout Int, _ count: Int) -> Int? {
        guard index + count <= bytes.count else { return nil }
        var value = 0
        for _ in 0..<count {
            let digit = Int(bytes[index]) - 48
            guard (0...9).contains(digit) else { return nil }
            value = value * 10 + digit
            index += 1
        }
        return value
    }

    /// The number of days in a month.
    static func daysIn(month: Int, year: Int) -> Int {
        let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0)
        return [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]
    }

    /// Days from 1970-01-01 to a civil date (Howard Hinnant's algorithm).
    static func daysFromCivil(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yearOfEra = y - era * 400
        let monthIndex = Int64(month > 2 ? month - 3 : month + 9)
        let dayOfYear = (153 * monthIndex + 2) / 5 + Int64(day) - 1
        let dayOfEra = yearOfEra * 365 + yearOfEra / 4 - yearOfEra / 100 + dayOfYear
        return era * 146_097 + dayOfEra - 719_468
    }

    /// The instant in ISO 8601 UTC, with a fraction only when there is one: `2026-11-24T22:00:00Z`.
    var iso8601: String {
        let days = seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400
        let within = seconds - days * 86_400
        func two(_ value: Int64) -> String { value < 10 ? "0\(value)" : "\(value)" }
        var text = "\(CalendarDay(civilDays: days))T\(two(within / 3600)):\(two(within / 60 % 60)):\(two(within % 60))"
        if nanoseconds > 0 {
            var fraction = String(nanoseconds)
            fraction = String(repeating: "0", count: 9 - fraction.count) + fraction
            while fraction.hasSuffix("0") { fraction.removeLast() }
            text += "." + fraction
        }
        return text + "Z"
    }

    /// The calendar day of the instant in UTC.
    var utcDay: CalendarDay {
        CalendarDay(civilDays: seconds >= 0 ? seconds / 86_400 : (seconds - 86_399) / 86_400)
    }
}
