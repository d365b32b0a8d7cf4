import Foundation

extension CSVStatementReader {
    /// The size of the segments a streamed ledger is cut into for summing on every core. Measured on the 10M-entry
    /// gzipped ledger (2 cores): 1, 2, 4 and 8 MiB ran within noise of each other; each step up costs about 5 MiB of
    /// peak memory (the window holds workers + 2 segments).
    static let segmentBytes = 2 << 20

    package func sumEntriesInSegments(
        _ source: any ByteSource, displayPath: String, options: InputOptions, into collector: RecordCollector
    ) -> Bool {
        sumEntriesInSegments(
            source, displayPath: displayPath, options: options, into: collector,
            workers: min(ProcessInfo.processInfo.activeProcessorCount, 16))
    }

    /// Sums a streamed entries file — a gzipped ledger, inflated by the calling thread as it goes — in segments on
    /// every core. A plain file is split by offset (``sumEntriesInRanges(path:displayPath:size:options:into:progress:)``);
    /// a stream cannot be, so it is cut as it arrives.
    ///
    /// The calling thread reads the stream into segments of about `segmentBytes`, each cut just after a line feed, and
    /// `workers` threads sum them, each on the assumption that a record starts where its segment does. That is checked,
    /// not trusted: segments are merged strictly in order, and each one's summing reads on past its end until a record
    /// starts at or after the cut. Where a record runs across the cut (a line break inside quotes), the next segment's
    /// sums are thrown away and it is summed again from where that record ended, from the segments still held. Line
    /// numbers are rebased as the segments merge, so the sums, first-seen order, row count and diagnostics are the
    /// sequential read's.
    ///
    /// Whatever a sequential read could handle differently returns `false` with `collector` untouched, and the caller
    /// reads the input again in one piece: an error that stops reading (a NUL byte, a record over the length limit),
    /// the error limit reached, a running sum leaving the exact range or not provably within it (see
    /// `EntryAggregator`'s bounds), a failing stream (a damaged gzip member), a stretch longer than the record limit
    /// without a line feed, rows filtered by a cutoff, or a ledger of mostly distinct keys (judged on the first
    /// segment).
    func sumEntriesInSegments(
        _ source: any ByteSource, displayPath: String, options: InputOptions, into collector: RecordCollector,
        workers requested: Int, segmentBytes: Int = segmentBytes
    ) -> Bool {
        guard options.fields.time == nil else { return false }
        let pipeline = SegmentPipeline(
            segmentBytes: max(segmentBytes, 64), maxRecordBytes: options.limits.maxRecordBytes,
            window: max(requested, 1) + 2)

        // The header is read from the first segment alone, so the workers know the columns before they start.
        guard let first = pipeline.produce(from: source), first.count > 0 else { return false }
        var headerScanner = CSVScanner(
            source: SegmentCursor(pipeline, segment: first, offset: 0, single: true), displayPath: displayPath,
            delimiter: options.delimiter, maxRecordBytes: options.limits.maxRecordBytes)
        guard let columns = try? resolveColumns(&headerScanner, options: options, path: displayPath) else {
            pipeline.abort()
            return false
        }
        // A segment ends with a line feed, so a header that fits in it is whole (one whose quotes stay open at its end
        // failed above).
        let headerEnd = headerScanner.nextRecordOffset
        let headerLines = headerScanner.linesRead
        _ = consume headerScanner

        let merger = SegmentMerger(
            reader: self, columns: columns, options: options, displayPath: displayPath, pipeline: pipeline,
            start: headerEnd, lines: headerLines)
        let finished = DispatchGroup()
        for _ in 0..<max(requested, 1) {
            finished.enter()
            let thread = Thread {
                defer { finished.leave() }
                var scanner = merger.scanner()
                while let segment = pipeline.nextToSum() {
                    let start = segment.index == 0 ? headerEnd : segment.offset
                    let part = merger.sum(from: start, in: segment, with: &scanner)
                    merger.deliver(part, for: segment.index)
                }
            }
            thread.name = "recon.segment"
            thread.stackSize = 1 << 20
            thread.start()
        }
        // The calling thread reads the rest of the stream, a window of segments ahead of the merge.
        while !pipeline.streamEnded {
            if pipeline.produce(from: source) == nil { break }
        }
        pipeline.waitUntilMerged()
        finished.wait()
        return merger.finish(into: collector, file: displayPath)
    }
}

/// One stretch of a streamed input, cut just after a line feed (the last one ends where the stream does).
final class StreamSegment: @unchecked Sendable {
    /// Its position in the stream.
    let index: Int
    /// The stream offset of its first byte.
    let offset: Int64
    /// Its bytes (`count` of `storage`).
    let storage: UnsafeMutableRawBufferPointer
    let count: Int
    private let pool: SegmentPipeline.BufferPool

    /// The stream offset just past its last byte.
    var end: Int64 { offset + Int64(count) }

    init(
        index: Int, offset: Int64, storage: UnsafeMutableRawBufferPointer, count: Int, pool: SegmentPipeline.BufferPool
    ) {
        self.index = index
        self.offset = offset
        self.storage = storage
        self.count = count
        self.pool = pool
    }

    deinit { pool.recycle(storage) }
}

/// The segments of one stream: read by one thread, summed by several, merged in order. Holds at most `window`
/// segments that are not merged yet, plus those a record running across several of them needs.
final class SegmentPipeline: @unchecked Sendable {
    /// Segment buffers of the standard size, reused: a fresh buffer per segment would fault every page in again.
    final class BufferPool: @unchecked Sendable {
        private let lock = NSLock()
        private var free: [UnsafeMutableRawBufferPointer] = []  // guarded by `lock`
        let size: Int

        init(size: Int) { self.size = size }

        deinit {
            for buffer in free { buffer.deallocate() }
        }

        func take() -> UnsafeMutableRawBufferPointer {
            lock.lock()
            let buffer = free.popLast()
            lock.unlock()
            return buffer ?? .allocate(byteCount: size, alignment: 64)
        }

        func recycle(_ buffer: UnsafeMutableRawBufferPointer) {
            guard buffer.count == size else {
                buffer.deallocate()
                return
            }
            lock.lock()
            free.append(buffer)
            lock.unlock()
        }
    }

    private let condition = NSCondition()
    // Guarded by `condition`:
    private var held: [Int: StreamSegment] = [:]
    private var produced = 0
    private var merged = 0
    private var nextUnsummed = 0
    private var demanded = -1
    private var ended = false
    private var aborted = false
    // Touched by the producing thread only:
    private var carry: [UInt8] = []
    private var streamOffset: Int64 = 0

    let pool: BufferPool
    private let maxSegmentBytes: Int
    private let window: Int

    init(segmentBytes: Int, maxRecordBytes: Int, window: Int) {
        pool = BufferPool(size: segmentBytes)
        // A segment grows until it holds a line feed; past a whole record's limit beyond its size, it never will.
        maxSegmentBytes = segmentBytes + max(maxRecordBytes, 1024)
        self.window = window
    }

    /// Whether the producer has read the whole stream.
    var streamEnded: Bool {
        condition.lock()
        defer { condition.unlock() }
        return ended
    }

    /// Whether summing was abandoned.
    var isAborted: Bool {
        condition.lock()
        defer { condition.unlock() }
        return aborted
    }

    /// Abandons the pipeline: the producer stops, waiting workers and cursors see the end.
    func abort() {
        condition.lock()
        aborted = true
        condition.broadcast()
        condition.unlock()
    }

    /// Reads the next segment from `source` (waiting for room in the window first) and publishes it. Returns `nil`
    /// when the stream failed, a segment found no line feed within its limit, or the pipeline was aborted.
    func produce(from source: any ByteSource) -> StreamSegment? {
        condition.lock()
        while !aborted && produced - merged >= window && produced > demanded { condition.wait() }
        let stop = aborted
        let index = produced
        condition.unlock()
        if stop { return nil }

        // The carried tail (after the last line feed of a segment that grew) may exceed the standard size.
        var storage =
            carry.count < pool.size
            ? pool.take() : .allocate(byteCount: carry.count + pool.size, alignment: 64)
        var count = 0
        if !carry.isEmpty {
            carry.withUnsafeBytes { storage.copyMemory(from: $0) }
            count = carry.count
            carry.removeAll(keepingCapacity: true)
        }
        var atEnd = false
        var cut = 0
        var searched = 0
        while true {
            if count == storage.count {
                // Full: cut after its last line feed, or grow until one arrives.
                if let last = Self.lastLineFeed(in: storage, from: searched, to: count) {
                    cut = last + 1
                    break
                }
                searched = count
                guard storage.count < maxSegmentBytes else {
                    pool.recycle(storage)
                    abort()
                    return nil
                }
                let grown = UnsafeMutableRawBufferPointer.allocate(
                    byteCount: min(storage.count * 2, maxSegmentBytes), alignment: 64)
                grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: storage[0..<count]))
                pool.recycle(storage)
                storage = grown
            }
            let got: Int
            do {
                got = try source.read(into: UnsafeMutableRawBufferPointer(rebasing: storage[count...]))
            } catch {
                pool.recycle(storage)
                abort()
                return nil
            }
            if got == 0 {
                atEnd = true
                cut = count
                break
            }
            count += got
        }
        if cut < count {
            carry.append(contentsOf: UnsafeRawBufferPointer(rebasing: storage[cut..<count]))
        }
        let segment = StreamSegment(index: index, offset: streamOffset, storage: storage, count: cut, pool: pool)
        streamOffset += Int64(cut)

        condition.lock()
        if cut > 0 || index == 0 {
            held[index] = segment
            produced += 1
        }
        if atEnd { ended = true }
        condition.broadcast()
        condition.unlock()
        return segment
    }

    private static func lastLineFeed(in buffer: UnsafeMutableRawBufferPointer, from start: Int, to end: Int) -> Int? {
        // The last line of a segment is short: a backward walk finds its line feed in a few bytes.
        var position = end - 1
        while position >= start {
            if buffer[position] == 0x0A { return position }
            position -= 1
        }
        return nil
    }

    /// The next segment no worker has taken, waiting for it to be read; `nil` once every segment is taken and the
    /// stream has ended, or the pipeline was aborted.
    func nextToSum() -> StreamSegment? {
        condition.lock()
        defer { condition.unlock() }
        while !aborted && nextUnsummed >= produced && !ended { condition.wait() }
        guard !aborted, nextUnsummed < produced, let segment = held[nextUnsummed] else { return nil }
        nextUnsummed += 1
        return segment
    }

    /// Segment `index`, waiting for it to be read, for a reader that started in segment `origin`; `nil` past the end
    /// of the stream or once aborted. The reader of the oldest segment not merged yet may have the window exceeded
    /// (its record runs across more segments than the window holds, and nothing merges until it ends); any other
    /// waits for the window to move, so a worker running ahead of a stalled one cannot grow the window.
    func segment(_ index: Int, from origin: Int) -> StreamSegment? {
        condition.lock()
        defer { condition.unlock() }
        while !aborted && index >= produced && !ended {
            if origin <= merged && index > demanded {
                demanded = index
                condition.broadcast()
            }
            condition.wait()
        }
        guard !aborted else { return nil }
        return held[index]
    }

    /// Marks segment `index` merged: it leaves the window (a reader of the next one may now exceed it).
    func release(_ index: Int) {
        condition.lock()
        held[index] = nil
        merged = max(merged, index + 1)
        condition.broadcast()
        condition.unlock()
    }

    /// The segment `index` if it is still held (a record running across segments needs those after its own).
    func held(_ index: Int) -> StreamSegment? {
        condition.lock()
        defer { condition.unlock() }
        return held[index]
    }

    /// Waits until every segment read is merged, or the pipeline is aborted.
    func waitUntilMerged() {
        condition.lock()
        while !aborted && !(ended && merged >= produced) { condition.wait() }
        // Workers waiting for more see the end.
        condition.broadcast()
        condition.unlock()
    }
}

/// Reads a stream's segments in order from a starting point, for one scanner; with `single`, the first segment only.
final class SegmentCursor: ByteSource {
    private let pipeline: SegmentPipeline
    private var segment: StreamSegment?
    private var index: Int
    private var offset: Int
    private let single: Bool
    private let origin: Int

    /// Reads from `offset` in `segment` on; without a segment, nothing.
    init(_ pipeline: SegmentPipeline, segment: StreamSegment?, offset: Int = 0, single: Bool = false) {
        self.pipeline = pipeline
        self.segment = segment
        self.index = segment?.index ?? -1
        origin = index
        self.offset = offset
        self.single = single || segment == nil
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReconciliationError) -> Int {
        guard let destination = buffer.baseAddress, buffer.count > 0 else { return 0 }
        while true {
            if segment == nil {
                if single { return 0 }
                guard let next = pipeline.segment(index, from: origin) else { return 0 }
                segment = next
                offset = 0
            }
            guard let current = segment, let base = current.storage.baseAddress else { return 0 }
            let count = min(buffer.count, current.count - offset)
            if count > 0 {
                destination.copyMemory(from: base + offset, byteCount: count)
                offset += count
                return count
            }
            segment = nil
            index += 1
        }
    }
}

/// Sums segments and merges the sums in stream order, checking each cut.
final class SegmentMerger: @unchecked Sendable {
    /// One segment's sums, from where it was assumed (or found) to start.
    final class Part: @unchecked Sendable {
        var aggregator = EntryAggregator(tracksBounds: true)
        var collector: RecordCollector
        var rows = 0
        var end = CSVStatementReader.RangeEnd.end
        /// Where the record after its last one starts, and the lines up to there (for `.boundary` and `.overran`).
        var next: Int64 = 0
        var lines = 0
        var failure: ReconciliationError?
        /// Where it started.
        var start: Int64 = 0

        init(maxErrors: Int) { collector = RecordCollector(kind: .entries, maxErrors: maxErrors) }
    }

    /// A first segment of at least this many rows tells whether the ledger's keys repeat enough to be summed in
    /// segments (2 MiB of a typical ledger is about 45,000 rows).
    static let judgedRows = 10_000

    private let reader: CSVStatementReader
    private let columns: CSVStatementReader.Columns
    private let options: InputOptions
    private let displayPath: String
    private let pipeline: SegmentPipeline

    private let condition = NSCondition()
    // Guarded by `condition`:
    private var delivered: [Int: Part] = [:]
    private var merging = false
    private var nextToMerge = 0
    private var spare: [Part] = []

    // Touched only by the thread holding the merge (`merging`):
    private var total = EntryAggregator()
    private let merged: RecordCollector
    private var rows = 0
    /// Where the next record starts, as checked, and the lines before it.
    private var verified: Int64
    private var lineOffset: Int
    private var failed = false

    init(
        reader: CSVStatementReader, columns: CSVStatementReader.Columns, options: InputOptions, displayPath: String,
        pipeline: SegmentPipeline, start: Int64, lines: Int
    ) {
        self.reader = reader
        self.columns = columns
        self.options = options
        self.displayPath = displayPath
        self.pipeline = pipeline
        merged = RecordCollector(kind: .entries, maxErrors: options.limits.maxErrors)
        verified = start
        lineOffset = lines
    }

    /// A scanner for ``sum(from:in:with:)``, which restarts it on each segment.
    func scanner() -> CSVScanner {
        CSVScanner(
            source: SegmentCursor(pipeline, segment: nil), displayPath: displayPath, delimiter: options.delimiter,
            maxRecordBytes: options.limits.maxRecordBytes)
    }

    /// Sums `segment` from stream offset `start` until a record starts at or after the segment's end.
    func sum(from start: Int64, in segment: StreamSegment, with scanner: inout CSVScanner) -> Part {
        condition.lock()
        let part = spare.popLast() ?? Part(maxErrors: options.limits.maxErrors)
        condition.unlock()
        part.start = start
        do throws(ReconciliationError) {
            scanner.restart(
                source: SegmentCursor(pipeline, segment: segment, offset: Int(start - segment.offset)),
                startOffset: start)
            var window: RowWindow?
            (part.rows, part.end) = try reader.sumEntries(
                &scanner, columns: columns, syntax: options.amountSyntax, into: &part.aggregator,
                collector: part.collector, window: &window, stopAt: segment.end)
            part.next = scanner.recordOffset
            part.lines = scanner.line - 1
        } catch {
            part.failure = error
        }
        // The scanner is kept for the next segment: it must not keep this one alive meanwhile.
        scanner.restart(source: SegmentCursor(pipeline, segment: nil), startOffset: 0)
        return part
    }

    /// Hands in segment `index`'s sums; whichever thread finds the next segment in order merges every one ready.
    func deliver(_ part: Part, for index: Int) {
        condition.lock()
        delivered[index] = part
        guard !merging else {
            condition.unlock()
            return
        }
        merging = true
        while let next = delivered.removeValue(forKey: nextToMerge) {
            let position = nextToMerge
            condition.unlock()
            if !failed, !merge(next, segment: position) {
                failed = true
                pipeline.abort()
            }
            recycle(next)
            pipeline.release(position)
            condition.lock()
            nextToMerge += 1
        }
        merging = false
        condition.unlock()
    }

    /// Merges segment `index`'s sums, first checking it started where the segment before actually ended; `false` when
    /// the sequential read must decide.
    private func merge(_ speculative: Part, segment index: Int) -> Bool {
        guard let segment = pipeline.held(index) else { return false }
        var part = speculative
        if speculative.start != verified {
            // Inside a record that ran across the whole segment: nothing of it is summed.
            if verified >= segment.end { return true }
            // A record ran across the cut: sum this segment again from where it ended.
            var scanner = scanner()
            part = sum(from: verified, in: segment, with: &scanner)
        }
        if part.failure != nil || part.aggregator.overflowed || part.collector.shouldStop { return false }
        // Each segment's keys are merged once more: worth it while segments repeat keys. A ledger of mostly distinct
        // keys (1.5M keys over 3M entries) spent more merging than summing in parallel saved, and every segment's
        // table held its keys: judged on the first whole segment, it is read in one piece (a few megabytes wasted).
        if index == 0, part.rows >= SegmentMerger.judgedRows, part.aggregator.count * 4 > part.rows { return false }
        for diagnostic in part.collector.diagnostics {
            let location = diagnostic.location.map {
                SourceLocation(file: $0.file, line: $0.line + lineOffset, column: $0.column)
            }
            merged.diagnose(diagnostic.severity, diagnostic.message, at: location)
        }
        // The limit counts across segments: reached here, the sequential read stops at a row inside this one.
        guard !merged.shouldStop else { return false }
        do throws(EntryAggregator.Failure) {
            try total.merge(part.aggregator, lineOffset: lineOffset)
        } catch {
            return false
        }
        rows += part.rows
        switch part.end {
        case .boundary, .overran:
            verified = part.next
            lineOffset += part.lines
        case .end:
            verified = .max
        case .stopped:
            return false
        }
        if part !== speculative { recycle(part) }
        return true
    }

    /// Empties `part` (keeping its table's memory) for the next segment.
    private func recycle(_ part: Part) {
        part.aggregator.removeAll()
        part.collector = RecordCollector(kind: .entries, maxErrors: options.limits.maxErrors)
        (part.rows, part.end, part.failure) = (0, .end, nil)
        condition.lock()
        spare.append(part)
        condition.unlock()
    }

    /// After every segment merged: the sums into `collector`, or `false` (nothing added) when summing was abandoned.
    func finish(into collector: RecordCollector, file: String) -> Bool {
        guard !failed, !pipeline.isAborted, verified == .max else { return false }
        for diagnostic in merged.diagnostics {
            collector.diagnose(diagnostic.severity, diagnostic.message, at: diagnostic.location)
        }
        collector.countRows(rows)
        let records = total.records(file: file)
        total = EntryAggregator()  // its table is freed before the collector indexes the records
        collector.add(contentsOf: records)
        return true
    }
}
