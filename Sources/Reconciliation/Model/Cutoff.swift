import Foundation

/// The instant a run's balances are taken at: the business day (`as_of`) and, within it, a wall-clock time in an IANA
/// zone (`cutoff: {time: "17:00", zone: "America/New_York"}`). Without a time the whole day in the zone counts.
///
/// Rows stamped at or before ``instant`` count; later rows are left out (and counted). A wall-clock time that does
/// not exist on the day (clocks skip it) or exists twice (clocks fall back) is refused, never guessed.
public struct Cutoff: Sendable, Hashable, CustomStringConvertible {
    /// The business day, `YYYY-MM-DD`.
    public let asOf: String
    /// The wall-clock time `HH:MM` (or `HH:MM:SS`), or `nil` for the end of the day.
    public let time: String?
    /// The IANA zone name of the time (`UTC` by default).
    public let zone: String
    /// The cutoff instant.
    let instant: Timestamp

    /// Resolves the cutoff of `asOf` at `time` in `zone`; the message of a thrown error says what is wrong.
    public static func resolve(asOf: String, time: String?, zone: String?) throws(CutoffError) -> Cutoff {
        let zoneName = zone ?? "UTC"
        guard let day = CalendarDay(asOf) else { throw CutoffError("expected a date YYYY-MM-DD, got '\(asOf)'") }
        let rules = try ZoneRules(zoneName)
        guard let time else {
            // The whole day: up to the last nanosecond before the next day starts in the zone (where the clocks skip
            // midnight, the day starts when they jump).
            let next = rules.startOfDay(day.next.startSeconds)
            return Cutoff(
                asOf: asOf, time: nil, zone: zoneName, instant: Timestamp(seconds: next - 1, nanoseconds: 999_999_999))
        }
        guard let seconds = Self.secondsOfDay(time) else {
            throw CutoffError("expected a time HH:MM or HH:MM:SS (24-hour clock), got '\(time)'")
        }
        let instant = try rules.instant(of: day.startSeconds + seconds, described: "\(time) on \(asOf)")
        return Cutoff(asOf: asOf, time: time, zone: zoneName, instant: Timestamp(seconds: instant, nanoseconds: 0))
    }

    /// The whole `asOf` day in UTC (a date already validated).
    static func resolve(asOf: String) -> Cutoff {
        (try? resolve(asOf: asOf, time: nil, zone: nil))
            ?? Cutoff(asOf: asOf, time: nil, zone: "UTC", instant: Timestamp(seconds: 0, nanoseconds: 0))
    }

    /// `17:00` → 61200; `nil` unless `HH:MM` or `HH:MM:SS` within one day.
    static func secondsOfDay(_ text: String) -> Int64? {
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard (2...3).contains(parts.count), parts.allSatisfy({ $0.count == 2 && $0.allSatisfy(\.isASCII) }),
            let hour = Int64(parts[0]), let minute = Int64(parts[1]), (0...23).contains(hour), (0...59).contains(minute)
        else { return nil }
        let second = parts.count == 3 ? Int64(parts[2]) : 0
        guard let second, (0...59).contains(second) else { return nil }
        return hour * 3600 + minute * 60 + second
    }

    /// The instant in ISO 8601 UTC (`2026-11-24T22:00:00Z`).
    public var instantISO8601: String { instant.iso8601 }
    /// The cutoff instant in milliseconds since 1970.
    package var instantMilliseconds: Int64 { instant.seconds * 1000 + Int64(instant.nanoseconds / 1_000_000) }

    /// `17:00 America/New_York on 2026-11-24 (2026-11-24T22:00:00Z)`, or `the end of 2026-11-24 UTC`.
    public var description: String {
        if let time { return "\(time) \(zone) on \(asOf) (\(instant.iso8601))" }
        return "the end of \(asOf) \(zone)"
    }

    /// Whether a row stamped `time` belongs to the run (at or before the cutoff).
    func admits(_ time: Timestamp) -> Bool { time <= instant }
}

/// Why a cutoff, zone or local time cannot be used.
public struct CutoffError: Error, Sendable, Hashable {
    /// What is wrong.
    public let message: String

    init(_ message: String) { self.message = message }
}

/// A calendar day, with its start as seconds since 1970 on a clock without a zone.
struct CalendarDay: Hashable, CustomStringConvertible {
    let year: Int
    let month: Int
    let day: Int

    init?(_ text: String) {
        guard isCalendarDate(text) else { return nil }
        let parts = text.split(separator: "-").compactMap { Int($0) }
        (year, month, day) = (parts[0], parts[1], parts[2])
    }

    init(year: Int, month: Int, day: Int) {
        (self.year, self.month, self.day) = (year, month, day)
    }

    /// Seconds of midnight starting the day, as if the day were in UTC.
    var startSeconds: Int64 { Timestamp.daysFromCivil(year: year, month: month, day: day) * 86_400 }

    /// The following day.
    var next: CalendarDay {
        let days = Timestamp.daysFromCivil(year: year, month: month, day: day) + 1
        return CalendarDay(civilDays: days)
    }

    /// The day `days` after 1970-01-01.
    init(civilDays days: Int64) {
        // Howard Hinnant's civil_from_days.
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let dayOfEra = z - era * 146_097
        let yearOfEra = (dayOfEra - dayOfEra / 1460 + dayOfEra / 36524 - dayOfEra / 146_096) / 365
        let dayOfYear = dayOfEra - (365 * yearOfEra + yearOfEra / 4 - yearOfEra / 100)
        let monthIndex = (5 * dayOfYear + 2) / 153
        let day = dayOfYear - (153 * monthIndex + 2) / 5 + 1
        let month = monthIndex < 10 ? monthIndex + 3 : monthIndex - 9
        self.init(year: Int(yearOfEra + era * 400 + (month <= 2 ? 1 : 0)), month: Int(month), day: Int(day))
    }

    var description: String {
        let y = String(year)
        let m = month < 10 ? "0\(month)" : "\(month)"
        let d = day < 10 ? "0\(day)" : "\(day)"
        return "\(String(repeating: "0", count: max(0, 4 - y.count)))\(y)-\(m)-\(d)"
    }
}

/// An IANA zone's offsets, to turn a wall-clock time into an instant (Foundation's zone data, which ships with the
/// toolchain's ICU).
struct ZoneRules: Sendable {
    let name: String
    private let zone: TimeZone

    init(_ name: String) throws(CutoffError) {
        if name == "UTC" || name == "Etc/UTC" || name == "Z" {
            zone = TimeZone(secondsFromGMT: 0) ?? .gmt
        } else {
            guard name.contains("/") || name == "GMT", let found = TimeZone(identifier: name) else {
                throw CutoffError("unknown time zone '\(name)' (use an IANA name such as America/New_York, or UTC)")
            }
            zone = found
        }
        self.name = name
    }

    /// The UTC instant (seconds) of a wall-clock time given as seconds on a clock without a zone; a time the zone
    /// skips or repeats is an error naming `described`.
    func instant(of local: Int64, described: String) throws(CutoffError) -> Int64 {
        let readings = instants(of: local)
        guard let only = readings.first else {
            throw CutoffError("\(described) does not exist in \(name) (the clocks skip it)")
        }
        guard readings.count == 1 else {
            throw CutoffError(
                "\(described) happens twice in \(name) (the clocks fall back); choose a time outside the repeated "
                    + "hour, or write times with an offset")
        }
        return only
    }

    /// Every instant a wall-clock time stands for in the zone, earliest first: none where the clocks skip it, two
    /// where they fall back.
    func instants(of local: Int64) -> [Int64] {
        let candidates = Set([offset(at: local - 86_400), offset(at: local + 86_400), offset(at: local)])
        return Set(
            candidates.compactMap { candidate -> Int64? in
                let instant = local - candidate
                return offset(at: instant) == candidate ? instant : nil
            }
        ).sorted()
    }

    /// The instant a day starting at `local` midnight begins: its midnight (the first, if repeated), or where the
    /// clocks skip midnight, the moment they jump.
    func startOfDay(_ local: Int64) -> Int64 {
        instants(of: local).first ?? local - offset(at: local - 86_400)
    }

    /// The zone's offset from UTC, in seconds, at an instant.
    func offset(at instant: Int64) -> Int64 {
        Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(instant))))
    }
}
