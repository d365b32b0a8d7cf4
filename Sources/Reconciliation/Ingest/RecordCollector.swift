/// Collects what a reader finds in one input: records (summed per key for an `entries` input) and diagnostics.
///
/// Row-level errors are collected, not thrown, so one pass reports every bad row (up to `maxErrors`); any error marks
/// the input failed.
package final class RecordCollector {
    /// What kind of input this is.
    package let kind: InputKind
    /// How many error diagnostics are collected before reading stops.
    package let maxErrors: Int
    private(set) var records: [RawRecord] = []
    private var index: [EntryKey: Int] = [:]
    /// Diagnostics in the order they were found.
    package private(set) var diagnostics: [Diagnostic] = []
    /// How many error diagnostics there are.
    package private(set) var errorCount = 0
    /// How many data rows or records were read (entries before summing).
    package private(set) var rowCount = 0
    /// Set by a reader when the file it just read says more pages follow; checked after the input's last file.
    package var continuation: String?
    /// Where the continuation was announced.
    package var continuationLocation: SourceLocation?
    /// When a snapshot without rows says it was taken (Binance `updateTime`, CCXT `timestamp`).
    var snapshotTime: Timestamp?
    /// A statement read across several files (Kraken Ledgers API pages), closed by its reader's `finish`.
    var pagedLedger: KrakenLedgersReader.PagedLedger?
    /// Where the snapshot states its time.
    var snapshotLocation: SourceLocation?

    /// Closing balances added to an `entries` input by a statement that carries its own running balance.
    private var closingBalances: [EntryKey: SourceLocation] = [:]

    private struct EntryKey: Hashable {
        let venue: String?
        let account: String?
        let asset: String

        init(venue: String?, account: String?, asset: String) {
            self.venue = venue
            self.account = account
            self.asset = asset
        }

        init(_ record: RawRecord) {
            self.init(venue: record.venue, account: record.account, asset: record.asset)
        }
    }

    /// Creates an empty collector.
    package init(kind: InputKind, maxErrors: Int = 20) {
        self.kind = kind
        self.maxErrors = maxErrors
    }

    /// Adds a record; an `entries` input sums it into the record of the same key. `countingRows: false` is for
    /// records a reader already summed and counted itself (``countRows(_:)``).
    package func add(_ record: RawRecord, countingRows: Bool = true) {
        if countingRows { rowCount += record.entryCount }
        guard kind == .entries else {
            records.append(record)
            return
        }
        let key = EntryKey(record)
        guard let position = index[key] else {
            index[key] = records.count
            records.append(record)
            return
        }
        var merged = records[position]
        do {
            try merged.add(record)
        } catch {
            diagnose(
                .error, "the sum of entries for \(record.asset) leaves the exact range (\(error))", at: record.location)
            return
        }
        merged.entryCount += record.entryCount
        records[position] = merged
    }

    /// Adds records a reader already summed and counted itself (an aggregator's sums, one per raw key). The first
    /// batch of an `entries` input is taken whole rather than record by record: at a million keys, appending and
    /// re-indexing one at a time held three copies of the records at once (830 MB of a 1.7 GB peak).
    package func add(contentsOf batch: [RawRecord]) {
        guard kind == .entries, records.isEmpty else {
            if kind == .entries {
                index.reserveCapacity(index.count + batch.count)
                records.reserveCapacity(records.count + batch.count)
            }
            for record in batch { add(record, countingRows: false) }
            return
        }
        // Built in a local: each change to the class's own dictionary is checked for exclusive access at run time
        // (`swift_beginAccess`, a tenth of this loop at 1.3M keys).
        var built: [EntryKey: Int] = [:]
        built.reserveCapacity(batch.count)
        for (position, record) in batch.enumerated()
        where built.updateValue(position, forKey: EntryKey(record)) != nil {
            // Two raw keys the same as strings (canonically equivalent text): summed one record at a time.
            for record in batch { add(record, countingRows: false) }
            return
        }
        index = built
        records = batch
    }

    /// The records, handed over for normalization: the collector forgets them and their index.
    package func takeRecords() -> [RawRecord] {
        defer {
            records = []
            index = [:]
        }
        return records
    }

    /// Claims the closing balance of `asset` in `account` for a statement with a running balance read into an
    /// `entries` input; a second claim (the same wallet exported twice in one input) is an error, since summing two
    /// closing balances would double the wallet.
    func claimClosingBalance(account: String?, asset: String, at location: SourceLocation) -> Bool {
        let key = EntryKey(venue: nil, account: account, asset: asset)
        if let first = closingBalances[key] {
            diagnose(
                .error,
                "a second closing balance of \(asset) (the first is at \(first)): list each wallet's export once",
                at: location)
            return false
        }
        closingBalances[key] = location
        return true
    }

    /// Records a diagnostic.
    package func diagnose(_ severity: Diagnostic.Severity, _ message: String, at location: SourceLocation? = nil) {
        if severity == .error { errorCount += 1 }
        diagnostics.append(Diagnostic(severity, message, at: location))
    }

    /// Whether a reader should stop: too many errors to be worth reading on.
    package var shouldStop: Bool { errorCount >= maxErrors }

    /// Takes over everything another collector of the same kind gathered.
    func absorb(_ other: RecordCollector) {
        for diagnostic in other.diagnostics {
            diagnose(diagnostic.severity, diagnostic.message, at: diagnostic.location)
        }
        countRows(other.rowCount)
        for record in other.records { add(record, countingRows: false) }
    }

    /// Counts rows a reader summed itself before calling ``add(_:countingRows:)``.
    package func countRows(_ count: Int) {
        rowCount += count
    }
}
