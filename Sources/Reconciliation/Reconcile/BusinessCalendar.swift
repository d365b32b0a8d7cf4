/// Business days: Monday to Friday, less the holidays of the job's `calendar:` file. Breaks age in these days, so a
/// break first seen on Friday is one business day old on Monday, and re-running a day does not age anything.
package struct BusinessCalendar: Sendable, Hashable {
    /// Days that are not business days although they fall on a weekday, `YYYY-MM-DD`.
    package let holidays: Set<String>

    /// Creates a calendar.
    package init(holidays: Set<String> = []) {
        self.holidays = holidays
    }

    /// Monday to Friday, no holidays.
    package static let weekdays = BusinessCalendar()

    /// Whether `day` (`YYYY-MM-DD`) is a business day; `false` for text that is not a date.
    package func isBusinessDay(_ day: String) -> Bool {
        guard let date = CalendarDay(day) else { return false }
        return Self.isWeekday(Timestamp.daysFromCivil(year: date.year, month: date.month, day: date.day))
            && !holidays.contains(day)
    }

    /// Business days after `start` up to and including `end` (0 when `end` is not after `start`): a break first seen
    /// on `start` and still open on `end` is this many business days old.
    package func businessDays(after start: String, through end: String) -> Int {
        guard let first = CalendarDay(start), let last = CalendarDay(end) else { return 0 }
        let from = Timestamp.daysFromCivil(year: first.year, month: first.month, day: first.day)
        let to = Timestamp.daysFromCivil(year: last.year, month: last.month, day: last.day)
        guard to > from else { return 0 }
        // Whole weeks at once (five weekdays each), then the remaining days one by one.
        let span = to - from
        var count = Int(span / 7) * 5
        var day = from + (span / 7) * 7
        while day < to {
            day += 1
            if Self.isWeekday(day) { count += 1 }
        }
        for holiday in holidays {
            guard let date = CalendarDay(holiday) else { continue }
            let days = Timestamp.daysFromCivil(year: date.year, month: date.month, day: date.day)
            if days > from && days <= to && Self.isWeekday(days) { count -= 1 }
        }
        return count
    }

    /// 1970-01-01 was a Thursday.
    static func isWeekday(_ civilDays: Int64) -> Bool {
        let weekday = ((civilDays % 7) + 7 + 4) % 7  // 0 Sunday … 6 Saturday
        return weekday != 0 && weekday != 6
    }

    /// Reads a calendar file: one holiday per line, `YYYY-MM-DD`, optionally followed by a comma or spaces and a name;
    /// blank lines and lines starting with `#` are skipped. Anything else is an error naming the line (a holiday
    /// misread would age every break wrongly).
    static func parse(_ bytes: [UInt8], file: String) throws(ReconciliationError) -> BusinessCalendar {
        var holidays: Set<String> = []
        var number = 0
        for raw in try referenceLines(bytes, file: file, what: "calendar") {
            number += 1
            let line = String(raw).trimmingSpaces
            if line.isEmpty || line.hasPrefix("#") { continue }
            let day = String(line.prefix(10))
            let rest = line.dropFirst(10)
            guard isCalendarDate(day), rest.isEmpty || rest.first == "," || rest.first == " " || rest.first == "\t"
            else {
                throw ReconciliationError(
                    .ingest, "expected a holiday `YYYY-MM-DD` (then an optional name), got '\(line)'",
                    at: SourceLocation(file: file, line: number))
            }
            holidays.insert(day)
        }
        return BusinessCalendar(holidays: holidays)
    }
}
