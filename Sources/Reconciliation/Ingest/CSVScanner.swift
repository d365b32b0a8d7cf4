import CReconSystem

/// A byte-level RFC 4180 record scanner over a ``ByteSource``.
///
/// Handles quoted fields (with `""` escapes, delimiters and line breaks inside), CRLF and LF line ends, a UTF-8 BOM,
/// blank lines and a missing final line end. Fields are handed out as byte slices of the scanner's buffer, valid until
/// the next call to ``next()``: no `String` is made per field, which is what lets a ledger of millions of rows parse at
/// hundreds of MB/s (yaslab/CSV.swift manages ~9 MB/s and SwiftCSV loads whole files).
///
/// Memory is one buffer that grows only to hold the longest record, up to `maxRecordBytes`.
package struct CSVScanner: ~Copyable {
    /// The path shown in messages.
    package let displayPath: String
    private var source: any ByteSource
    private let delimiter: UInt8
    private let maxRecordBytes: Int
    private var buffer: UnsafeMutableRawBufferPointer
    private var dataEnd = 0
    private var position = 0
    private var sourceEnded = false
    private var atStart: Bool
    /// Physical line where the next record starts.
    private var nextLine = 1
    /// Byte offset (within the current physical line) where each field starts, for columns in messages.
    private var lineStart = 0

    private var fieldStarts: UnsafeMutablePointer<Int>
    private var fieldEnds: UnsafeMutablePointer<Int>
    private var fieldEscaped: UnsafeMutablePointer<Bool>
    private var fieldCapacity = 64
    /// Where the bytes that end an unquoted field (the delimiter, CR, LF, NUL) are in one 64-byte block of the buffer:
    /// bit `i` of `blockStops` is set when `buffer[stopsBlock + i]` is one. `-1`: no block yet (or the buffer changed).
    private var stopsBlock = -1
    private var blockStops: UInt64 = 0

    /// The number of fields in the current record.
    package private(set) var fieldCount = 0
    /// The physical line the current record starts on (1-based).
    package private(set) var line = 0
    private var recordStart = 0
    private var recordLineStart = 0
    /// The offset in the whole file of `buffer[0]`.
    private var bufferBase: Int64

    /// The offset in the file where the current record starts.
    package var recordOffset: Int64 { bufferBase + Int64(recordStart) }

    /// The offset in the file where the next record starts (after the current one).
    package var nextRecordOffset: Int64 { bufferBase + Int64(position) }

    /// The physical lines read so far, up to ``nextRecordOffset`` (a quoted line break counts).
    package var linesRead: Int { nextLine - 1 }

    /// The largest number of fields a record may have.
    package static let maxFields = 4096

    /// Bytes allocated past the buffer's capacity, so readers may load a field 8 bytes at a time and the scanner a
    /// whole 64-byte block past the data's end.
    static let padding = 64

    /// Creates a scanner reading `source`. A source that starts inside a file (a range read in parallel) gives its
    /// `startOffset`; such a source starts at a record boundary and has no byte order mark.
    package init(
        source: any ByteSource, displayPath: String, delimiter: UInt8 = UInt8(ascii: ","), chunkSize: Int = 1 << 20,
        maxRecordBytes: Int = 4 << 20, startOffset: Int64 = 0
    ) {
        self.source = source
        bufferBase = startOffset
        atStart = startOffset == 0
        self.displayPath = displayPath
        self.delimiter = delimiter
        self.maxRecordBytes = max(maxRecordBytes, 1024)
        // A small file gets a buffer its size, not a chunk: 10,000 statement files of a few kilobytes each
        // allocated (and the allocator kept) a megabyte apiece. The buffer still grows for a longer record.
        let fits = source.remainingBytesHint.map { Int(clamping: $0) + 2 * Self.padding } ?? chunkSize
        buffer = UnsafeMutableRawBufferPointer.allocate(
            byteCount: min(chunkSize, self.maxRecordBytes, max(fits, 4096)) + Self.padding, alignment: 64)
        // Blocks are read whole past the data's end (those bits are dropped): the bytes there are never uninitialized.
        buffer.initializeMemory(as: UInt8.self, repeating: 0)
        fieldStarts = .allocate(capacity: 64)
        fieldEnds = .allocate(capacity: 64)
        fieldEscaped = .allocate(capacity: 64)
    }

    /// Starts over on `source` at stream offset `startOffset` (the next segment of a stream), keeping the buffers: a
    /// megabyte allocated per segment would fault every page in again.
    package mutating func restart(source: any ByteSource, startOffset: Int64) {
        self.source = source
        bufferBase = startOffset
        atStart = startOffset == 0
        dataEnd = 0
        position = 0
        sourceEnded = false
        nextLine = 1
        lineStart = 0
        fieldCount = 0
        line = 0
        recordStart = 0
        recordLineStart = 0
        stopsBlock = -1
    }

    deinit {
        buffer.deallocate()
        fieldStarts.deallocate()
        fieldEnds.deallocate()
        fieldEscaped.deallocate()
    }

    /// The bytes of field `index` of the current record, unquoted and unescaped.
    @inline(__always)
    package mutating func field(_ index: Int) -> UnsafeRawBufferPointer {
        if !fieldEscaped[index], let base = buffer.baseAddress {
            let start = fieldStarts[index]
            return UnsafeRawBufferPointer(start: base + start, count: fieldEnds[index] - start)
        }
        return unescapeField(index)
    }

    /// `""` inside a quoted field stands for one quote: unescapes field `index` in place (the slice only shrinks).
    @inline(never)
    private mutating func unescapeField(_ index: Int) -> UnsafeRawBufferPointer {
        let start = fieldStarts[index]
        let end = fieldEnds[index]
        var write = start
        var read = start
        while read < end {
            buffer[write] = buffer[read]
            read += buffer[read] == UInt8(ascii: "\"") ? 2 : 1
            write += 1
        }
        fieldEnds[index] = write
        fieldEscaped[index] = false
        return UnsafeRawBufferPointer(rebasing: UnsafeRawBufferPointer(buffer)[start..<write])
    }

    /// Field `index` as a string (invalid UTF-8 repaired), for headers and messages, not the hot path.
    package mutating func string(_ index: Int) -> String {
        String(decoding: field(index), as: UTF8.self)
    }

    /// The 1-based column (in bytes from the line start) where field `index` starts.
    package func column(of index: Int) -> Int {
        guard index < fieldCount else { return 1 }
        var start = fieldStarts[index]
        if start > recordStart, buffer[start - 1] == UInt8(ascii: "\"") { start -= 1 }
        return start - recordLineStart + 1
    }

    /// The location of field `index` of the current record.
    package func location(of index: Int) -> SourceLocation {
        SourceLocation(file: displayPath, line: line, column: column(of: index))
    }

    /// Moves to the next record, skipping blank lines; `false` at the end of the input.
    package mutating func next() throws(ReconciliationError) -> Bool {
        while true {
            if let found = try scanRecord() {
                if found { return true }
                continue  // blank line
            }
            // Need more bytes.
            if sourceEnded { return false }
            try refill()
        }
    }

    private mutating func refill() throws(ReconciliationError) {
        stopsBlock = -1
        // Keep the unfinished record, moved to the front.
        let keep = dataEnd - position
        if position > 0 {
            if keep > 0, let base = buffer.baseAddress { base.copyMemory(from: base + position, byteCount: keep) }
            lineStart -= position
            bufferBase += Int64(position)
            position = 0
            dataEnd = keep
        }
        if dataEnd == buffer.count - Self.padding {
            // The record does not fit: grow, up to the limit.
            guard buffer.count - Self.padding < maxRecordBytes else {
                throw ReconciliationError(
                    .ingest,
                    "record is longer than \(maxRecordBytes) bytes (limit `limits.max_line_bytes`); is this a CSV file?",
                    at: SourceLocation(file: displayPath, line: nextLine))
            }
            let grown = UnsafeMutableRawBufferPointer.allocate(
                byteCount: min((buffer.count - Self.padding) * 2, maxRecordBytes) + Self.padding, alignment: 64)
            grown.initializeMemory(as: UInt8.self, repeating: 0)
            grown.copyMemory(from: UnsafeRawBufferPointer(rebasing: buffer[0..<dataEnd]))
            buffer.deallocate()
            buffer = grown
        }
        let room = UnsafeMutableRawBufferPointer(rebasing: buffer[dataEnd..<(buffer.count - Self.padding)])
        let count = try source.read(into: room)
        if count == 0 { sourceEnded = true }
        dataEnd += count
        if atStart && (dataEnd >= 3 || sourceEnded) {
            try skipByteOrderMark()
        }
    }

    private mutating func skipByteOrderMark() throws(ReconciliationError) {
        atStart = false
        if dataEnd >= 2 && (buffer[0] == 0xFF && buffer[1] == 0xFE || buffer[0] == 0xFE && buffer[1] == 0xFF) {
            throw ReconciliationError(
                .ingest, "the file is UTF-16; save it as UTF-8", at: SourceLocation(file: displayPath, line: 1))
        }
        if dataEnd >= 3 && buffer[0] == 0xEF && buffer[1] == 0xBB && buffer[2] == 0xBF {
            position = 3
            lineStart = 3
        }
    }

    @inline(__always)
    private mutating func addField(_ start: Int, _ end: Int, escaped: Bool) throws(ReconciliationError) {
        if fieldCount == fieldCapacity { try growFields() }
        fieldStarts[fieldCount] = start
        fieldEnds[fieldCount] = end
        fieldEscaped[fieldCount] = escaped
        fieldCount += 1
    }

    @inline(never)
    private mutating func growFields() throws(ReconciliationError) {
        guard fieldCapacity < Self.maxFields else {
            throw ReconciliationError(
                .ingest, "record has more than \(Self.maxFields) fields",
                at: SourceLocation(file: displayPath, line: nextLine))
        }
        let capacity = fieldCapacity * 2
        let starts = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
        let ends = UnsafeMutablePointer<Int>.allocate(capacity: capacity)
        let escapes = UnsafeMutablePointer<Bool>.allocate(capacity: capacity)
        starts.update(from: fieldStarts, count: fieldCount)
        ends.update(from: fieldEnds, count: fieldCount)
        escapes.update(from: fieldEscaped, count: fieldCount)
        fieldStarts.deallocate()
        fieldEnds.deallocate()
        fieldEscaped.deallocate()
        fieldStarts = starts
        fieldEnds = ends
        fieldEscaped = escapes
        fieldCapacity = capacity
    }

    /// Bit `i` set where byte `i` of the 64 at `block` ends an unquoted field (the delimiter, LF, CR or NUL).
    ///
    /// A record's fields are then found by counting trailing zeros, with no loop whose length depends on the field
    /// (the eight-byte search this replaced mispredicted at every field's end; `recon_scan.h` says why it is C).
    @inline(__always)
    static func stopBits(_ block: UnsafeRawPointer, delimiter: UInt8) -> UInt64 {
        recon_stop_bits(block, delimiter)
    }

    /// ``stopBits(_:delimiter:)`` as computed where SSE2 is missing (for tests: both must agree).
    static func portableStopBits(_ block: UnsafeRawPointer, delimiter: UInt8) -> UInt64 {
        recon_stop_bits_portable(block, delimiter)
    }

    /// Scans one record at `position`: `true` for a record, `false` for a blank line, `nil` when the buffer ends first
    /// (and more input may follow).
    private mutating func scanRecord() throws(ReconciliationError) -> Bool? {
        if atStart { return nil }
        let end = dataEnd
        let final = sourceEnded
        var cursor = position
        guard cursor < end else { return nil }
        let bytes = UnsafeRawBufferPointer(buffer)
        guard let base = bytes.baseAddress else { return nil }
        let delimiter = self.delimiter
        var newlinesInside = 0
        fieldCount = 0

        // Blank line.
        if bytes[cursor] == 0x0A || bytes[cursor] == 0x0D {
            if bytes[cursor] == 0x0D {
                if cursor + 1 == end && !final { return nil }
                if cursor + 1 < end && bytes[cursor + 1] == 0x0A { cursor += 1 }
            }
            position = cursor + 1
            lineStart = position
            nextLine += 1
            return false
        }

        fields: while true {
            if cursor < end && bytes[cursor] == UInt8(ascii: "\"") {
                // Quoted field.
                let contentStart = cursor + 1
                var scan = contentStart
                var escaped = false
                while true {
                    while scan < end && bytes[scan] != UInt8(ascii: "\"") {
                        if bytes[scan] == 0x0A { newlinesInside += 1 }
                        scan += 1
                    }
                    if scan == end {
                        if final {
                            throw ReconciliationError(
                                .ingest, "quoted field is not closed before the end of the file",
                                at: SourceLocation(file: displayPath, line: nextLine, column: cursor - lineStart + 1))
                        }
                        return nil
                    }
                    if scan + 1 < end && bytes[scan + 1] == UInt8(ascii: "\"") {
                        escaped = true
                        scan += 2
                        continue
                    }
                    if scan + 1 == end && !final { return nil }
                    break
                }
                try addField(contentStart, scan, escaped: escaped)
                cursor = scan + 1
                if cursor == end {
                    if !final { return nil }
                    break fields
                }
                let next = bytes[cursor]
                if next == delimiter {
                    cursor += 1
                    continue fields
                }
                if next == 0x0A || next == 0x0D { break fields }
                throw ReconciliationError(
                    .ingest,
                    "unexpected '\(displayString(UnsafeRawBufferPointer(rebasing: bytes[cursor..<(cursor + 1)]), limit: 1))' after a closing quote",
                    at: SourceLocation(
                        file: displayPath, line: nextLine + newlinesInside, column: cursor - lineStart + 1))
            }
            // Unquoted field: run to the next delimiter, line end or NUL, from the block's stop bits. A block may
            // reach past the data's end (into the padding): a stop found there counts as the end.
            let start = cursor
            while true {
                let block = cursor & ~63
                if block != stopsBlock {
                    stopsBlock = block
                    blockStops = Self.stopBits(base + block, delimiter: delimiter)
                }
                let ahead = blockStops & (UInt64.max << UInt64(cursor & 63))
                if ahead != 0 {
                    cursor = min(block + ahead.trailingZeroBitCount, end)
                    break
                }
                cursor = block + 64
                if cursor >= end {
                    cursor = end
                    break
                }
            }
            if cursor == end {
                if !final { return nil }
                try addField(start, cursor, escaped: false)
                break fields
            }
            let stop = bytes[cursor]
            if stop == 0 {
                throw ReconciliationError(
                    .ingest, "NUL byte in the data (a binary or UTF-16 file?)",
                    at: SourceLocation(
                        file: displayPath, line: nextLine + newlinesInside, column: cursor - lineStart + 1))
            }
            try addField(start, cursor, escaped: false)
            if stop == delimiter {
                cursor += 1
                continue fields
            }
            break fields
        }

        // At a line end or the end of input.
        if cursor < end && bytes[cursor] == 0x0D {
            if cursor + 1 == end && !final { return nil }
            if cursor + 1 < end && bytes[cursor + 1] == 0x0A { cursor += 1 }
        }
        line = nextLine
        recordStart = position
        recordLineStart = lineStart
        nextLine += 1 + newlinesInside
        position = min(cursor + 1, end)
        lineStart = position
        return true
    }
}
