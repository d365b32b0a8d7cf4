/// Which rows of a file belong to the run: rows stamped at or before the cutoff (a `time` field, or a reader's own
/// time column) and, for balances with a `date` field, rows dated the as-of day. Rows left out are counted and said
/// once per file, never dropped silently.
struct RowWindow {
    /// The run's cutoff; without one (an `inspect` with no `--as-of`) every row counts.
    let cutoff: Cutoff?
    /// How mapped `time` and `date` fields are read.
    let parser: TimeParser
    /// What is counted: `row`, or `report` for camt.052.
    var unit = "row"
    private(set) var late = 0
    private(set) var latest: Timestamp?
    private var onDay = 0
    private var otherDays: [CalendarDay: Int] = [:]

    /// A window that only counts rows after `cutoff`.
    init(cutoff: Cutoff?) {
        self.cutoff = cutoff
        parser = TimeParser()
    }

    /// The window of an input; an unknown zone or a bad format is the input's error.
    init(options: InputOptions, file: String) throws(ReconciliationError) {
        cutoff = options.cutoff
        do {
            parser = try TimeParser(format: options.timeFormat, zone: options.timeZone)
        } catch {
            throw ReconciliationError(.ingest, error.message, at: SourceLocation(file: file))
        }
    }

    /// Whether a row stamped `time` counts; a later one is counted as left out.
    mutating func admits(_ time: Timestamp) -> Bool {
        guard let cutoff, !cutoff.admits(time) else { return true }
        late += 1
        if let seen = latest, seen >= time {} else { latest = time }
        return false
    }

    /// Whether a row whose time field reads `text` counts; `nil` after reporting a time that cannot be read.
    mutating func admitsTime(_ text: String, at location: SourceLocation, into collector: RecordCollector) -> Bool? {
        switch parser.readings(text) {
        case .success(let readings):
            // A naive time in the repeated hour reads two ways; that only matters when the cutoff falls between them.
            if readings.count > 1, let cutoff, Set(readings.map { cutoff.admits($0) }).count > 1 {
                collector.diagnose(
                    .error,
                    "the time '\(text)' happens twice in \(parser.zone?.name ?? "its zone") (the clocks fall back) and "
                        + "the cutoff falls between the two; write times with an offset", at: location)
                return nil
            }
            return readings.last.map { admits($0) } ?? true
        case .failure(let error):
            collector.diagnose(.error, error.message, at: location)
            return nil
        }
    }

    /// Whether a balance row dated `text` is of the as-of day; `nil` after reporting a date that cannot be read.
    mutating func admitsDate(_ text: String, at location: SourceLocation, into collector: RecordCollector) -> Bool? {
        guard let day = parser.day(text) else {
            collector.diagnose(
                .error, "invalid date '\(text)' (expected YYYY-MM-DD, or set `time_format:`)", at: location)
            return nil
        }
        guard let asOf = cutoff.flatMap({ CalendarDay($0.asOf) }) else { return true }
        if day == asOf {
            onDay += 1
            return true
        }
        otherDays[day, default: 0] += 1
        return false
    }

    /// Says what was left out: a note for rows after the cutoff or of other days, an error when a dated file has no
    /// row of the as-of day at all (its balances would all read as missing).
    func report(file: String, into collector: RecordCollector) {
        let location = SourceLocation(file: file)
        if late > 0, let cutoff, let latest {
            collector.diagnose(
                .note,
                "\(late) \(unit)\(late == 1 ? "" : "s") after the cutoff (\(cutoff)) left out; the latest at "
                    + latest.iso8601, at: location)
        }
        guard !otherDays.isEmpty, let asOf = cutoff?.asOf else { return }
        let days = otherDays.keys.sorted { $0.description < $1.description }.map(\.description)
        let count = otherDays.values.reduce(0, +)
        if onDay == 0 {
            collector.diagnose(
                .error,
                "no row is dated \(asOf); the file has \(days.joined(separator: ", ")) — is it the right day's file?",
                at: location)
        } else {
            collector.diagnose(
                .note,
                "\(count) row\(count == 1 ? "" : "s") dated other days (\(days.joined(separator: ", "))) left out",
                at: location)
        }
    }
}
