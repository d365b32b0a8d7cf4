/// Reads the time (or date) of a row from a mapped field: ISO 8601 by default (`2026-11-24T17:03:00Z`,
/// `2026-11-24 17:03:00+01:00`), or a `time_format` of strftime fields (`%d.%m.%Y %H:%M`). A time without an offset
/// is read in the input's `time_zone`; without one it is refused — a naive time could be any zone.
struct TimeParser: Sendable {
    /// The pieces of a format: a field (`Y`, `m`, …) or literal text.
    enum Piece: Sendable, Hashable {
        case field(Character)
        case literal(UInt8)
    }

    let pieces: [Piece]?
    let zone: ZoneRules?

    /// Digits and range of each numeric field.
    static let widths: [Character: (Int, ClosedRange<Int>)] = [
        "Y": (4, 0...9999), "y": (2, 0...99), "m": (2, 1...12), "d": (2, 1...31), "j": (3, 1...366), "H": (2, 0...23),
        "M": (2, 0...59), "S": (2, 0...60),
    ]

    /// The fields a format may use.
    static let fields: Set<Character> = ["Y", "y", "m", "d", "j", "H", "M", "S", "f", "z"]

    /// A parser of ISO 8601 times with an offset.
    init() {
        pieces = nil
        zone = nil
    }

    /// A parser for `format` (ISO 8601 when `nil`) with naive times in `zone`.
    init(format: String?, zone: String?) throws(CutoffError) {
        if let format {
            var pieces: [Piece] = []
            var characters = format.makeIterator()
            while let character = characters.next() {
                guard character == "%" else {
                    for byte in String(character).utf8 { pieces.append(.literal(byte)) }
                    continue
                }
                guard let field = characters.next() else { throw CutoffError("time format '\(format)' ends in '%'") }
                if field == "%" {
                    pieces.append(.literal(UInt8(ascii: "%")))
                } else if Self.fields.contains(field) {
                    pieces.append(.field(field))
                } else {
                    throw CutoffError(
                        "time format '\(format)' uses %\(field); known fields: %Y %y %m %d %j %H %M %S %f %z %%")
                }
            }
            self.pieces = pieces
        } else {
            pieces = nil
        }
        self.zone = try zone.map { name throws(CutoffError) in try ZoneRules(name) }
    }

    /// The instant of `text`, or why it is not one.
    func instant(_ text: String) -> Result<Timestamp, CutoffError> {
        switch readings(text) {
        case .success(let instants) where instants.count == 1: .success(instants[0])
        case .success:
            .failure(
                CutoffError(
                    "the time '\(text)' happens twice in \(zone?.name ?? "its zone") (the clocks fall back); "
                        + "write times with an offset"))
        case .failure(let error): .failure(error)
        }
    }

    /// The instants `text` can stand for: one, or two for a naive time in the hour the clocks repeat.
    func readings(_ text: String) -> Result<[Timestamp], CutoffError> {
        let parsed: (local: Int64, nanos: Int, offset: Int64?)
        if let pieces {
            guard let fields = Self.match(Array(text.trimmingSpaces.utf8), pieces) else {
                return .failure(CutoffError("invalid time '\(text)' (does not match the time format)"))
            }
            parsed = fields
        } else {
            guard let stamp = Timestamp(text) else {
                return .failure(CutoffError("invalid time '\(text)' (expected ISO 8601, or set `time_format:`)"))
            }
            if stamp.hasOffset { return .success([stamp]) }
            parsed = (stamp.seconds, stamp.nanoseconds, nil)
        }
        if let offset = parsed.offset {
            return .success([Timestamp(seconds: parsed.local - offset, nanoseconds: parsed.nanos)])
        }
        guard let zone else {
            return .failure(
                CutoffError(
                    "the time '\(text)' names no zone; set `time_zone:` on the input (an IANA name, or UTC)"))
        }
        let instants = zone.instants(of: parsed.local)
        guard !instants.isEmpty else {
            return .failure(CutoffError("the time '\(text)' does not exist in \(zone.name) (the clocks skip it)"))
        }
        return .success(instants.map { Timestamp(seconds: $0, nanoseconds: parsed.nanos) })
    }

    /// The calendar day of `text`: `YYYY-MM-DD`, or by the format's `%Y %y %m %d %j` fields.
    func day(_ text: String) -> CalendarDay? {
        let trimmed = text.trimmingSpaces
        guard let pieces else { return CalendarDay(trimmed) }
        guard let fields = Self.match(Array(trimmed.utf8), pieces) else { return nil }
        let days = fields.local >= 0 ? fields.local / 86_400 : (fields.local - 86_399) / 86_400
        return CalendarDay(civilDays: days)
    }

    /// Reads `bytes` by the format: the wall-clock seconds, nanoseconds and an offset when `%z` gave one.
    private static func match(_ bytes: [UInt8], _ pieces: [Piece]) -> (local: Int64, nanos: Int, offset: Int64?)? {
        var index = 0
        var (year, month, day, dayOfYear, hour, minute, second, nanos) = (1970, 1, 1, 0, 0, 0, 0, 0)
        var offset: Int64?
        func digits(_ count: Int) -> Int? { Timestamp.digits(bytes, &index, count) }
        for piece in pieces {
            switch piece {
            case .literal(let byte):
                guard index < bytes.count, bytes[index] == byte else { return nil }
                index += 1
            case .field(let field):
                switch field {
                case "Y", "y", "m", "d", "j", "H", "M", "S":
                    let (width, range) = Self.widths[field] ?? (2, 0...99)
                    guard let value = digits(width), range.contains(value) else { return nil }
                    switch field {
                    case "Y": year = value
                    case "y": year = 2000 + value
                    case "m": month = value
                    case "d": day = value
                    case "j": dayOfYear = value
                    case "H": hour = value
                    case "M": minute = value
                    default: second = value
                    }
                case "f":
                    var scale = 100_000_000
                    let start = index
                    while index < bytes.count, (0x30...0x39).contains(bytes[index]) {
                        nanos += Int(bytes[index] - 0x30) * scale
                        scale /= 10
                        index += 1
                    }
                    guard index > start else { return nil }
                default:  // z
                    guard index < bytes.count else { return nil }
                    if bytes[index] == UInt8(ascii: "Z") {
                        index += 1
                        offset = 0
                        continue
                    }
                    let sign: Int64 = bytes[index] == UInt8(ascii: "-") ? -1 : 1
                    guard bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") else { return nil }
                    index += 1
                    guard let hours = digits(2) else { return nil }
                    if index < bytes.count, bytes[index] == UInt8(ascii: ":") { index += 1 }
                    guard let minutes = digits(2) else { return nil }
                    offset = sign * Int64(hours * 3600 + minutes * 60)
                }
            }
        }
        guard index == bytes.count else { return nil }
        var days = Timestamp.daysFromCivil(year: year, month: month, day: day)
        if dayOfYear > 0 { days = Timestamp.daysFromCivil(year: year, month: 1, day: 1) + Int64(dayOfYear - 1) }
        guard dayOfYear > 0 || CalendarDay(civilDays: days) == CalendarDay(year: year, month: month, day: day) else {
            return nil
        }
        return (days * 86_400 + Int64(hour * 3600 + minute * 60 + second), nanos, offset)
    }
}
