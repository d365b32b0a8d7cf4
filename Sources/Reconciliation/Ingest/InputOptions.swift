/// Which column (CSV), path (JSON) or element path (XML) holds each field of a record.
package struct FieldMapping: Sendable, Hashable {
    /// The venue field; when absent the input's fixed venue is used.
    package var venue: String?
    /// The account field; when absent the input's fixed account is used.
    package var account: String?
    /// The asset field.
    package var asset: String?
    /// The total amount field.
    package var amount: String?
    /// The available amount field (total = available + hold when `amount` is not mapped).
    package var available: String?
    /// The on-hold amount field.
    package var hold: String?
    /// The time a row was booked: rows after the cutoff are left out.
    package var time: String?
    /// The day a balance row is of: only rows of the as-of day are the run's balances.
    package var date: String?

    /// Creates a mapping.
    package init(
        venue: String? = nil, account: String? = nil, asset: String? = nil, amount: String? = nil,
        available: String? = nil, hold: String? = nil, time: String? = nil, date: String? = nil
    ) {
        self.venue = venue
        self.account = account
        self.asset = asset
        self.amount = amount
        self.available = available
        self.hold = hold
        self.time = time
        self.date = date
    }

    /// Whether nothing is mapped.
    package var isEmpty: Bool {
        venue == nil && account == nil && asset == nil && amount == nil && available == nil && hold == nil
            && time == nil && date == nil
    }

    /// The mapped fields by role name, in a fixed order.
    package var named: [(role: String, field: String)] {
        [
            ("venue", venue), ("account", account), ("asset", asset), ("amount", amount), ("available", available),
            ("hold", hold), ("time", time), ("date", date),
        ]
        .compactMap { role, field in field.map { (role, $0) } }
    }
}

/// Limits that keep one hostile input from taking unbounded memory or time.
package struct IngestLimits: Sendable, Hashable {
    /// Gzip output caps.
    package var inflate: InflateLimits
    /// The longest CSV record (or JSON/XML text value) accepted, in bytes.
    package var maxRecordBytes: Int
    /// How many row errors are collected before an input stops being read.
    package var maxErrors: Int
    /// The most bytes read from any one input file (as stored: compressed bytes for a gzip file).
    package var maxInputBytes: Int64 = 64 << 30
    /// The most inputs a job may have (ledger and statements together): refused up front beyond it.
    package var maxInputs: Int = 10_000
    /// Whether devices, FIFOs and sockets may be inputs (read once, up to ``maxInputBytes``).
    package var allowSpecialFiles = false

    /// Creates limits.
    package init(inflate: InflateLimits = .standard, maxRecordBytes: Int = 4 << 20, maxErrors: Int = 20) {
        self.inflate = inflate
        self.maxRecordBytes = maxRecordBytes
        self.maxErrors = maxErrors
    }

    /// The defaults: 64 GiB / 200:1 inflate caps, 4 MiB records, 20 errors, 64 GiB per input file, 10,000 inputs,
    /// no special files.
    package static let standard = IngestLimits()
}

/// Everything a reader needs to know about one input besides its bytes.
package struct InputOptions: Sendable, Hashable {
    /// Entries (summed) or balances (one per key).
    package var kind: InputKind
    /// The venue for every record, when the data does not name one (or to override it).
    package var venue: String?
    /// The account for every record, when the data does not name one.
    package var account: String?
    /// Where each field is (generic formats).
    package var fields: FieldMapping
    /// The JSON path or XML element path of one record (generic JSON/XML), e.g. `data.balances[*]`.
    package var records: String?
    /// Whether the first CSV line names the columns (otherwise columns are 1-based numbers).
    package var hasHeader: Bool
    /// The CSV field delimiter.
    package var delimiter: UInt8
    /// How amounts are written.
    package var amountSyntax: AmountSyntax
    /// Which camt balance type is the statement's balance (`CLBD` by default).
    package var balanceType: String
    /// Limits for hostile input.
    package var limits: IngestLimits
    /// The job's business day, for readers that can check a statement's date against it.
    package var asOf: String?
    /// The instant balances are taken at; rows stamped later are left out. `nil` reads every row.
    package var cutoff: Cutoff?
    /// The cutoff of the job's previous business day, when the run repository knows it: a running balance's opening
    /// is its balance at that instant.
    var previousCutoff: Timestamp?
    /// How a mapped `time` (or `date`) field is written, in strftime fields; ISO 8601 when `nil`.
    package var timeFormat: String?
    /// The IANA zone of times written without an offset.
    package var timeZone: String?
    /// When a snapshot without a time of its own (an API dump) was taken, ISO 8601.
    package var takenAt: String?
    /// How far a snapshot's time may be from the cutoff before its lines say so, in seconds.
    package var maxSnapshotSkewSeconds: Int64 = 3600
    /// Whether the options were typed on the command line (`recon inspect`) rather than in a job file: messages then
    /// name the flag (`--account`) instead of the key (`account:`).
    package var fromCommandLine = false

    /// How a message names a setting: `` `account:` `` in a job, `--account` on the command line.
    package func setting(_ key: String) -> String {
        fromCommandLine ? "--" + key.replacingAll("_", with: "-") : "`\(key):`"
    }

    /// Creates options; the defaults read a headed, comma-separated CSV of balances with strict amounts.
    package init(
        kind: InputKind = .balances, venue: String? = nil, account: String? = nil,
        fields: FieldMapping = FieldMapping(),
        records: String? = nil, hasHeader: Bool = true, delimiter: UInt8 = UInt8(ascii: ","),
        amountSyntax: AmountSyntax = .standard, balanceType: String = "CLBD", limits: IngestLimits = .standard,
        asOf: String? = nil, cutoff: Cutoff? = nil
    ) {
        self.asOf = asOf ?? cutoff?.asOf
        self.cutoff = cutoff
        self.kind = kind
        self.venue = venue
        self.account = account
        self.fields = fields
        self.records = records
        self.hasHeader = hasHeader
        self.delimiter = delimiter
        self.amountSyntax = amountSyntax
        self.balanceType = balanceType
        self.limits = limits
    }
}
