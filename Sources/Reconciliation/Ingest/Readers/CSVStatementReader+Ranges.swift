import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

extension CSVStatementReader {
    /// Plain files at least this large are summed in parallel ranges.
    static let parallelThreshold: Int64 = 32 << 20

    /// A plain CSV ledger can be summed in ranges.
    package var readsEntriesInRanges: Bool { true }

    package func sumEntriesInRanges(
        path: String, displayPath: String, size: Int64, options: InputOptions, into collector: RecordCollector,
        progress: ByteCounter
    ) throws(ReconciliationError) -> Bool {
        try sumEntriesInRanges(
            path: path, displayPath: displayPath, size: size, options: options, into: collector, progress: progress,
            workers: ProcessInfo.processInfo.activeProcessorCount)
    }

    /// Sums a large uncompressed entries file in ranges, one thread per core.
    ///
    /// Each range after the first is assumed to start after the first line break past its nominal offset. That is
    /// checked, not trusted: the range before it reads on until a record starts exactly there, and if a record runs
    /// across (a line break inside quotes), the result is discarded and this returns `false` so the file is read in one
    /// piece. Line numbers are rebased once every range has counted its lines. Errors that a sequential read would
    /// handle differently (the error limit reached across ranges, a sum overflowing on merge) also return `false`.
    /// Returns `true` when the ranges reconciled and everything is in `collector`.
    func sumEntriesInRanges(
        path: String, displayPath: String, size: Int64, options: InputOptions, into collector: RecordCollector,
        progress: ByteCounter, workers requested: Int
    ) throws(ReconciliationError) -> Bool {
        // Rows filtered by a cutoff are counted per file: read in one piece.
        guard options.fields.time == nil else { return false }
        var scanner = CSVScanner(
            source: try FileByteSource(path: path, displayPath: displayPath, progress: progress, hashing: false),
            displayPath: displayPath, delimiter: options.delimiter, maxRecordBytes: options.limits.maxRecordBytes)
        let columns = try resolveColumns(&scanner, options: options, path: displayPath)
        let dataStart = scanner.nextRecordOffset

        // Range starts: the byte after the first line break at or after each nominal offset.
        let workers = max(1, min(requested, 16))
        var starts: [Int64] = [dataStart]
        for index in 1..<max(workers, 2) where workers > 1 {
            let nominal = dataStart + (size - dataStart) * Int64(index) / Int64(workers)
            guard let next = try Self.lineStart(after: nominal, in: path, displayPath: displayPath) else { continue }
            if next < size && next > (starts.last ?? 0) { starts.append(next) }
        }
        guard starts.count > 1 else { return false }
        let rangeStarts = starts

        final class Range: @unchecked Sendable {
            var aggregator: EntryAggregator
            var rows = 0
            var end = RangeEnd.end
            var failure: ReconciliationError?
            let collector: RecordCollector

            init(maxErrors: Int, first: Bool) {
                collector = RecordCollector(kind: .entries, maxErrors: maxErrors)
                // The first range's running sums are the sequential read's; the others' start from zero.
                aggregator = EntryAggregator(tracksBounds: !first)
            }
        }
        let ranges = starts.indices.map { Range(maxErrors: options.limits.maxErrors, first: $0 == 0) }
        let syntax = options.amountSyntax
        let reader = self
        let work: @Sendable (Int, inout CSVScanner) -> Void = { index, scanner in
            let range = ranges[index]
            do throws(ReconciliationError) {
                var window: RowWindow?
                (range.rows, range.end) = try reader.sumEntries(
                    &scanner, columns: columns, syntax: syntax, into: &range.aggregator, collector: range.collector,
                    window: &window, stopAt: index + 1 < rangeStarts.count ? rangeStarts[index + 1] : nil)
            } catch {
                range.failure = error
            }
        }
        let finished = DispatchGroup()
        for index in 1..<rangeStarts.count {
            finished.enter()
            let thread = Thread {
                defer { finished.leave() }
                do throws(ReconciliationError) {
                    var rangeScanner = CSVScanner(
                        source: try FileByteSource(
                            path: path, displayPath: displayPath, progress: progress, hashing: false,
                            startOffset: rangeStarts[index]),
                        displayPath: displayPath, delimiter: options.delimiter,
                        maxRecordBytes: options.limits.maxRecordBytes, startOffset: rangeStarts[index])
                    work(index, &rangeScanner)
                } catch {
                    ranges[index].failure = error
                }
            }
            thread.name = "recon.range"
            thread.stackSize = 1 << 20
            thread.start()
        }
        work(0, &scanner)
        finished.wait()

        // A range that stopped on an error (a NUL byte, a record over the length limit) counted its lines from its own
        // start, and the rows before it were never merged: the sequential read says where, with what came before.
        // A sum refused in a later range started from zero there, not from the rows before it: the sequential read
        // decides that row too.
        if ranges.contains(where: { $0.failure != nil })
            || ranges.dropFirst().contains(where: { $0.aggregator.overflowed })
        {
            return false
        }
        // Every range but the last must have stopped exactly where the next one started.
        var lineOffsets = [0]
        for (index, range) in ranges.enumerated() {
            switch range.end {
            case .boundary(let lines) where index + 1 < ranges.count:
                lineOffsets.append((lineOffsets.last ?? 0) + lines)
            case .end where index + 1 == ranges.count:
                break
            default:
                return false
            }
        }

        // Each range counted errors against the limit on its own; a sequential read stops at the limit overall.
        guard ranges.reduce(0, { $0 + $1.collector.errorCount }) < options.limits.maxErrors else { return false }

        let first = ranges[0]
        for (index, range) in ranges.enumerated().dropFirst() {
            do throws(EntryAggregator.Failure) {
                try first.aggregator.merge(range.aggregator, lineOffset: lineOffsets[index])
                range.aggregator = EntryAggregator()
            } catch {
                // A sum leaving the exact range: the sequential read names the row where it happened.
                return false
            }
        }
        // Nothing reaches `collector` before this point, so a `false` above leaves it untouched.
        for (index, range) in ranges.enumerated() {
            for diagnostic in range.collector.diagnostics {
                let location = diagnostic.location.map {
                    SourceLocation(file: $0.file, line: $0.line + lineOffsets[index], column: $0.column)
                }
                collector.diagnose(diagnostic.severity, diagnostic.message, at: location)
            }
        }
        collector.countRows(ranges.reduce(0) { $0 + $1.rows })
        let records = first.aggregator.records(file: displayPath)
        first.aggregator = EntryAggregator()  // its table is freed before the collector indexes the records
        collector.add(contentsOf: records)
        return true
    }

    /// The offset just past the first line break at or after `offset`, or `nil` when there is none.
    static func lineStart(after offset: Int64, in path: String, displayPath: String) throws(ReconciliationError)
        -> Int64?
    {
        let descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw ReconciliationError(
                .ingest, "cannot open: \(systemErrorMessage(errno))", at: SourceLocation(file: displayPath))
        }
        defer { close(descriptor) }
        var buffer = [UInt8](repeating: 0, count: 1 << 16)
        var position = offset
        while true {
            let count = buffer.withUnsafeMutableBytes { pread(descriptor, $0.baseAddress, $0.count, off_t(position)) }
            if count <= 0 { return nil }
            if let newline = buffer[0..<count].firstIndex(of: 0x0A) { return position + Int64(newline) + 1 }
            position += Int64(count)
        }
    }
}
