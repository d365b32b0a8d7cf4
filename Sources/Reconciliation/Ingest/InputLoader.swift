import Foundation

/// What reading one input produced: its files' facts, the normalized balances, diagnostics, and whether it failed.
package struct InputOutcome: Sendable {
    /// The input as the job describes it.
    package let spec: InputSpec
    /// Its position among the inputs of its side.
    package let index: Int
    /// Each file's size, digest and format.
    package var files: [FileFacts] = []
    /// The balances, normalized (empty when the input failed).
    package var balances: [Balance] = []
    /// Rows or records read (entries before summing).
    package var recordCount = 0
    /// What the readers and the normalizer found.
    package var diagnostics: [Diagnostic] = []
    /// The error that stopped the input, if one did.
    package var failure: ReconciliationError?
    /// The files (by position) whose archived copy was taken while they were read.
    package var archivedFiles: Set<Int> = []
    /// Why an archived copy could not be taken (a full disk): not the input's failure, the run's — the archive stage
    /// throws it before the commit.
    package var archiveFailure: ReconciliationError?
    /// Whether its rows were summed (entries) or kept one per key (balances): the job's choice, or the format's.
    package var kind: InputKind = .balances
    /// The venue/account pairs the input did name before it failed (its lines may be incomplete).
    package var partialCoverage: Set<BalanceBook.VenueAccount> = []

    /// Whether the input was skipped: optional, and no file matched.
    package var skipped = false
    /// The asset codes as the files wrote them (uppercased), before aliases: what an alias can match.
    package var rawAssetCodes: Set<String> = []

    /// Whether the input cannot be trusted: it stopped, or a row could not be read.
    package var failed: Bool { failure != nil || diagnostics.contains { $0.severity == .error } }

    /// The first error, for summaries.
    package var firstError: String? {
        failure?.description ?? diagnostics.first { $0.severity == .error }?.description
    }
}

/// Facts about one input file, for reports, the audit trail and replay.
public struct FileFacts: Sendable, Hashable {
    /// The path as shown.
    public let displayPath: String
    /// Its size in bytes (as stored, compressed or not).
    public let size: Int64
    /// The SHA-256 of its bytes, lowercase hex (empty when the file could not be opened).
    public let sha256: String
    /// Whether it is gzip-compressed.
    public let compressed: Bool
    /// The format it was read as.
    public let format: String
}

/// Reads one input end to end: open each file (gzip by magic bytes), choose the reader (named or detected), read,
/// normalize. Never throws: whatever goes wrong is recorded on the outcome, so other inputs carry on.
package struct InputLoader: Sendable {
    /// Job-level asset aliases.
    package var jobAliases: [String: String]
    /// Whether reading (and inflating) runs on its own thread ahead of parsing.
    package var prefetch: Bool
    /// Where bytes-read progress is counted, by input name.
    package var progress: @Sendable (InputSpec) -> ByteCounter
    /// Plain entries CSV files at least this large are summed in ranges on every core (with `prefetch`).
    package var parallelThreshold: Int64 = CSVStatementReader.parallelThreshold
    /// Gzipped entries CSV files at least this large (compressed) are summed in segments on every core (with
    /// `prefetch`).
    package var segmentThreshold: Int64 = 4 << 20
    /// Files at least this large (as stored) are read by a thread ahead of the reader, when `prefetch` is on.
    package var readAheadThreshold: Int64 = InputBytes.readAheadThreshold
    /// Whether outcomes list the raw asset codes read (for `recon check`; a run does not need them).
    package var collectsRawCodes = false
    /// Where each file read is archived, on this first read (none for `recon check`, which writes nothing).
    package var archive: InputArchive?

    /// Creates a loader.
    package init(
        jobAliases: [String: String] = [:], prefetch: Bool = true,
        progress: @escaping @Sendable (InputSpec) -> ByteCounter = { _ in ByteCounter() }
    ) {
        self.jobAliases = jobAliases
        self.prefetch = prefetch
        self.progress = progress
    }

    /// Loads `spec`, the `index`-th input of its side; `open` maps a file to the path actually opened (replays read
    /// from an archive).
    package func load(_ spec: InputSpec, index: Int, open: (InputFile) -> String = { $0.path }) -> InputOutcome {
        var outcome = InputOutcome(spec: spec, index: index)
        if let refusal = spec.refusal {
            outcome.failure = ReconciliationError(.ingest, refusal.message, at: SourceLocation(file: refusal.file))
            outcome.kind = spec.options.kind
            return outcome
        }
        var problem = spec.problem
        // An optional input may also be a plain path whose file is not there (today).
        if problem == nil && spec.optional,
            let missing = spec.files.first(where: { !FileManager.default.fileExists(atPath: open($0)) })
        {
            problem = "\(missing.displayPath) does not exist"
        }
        if let problem {
            // A glob that matched nothing: an optional input is skipped (and says so), any other fails.
            if spec.optional {
                outcome.diagnostics = [Diagnostic(.note, "skipped: \(problem) (the input is optional)")]
                outcome.skipped = true
            } else {
                let hint = spec.fetch == nil ? " (set `optional: true` on the input if that can happen)" : ""
                outcome.failure = ReconciliationError(.ingest, problem + hint)
            }
            outcome.kind = spec.options.kind
            return outcome
        }
        let counter = progress(spec)
        var collector: RecordCollector?
        var firstReader: (any StatementReader)?
        for (position, file) in spec.files.enumerated() {
            // After a failure the remaining files are still hashed (the audit trail lists every file of a batch).
            let parse = outcome.failure == nil && !(collector?.shouldStop ?? false)
            var copy = archive?.beginCopy(displayPath: file.displayPath)
            do throws(ReconciliationError) {
                let input = try InputBytes(
                    path: open(file), displayPath: file.displayPath, limits: spec.options.limits.inflate,
                    prefetch: prefetch && parse, progress: counter, maxBytes: spec.options.limits.maxInputBytes,
                    archiveCopy: copy, readAheadFrom: readAheadThreshold)
                var format = spec.format ?? "?"
                var rangeDigest: String?
                if parse {
                    do throws(ReconciliationError) {
                        let reader: any StatementReader
                        var source = input.bytes
                        if let name = spec.format, let named = StatementFormats.reader(named: name) {
                            reader = named
                        } else {
                            let prefix = try ReplayByteSource.readPrefix(input.bytes, count: 1 << 16)
                            reader = try Self.detect(
                                ContentPrefix(prefix), file: file.displayPath, setting: spec.options.setting)
                            source = ReplayByteSource(prefix: prefix, upstream: input.bytes)
                        }
                        format = reader.format
                        if firstReader == nil { firstReader = reader }
                        let target =
                            collector
                            ?? RecordCollector(
                                kind: reader.inherentKind ?? spec.options.kind, maxErrors: spec.options.limits.maxErrors
                            )
                        collector = target
                        var options = spec.options
                        options.kind = target.kind
                        // A file read in parts has its own collector: it may collect only the errors the input's
                        // earlier files left of the limit, which counts across them all.
                        var partOptions = options
                        partOptions.limits.maxErrors = target.maxErrors - target.errorCount
                        if reader.readsEntriesInRanges, target.kind == .entries, !input.isCompressed,
                            prefetch, input.file.size >= parallelThreshold,
                            ProcessInfo.processInfo.activeProcessorCount > 1
                        {
                            // A large plain ledger: summed in ranges on every core while a thread hashes the file.
                            // The digest thread reads the whole file in order: it takes the archived copy.
                            copy = archive?.beginCopy(displayPath: file.displayPath)
                            let digester = DigestThread(
                                path: open(file), displayPath: file.displayPath, archiveCopy: copy)
                            let ranges = RecordCollector(kind: .entries, maxErrors: partOptions.limits.maxErrors)
                            if try reader.sumEntriesInRanges(
                                path: open(file), displayPath: file.displayPath, size: input.file.size,
                                options: partOptions, into: ranges, progress: counter)
                            {
                                target.absorb(ranges)
                            } else {
                                // `source` is still unread (the ranges opened the file on their own): read it whole.
                                try reader.read(source, path: file.displayPath, options: options, into: target)
                            }
                            rangeDigest = try digester.result()
                        } else if reader.readsEntriesInRanges, target.kind == .entries, input.isCompressed,
                            input.readsAhead, input.file.size >= segmentThreshold,
                            ProcessInfo.processInfo.activeProcessorCount > 1
                        {
                            // A large gzipped ledger: inflated by this thread into segments summed on every core.
                            let segments = RecordCollector(kind: .entries, maxErrors: partOptions.limits.maxErrors)
                            // It reads megabytes at a time and the workers overlap with it: no read-ahead thread in
                            // between, unless detecting the format started it.
                            let stream = source === input.bytes ? input.takeDirectSource() ?? source : source
                            if reader.sumEntriesInSegments(
                                stream, displayPath: file.displayPath, options: partOptions, into: segments)
                            {
                                target.absorb(segments)
                            } else {
                                // Read again from the start, in one piece (the first read's digest thread goes on).
                                let again = try InputBytes(
                                    path: open(file), displayPath: file.displayPath,
                                    limits: spec.options.limits.inflate, prefetch: true,
                                    maxBytes: spec.options.limits.maxInputBytes, digesting: false,
                                    readAheadFrom: readAheadThreshold)
                                try reader.read(again.bytes, path: file.displayPath, options: options, into: target)
                            }
                        } else {
                            try reader.read(source, path: file.displayPath, options: options, into: target)
                        }
                    } catch {
                        outcome.failure = error
                    }
                }
                let digest = rangeDigest ?? (try? input.finishDigest()) ?? ""
                if let copy, !digest.isEmpty {
                    do throws(ReconciliationError) {
                        try copy.finish(sha256: digest)
                        outcome.archivedFiles.insert(position)
                    } catch {
                        if outcome.archiveFailure == nil { outcome.archiveFailure = error }
                    }
                }
                outcome.files.append(
                    FileFacts(
                        displayPath: file.displayPath, size: input.file.size, sha256: digest,
                        compressed: input.isCompressed, format: format))
            } catch {
                if outcome.failure == nil { outcome.failure = error }
                outcome.files.append(
                    FileFacts(
                        displayPath: file.displayPath, size: 0, sha256: "", compressed: false,
                        format: spec.format ?? "?"))
            }
        }
        if outcome.failure == nil, let firstReader, let collector {
            var options = spec.options
            options.kind = collector.kind
            do throws(ReconciliationError) {
                try firstReader.finish(options: options, into: collector)
            } catch {
                outcome.failure = error
            }
        }
        let records = collector ?? RecordCollector(kind: spec.options.kind, maxErrors: spec.options.limits.maxErrors)
        outcome.kind = records.kind
        if records.shouldStop && outcome.failure == nil {
            records.diagnose(.note, "stopped reading after \(records.errorCount) errors")
        }
        if let continuation = records.continuation, outcome.failure == nil {
            records.diagnose(.warning, continuation, at: records.continuationLocation)
        }
        var normalizer = Normalizer(
            venue: spec.options.venue, account: spec.options.account, formatAliases: firstReader?.assetAliases ?? [:],
            jobAliases: jobAliases, inputAliases: spec.aliases, accountMap: spec.accounts)
        normalizer.defaultVenue = firstReader?.defaultVenue
        let options = spec.options
        normalizer.setting = { options.setting($0) }
        if collectsRawCodes {
            outcome.rawAssetCodes = Set(records.records.map { $0.asset.trimmingSpaces.uppercased() })
        }
        var balances = normalizer.balances(from: records.takeRecords(), kind: records.kind, into: records)
        if let note = Self.snapshotSkew(spec.options, records) {
            for index in balances.indices { balances[index].notes.append(note) }
        }
        outcome.recordCount = records.rowCount
        outcome.diagnostics = records.diagnostics
        if outcome.failed {
            outcome.partialCoverage = Set(
                balances.map { BalanceBook.VenueAccount(venue: $0.key.venue, account: $0.key.account) })
        } else {
            outcome.balances = balances
        }
        return outcome
    }

    /// A snapshot taken further from the cutoff than the input allows: a warning on the input, and the note its lines
    /// get. The time is the input's `taken_at:`, else the one the file states.
    static func snapshotSkew(_ options: InputOptions, _ collector: RecordCollector) -> String? {
        guard let cutoff = options.cutoff else { return nil }
        let stated = options.takenAt.flatMap(Timestamp.init)
        guard let taken = stated ?? collector.snapshotTime else { return nil }
        let distance =
            taken.seconds > cutoff.instant.seconds
            ? taken.seconds - cutoff.instant.seconds : cutoff.instant.seconds - taken.seconds
        guard distance > options.maxSnapshotSkewSeconds else { return nil }
        let source = stated != nil ? "taken_at" : "the file"
        let side = taken > cutoff.instant ? "after" : "before"
        collector.diagnose(
            .warning,
            "the snapshot was taken at \(taken.iso8601) (\(source)), \(Self.duration(distance)) \(side) the cutoff "
                + "(\(cutoff)); more than max_snapshot_skew \(Self.duration(options.maxSnapshotSkewSeconds))",
            at: stated == nil ? collector.snapshotLocation : nil)
        return "snapshot taken \(Self.duration(distance)) \(side) the cutoff (\(taken.iso8601))"
    }

    /// `3h 12m`, `45m`, `30s`.
    static func duration(_ seconds: Int64) -> String {
        let days = seconds / 86_400
        let hours = seconds % 86_400 / 3600
        let minutes = seconds % 3600 / 60
        var parts: [String] = []
        if days > 0 { parts.append("\(days)d") }
        if hours > 0 { parts.append("\(hours)h") }
        if minutes > 0 { parts.append("\(minutes)m") }
        if parts.isEmpty { parts.append("\(seconds % 60)s") }
        return parts.joined(separator: " ")
    }

    /// The reader for content whose format was not named.
    static func detect(
        _ prefix: ContentPrefix, file: String, setting: (String) -> String = { "`\($0):`" }
    ) throws(ReconciliationError) -> any StatementReader {
        let candidates = StatementFormats.candidates(for: prefix)
        if candidates.count == 1, let only = candidates.first { return only }
        let names = (candidates.isEmpty ? StatementFormats.all : candidates).map(\.format)
        throw ReconciliationError(
            .ingest,
            candidates.isEmpty
                ? "could not tell the format of \(file); candidates: \(names.joined(separator: ", ")) "
                    + "(set \(setting("format")); `recon formats` lists them)"
                : "could not tell the format of \(file): it fits both "
                    + names.dropLast().joined(separator: ", ") + " and \(names.last ?? ""); "
                    + "choose one with \(setting("format"))",
            at: SourceLocation(file: file))
    }
}
