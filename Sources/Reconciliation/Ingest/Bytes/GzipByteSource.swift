import CIsal
import CZlib

/// Limits that keep a hostile compressed input from taking unbounded time or memory.
package struct InflateLimits: Sendable, Hashable {
    /// The most bytes one input may inflate to.
    package var maxInflatedBytes: Int64
    /// The highest inflated/compressed ratio accepted once more than `ratioGraceBytes` have been produced.
    package var maxRatio: Int64
    /// Output below this size is never judged by ratio (tiny files compress oddly).
    package var ratioGraceBytes: Int64

    /// Creates limits.
    package init(maxInflatedBytes: Int64 = 64 << 30, maxRatio: Int64 = 200, ratioGraceBytes: Int64 = 1 << 20) {
        self.maxInflatedBytes = maxInflatedBytes
        self.maxRatio = maxRatio
        self.ratioGraceBytes = ratioGraceBytes
    }

    /// 64 GiB of output at most, and at most 200 bytes out per byte in.
    package static let standard = InflateLimits()
}

/// Which inflater a ``GzipByteSource`` drives.
package enum InflateEngineKind: String, Sendable, CaseIterable {
    /// Intel ISA-L (`isal_inflate`): what every run uses.
    case isal
    /// zlib: the oracle the differential test compares ISA-L with.
    case zlib
}

/// Inflates a gzip stream in a streaming loop, with ISA-L by default.
///
/// Handles concatenated members (what `cat a.gz b.gz` and parallel compressors produce). A stream that ends inside a
/// member, corrupt data, or bytes after the last member that are not another member are errors naming the file and
/// the compressed byte offset. The loop, the member boundaries, the header checks and every message are shared by
/// both engines, and where ISA-L fails the file is reread by zlib (``read(into:)``), so a file fails with zlib's
/// verdict whichever engine read it and however its bytes arrived. Valid files read to the same bytes with both; the
/// one known difference is a Huffman code zlib calls incomplete, which ISA-L decodes to the bytes the member's CRC-32
/// and length vouch for (``incompleteCodeMessages``). The differential test and the fuzz target hold them to that.
/// zlib and ISA-L are used directly: compress-nio loops forever on multi-member files and accepts truncated ones.
package final class GzipByteSource: ByteSource {
    private let upstream: any ByteSource
    private let displayPath: String
    private let limits: InflateLimits
    /// The compressed stream's whole size: what the ratio cap is judged against.
    private let compressedSize: Int64
    private let engine: any InflateEngine
    private let input: UnsafeMutableRawBufferPointer
    private var upstreamEnded = false
    private var upstreamBytes: Int64 = 0
    private var inflatedBytes: Int64 = 0
    /// Where the member being inflated starts in the compressed file.
    private var memberStart: Int64 = 0
    /// Before the first member's header, or after a member's trailer.
    private var betweenMembers = true
    private var finished = false
    /// Opens the compressed stream again from its first byte: where ISA-L fails, zlib decides (see ``read(into:)``).
    private let reopen: (() throws(ReconciliationError) -> any ByteSource)?
    /// zlib over the reopened stream, once ISA-L has failed; every later read comes from it.
    private var fallback: GzipByteSource?
    private let engineKind: InflateEngineKind
    /// The inflated bytes handed out so far, and their CRC-32 (kept only where a fallback may need to check them).
    private var delivered: Int64 = 0
    private var deliveredCRC: UInt32 = 0
    /// Why the fallback itself failed: every later read says so again, rather than looking like the end.
    private var fallbackFailure: ReconciliationError?

    /// Wraps `upstream`, whose bytes are a gzip stream of `compressedSize` bytes.
    ///
    /// The ratio cap compares what has been inflated so far with the whole compressed size, not with how far the
    /// engine has read: ISA-L reads ahead by an amount that depends on how the bytes arrive, and a cap judged on it
    /// refused a file read in small pieces that it let through read whole (the gzip fuzz target found it).
    package init(
        upstream: any ByteSource, displayPath: String, compressedSize: Int64, limits: InflateLimits = .standard,
        engine: InflateEngineKind = .isal, reopen: (() throws(ReconciliationError) -> any ByteSource)? = nil
    ) throws(ReconciliationError) {
        self.upstream = upstream
        self.compressedSize = compressedSize
        self.reopen = reopen
        self.engineKind = engine
        self.displayPath = displayPath
        self.limits = limits
        switch engine {
        case .isal: self.engine = IsalEngine()
        case .zlib:
            guard let zlib = ZlibEngine() else {
                throw ReconciliationError(.ingest, "cannot start zlib", at: SourceLocation(file: displayPath))
            }
            self.engine = zlib
        }
        self.input = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 18, alignment: 64)
    }

    deinit {
        input.deallocate()
    }

    /// The compressed offset the engine has consumed up to.
    private var compressedOffset: Int64 { upstreamBytes - Int64(engine.availableInput) }

    private func refill() throws(ReconciliationError) {
        // Keep what the engine has not consumed yet at the front.
        let pending = engine.availableInput
        if pending > 0, let next = engine.nextInput, let base = input.baseAddress {
            base.copyMemory(from: next, byteCount: pending)
        }
        let room = UnsafeMutableRawBufferPointer(rebasing: input[pending...])
        let count = try upstream.read(into: room)
        if count == 0 { upstreamEnded = true }
        upstreamBytes += Int64(count)
        engine.setInput(input.baseAddress?.assumingMemoryBound(to: UInt8.self), count: pending + count)
    }

    private func error(_ message: String) -> ReconciliationError {
        ReconciliationError(.ingest, message, at: SourceLocation(file: displayPath))
    }

    private static func saturatingProduct(_ a: Int64, _ b: Int64) -> Int64 {
        let (product, overflow) = a.multipliedReportingOverflow(by: b)
        return overflow ? .max : product
    }

    /// The file ended inside a member: named by the file's length, which both engines agree on.
    private var truncated: ReconciliationError {
        error("truncated gzip stream: the file ends at byte \(upstreamBytes) inside a member")
    }

    /// At a member boundary: the end of the file, or another member whose fixed header fields are checked here, by
    /// the shared loop, so both engines refuse the same headers with the same words. Returns false at the end.
    private func startMember() throws(ReconciliationError) -> Bool {
        // Magic bytes, method and flags: four bytes, unless the file ends first.
        while engine.availableInput < 4 && !upstreamEnded { try refill() }
        let available = engine.availableInput
        if available == 0 { return false }
        guard let next = engine.nextInput else { return false }
        guard next[0] == 0x1F, available < 2 || next[1] == 0x8B else {
            throw error("trailing garbage after the gzip stream at byte \(compressedOffset)")
        }
        guard available >= 4 else {
            // A lone byte after a member is not the start of another one; in the first member, it is a cut file.
            if available < 2 && compressedOffset > 0 {
                throw error("trailing garbage after the gzip stream at byte \(compressedOffset)")
            }
            throw truncated
        }
        memberStart = compressedOffset
        guard next[2] == 8 else {
            throw error(
                "corrupt gzip stream: the member starting at byte \(memberStart) names compression method "
                    + "\(next[2]), not deflate (8)")
        }
        guard next[3] & 0xE0 == 0 else {
            throw error(
                "corrupt gzip stream: the member starting at byte \(memberStart) sets reserved header flags "
                    + "(0x\(String(next[3], radix: 16)))")
        }
        engine.startMember()
        betweenMembers = false
        return true
    }

    /// The inflated bytes. Where ISA-L fails on a stream (damaged, cut, over a cap, garbage after it), it is reopened and
    /// zlib reads it instead, past the bytes already handed out: which damage a decoder notices first, and whether
    /// it calls the end of a damaged file damage or truncation, differs between decoders (the fuzzer found such
    /// files), and a file must fail with the same words however it is read. So the failures are zlib's, and on valid
    /// streams ISA-L's bytes are zlib's (the differential test and the fuzz target hold it to that).
    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReconciliationError) -> Int {
        if let fallbackFailure { throw fallbackFailure }
        if let fallback { return try fallback.read(into: buffer) }
        do throws(ReconciliationError) {
            let count = try inflate(into: buffer)
            delivered += Int64(count)
            if reopen != nil, count > 0, let base = buffer.baseAddress {
                deliveredCRC = crc32_gzip_refl(deliveredCRC, base.assumingMemoryBound(to: UInt8.self), UInt64(count))
            }
            return count
        } catch {
            // Every failure, not only the decoder's: ISA-L may end a member zlib refuses (an incomplete Huffman code)
            // and then meet what follows as trailing garbage, or reach a cap on bytes zlib never makes.
            guard engineKind == .isal, let reopen else { throw error }
            finished = true
            do throws(ReconciliationError) {
                let zlib = try GzipByteSource(
                    upstream: try reopen(), displayPath: displayPath, compressedSize: compressedSize, limits: limits,
                    engine: .zlib)
                // Past what ISA-L already handed out, which zlib must make again byte for byte: a file replaced
                // while it was read, or a decoder disagreeing, is an error here, never a spliced stream.
                let skipped = try zlib.skip(delivered)
                guard skipped.count == delivered, skipped.crc == deliveredCRC else {
                    throw self.error(
                        "the gzip file changed while it was read (its first \(delivered) inflated bytes differ on a "
                            + "second read); read it again once nothing writes to it")
                }
                fallback = zlib
                return try zlib.read(into: buffer)
            } catch {
                fallbackFailure = error
                throw error
            }
        }
    }

    /// zlib's own words for the damage it found (tests tell its kinds of damage apart by them).
    package var zlibMessage: String? { (engine as? ZlibEngine)?.message ?? fallback?.zlibMessage }

    /// zlib refuses a deflate block whose Huffman code is incomplete; ISA-L decodes it, and the member's CRC-32 and
    /// length then vouch for the bytes. The one known case where the engines differ on a file, and it fails no
    /// check of the data itself.
    package static let incompleteCodeMessages: Set<String> = [
        "invalid distances set", "invalid literal/lengths set", "invalid code lengths set",
    ]

    /// Reads and drops up to `count` inflated bytes; returns how many there were and their CRC-32 (zlib's, so the
    /// check does not share code with the engine it checks).
    private func skip(_ count: Int64) throws(ReconciliationError) -> (count: Int64, crc: UInt32) {
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 18, alignment: 64)
        defer { scratch.deallocate() }
        var done: Int64 = 0
        var crc = CZlib.crc32(0, nil, 0)
        while done < count {
            let got = try inflate(
                into: UnsafeMutableRawBufferPointer(rebasing: scratch[..<Int(min(count - done, Int64(scratch.count)))]))
            if got == 0 { break }
            crc = CZlib.crc32(crc, scratch.baseAddress?.assumingMemoryBound(to: Bytef.self), uInt(got))
            done += Int64(got)
        }
        return (done, UInt32(truncatingIfNeeded: crc))
    }

    private func inflate(into buffer: UnsafeMutableRawBufferPointer) throws(ReconciliationError) -> Int {
        guard !finished, let base = buffer.baseAddress, buffer.count > 0 else { return 0 }
        let capacity = min(buffer.count, Int(UInt32.max))
        var produced = 0

        while produced < capacity {
            if betweenMembers {
                guard try startMember() else {
                    // Nothing at all is not a gzip stream; after a member, it is the end.
                    if upstreamBytes == 0 { throw truncated }
                    finished = true
                    break
                }
            }
            // At the end of the file the engine is still called: it may hold inflated bytes it has not handed out
            // yet (a truncated file read whole otherwise failed before the bytes read in pieces showed it).
            if engine.availableInput == 0 && !upstreamEnded {
                try refill()
                continue
            }
            let consumedBefore = engine.availableInput
            let step = engine.inflate(
                into: base.advanced(by: produced).assumingMemoryBound(to: UInt8.self), count: capacity - produced)
            produced += step.produced
            // The caps are checked as soon as a step's bytes cross them, before what the step found after those bytes
            // (a member's failing CRC-32 at its end): in stream order the cap comes first, however the input arrived
            // (checked once per call, the error depended on where the reads happened to end).
            try checkCaps(inflatedBytes + Int64(produced))
            switch step.outcome {
            case .progressed:
                if step.produced == 0 && engine.availableInput == consumedBefore {
                    // No progress with input left: the engine needs bytes beyond what is buffered.
                    if upstreamEnded { throw truncated }
                    if engine.availableInput >= input.count {
                        throw error("corrupt gzip stream: the member starting at byte \(memberStart) is damaged")
                    }
                    try refill()
                }
            case .memberEnd:
                betweenMembers = true
            case .headerChecksumFailed:
                throw error(
                    "corrupt gzip stream: the header of the member starting at byte \(memberStart) fails its CRC-16 "
                        + "check")
            case .damaged:
                throw error(
                    "corrupt gzip stream: the member starting at byte \(memberStart) is damaged (invalid deflate "
                        + "data, or its CRC-32 or length check fails); copy or fetch the file again")
            case .failed(let detail):
                throw error("gzip inflater failed at byte \(compressedOffset): \(detail)")
            }
        }

        inflatedBytes += Int64(produced)
        return produced
    }

    /// Fails once the stream has inflated to more than its caps allow.
    private func checkCaps(_ total: Int64) throws(ReconciliationError) {
        if total > limits.maxInflatedBytes {
            throw error(
                "gzip stream inflates to more than \(limits.maxInflatedBytes) bytes (limit `limits.max_inflated_bytes`)"
            )
        }
        if total > limits.ratioGraceBytes && total > Self.saturatingProduct(limits.maxRatio, max(compressedSize, 1)) {
            throw error(
                "gzip stream inflates more than \(limits.maxRatio):1 (a decompression bomb?); "
                    + "raise `limits.max_inflate_ratio` if the file is genuine")
        }
    }
}
