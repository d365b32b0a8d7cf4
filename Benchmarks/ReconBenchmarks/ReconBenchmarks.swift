import Benchmark
import Foundation
import ReconWorkload
import Reconciliation

/// Micro benchmarks of the ingest hot path. Run with `RECON_BENCHMARKS=1 swift package benchmark`.
///
/// Throughput is reported per iteration; each CSV and gzip iteration processes one MiB, so iterations per second
/// read as MiB/s, and each amount iteration parses 1,000 values, so a microsecond per iteration is a nanosecond per
/// value.
let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration = .init(
        metrics: [.throughput, .wallClock, .mallocCountTotal, .peakMemoryResident], maxDuration: .seconds(3),
        maxIterations: 100_000)

    let ledger = Workload.ledgerMiB
    Benchmark("CSV scanner: tokenize 1 MiB of ledger rows") { benchmark in
        for _ in benchmark.scaledIterations {
            var scanner = CSVScanner(source: MemorySource(ledger), displayPath: "bench.csv")
            var fields = 0
            while (try? scanner.next()) == true { fields += scanner.fieldCount }
            blackHole(fields)
        }
    }

    let amounts = Workload.amountTexts
    Benchmark("Amount.parse: 1,000 amounts (8 and 18 decimals, up to 24 digits)") { benchmark in
        for _ in benchmark.scaledIterations {
            var sum: Int128 = 0
            for text in amounts {
                text.withUnsafeBytes { bytes in
                    if let amount = try? Amount.parse(bytes) { sum &+= amount.significand }
                }
            }
            blackHole(sum)
        }
    }

    let compressed = Workload.gzipMiB
    // ISA-L (what runs use) beside zlib (the oracle it replaced), on the same member.
    for engine in InflateEngineKind.allCases {
        Benchmark("Gzip byte source: inflate 1 MiB (\(engine.rawValue))") { benchmark in
            try inflateAll(compressed, engine: engine, iterations: benchmark.scaledIterations)
        }
    }

    // Eight MiB per iteration (iterations/s × 8 = MiB/s): summing has a cost per key (6,000 of them) that one MiB
    // would not amortize.
    let ledger8 = Workload.ledger(mebibytes: 8)
    Benchmark("CSV reader: sum 8 MiB of ledger entries per key") { benchmark in
        let options = InputOptions(
            kind: .entries, fields: FieldMapping(venue: "venue", account: "account", asset: "asset", amount: "amount"))
        for _ in benchmark.scaledIterations {
            let collector = RecordCollector(kind: .entries)
            try CSVStatementReader().read(MemorySource(ledger8), path: "bench.csv", options: options, into: collector)
            blackHole(collector.rowCount)
        }
    }
}

/// Bytes held in memory, handed out in 256 KiB reads.
final class MemorySource: ByteSource {
    private let bytes: [UInt8]
    private var offset = 0

    init(_ bytes: [UInt8]) {
        self.bytes = bytes
    }

    func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReconciliationError) -> Int {
        let count = min(buffer.count, 1 << 18, bytes.count - offset)
        guard count > 0 else { return 0 }
        bytes.withUnsafeBytes { source in
            buffer.copyMemory(from: UnsafeRawBufferPointer(rebasing: source[offset..<(offset + count)]))
        }
        offset += count
        return count
    }
}

/// The benchmark inputs, made once from `recon generate`'s generator.
enum Workload {
    /// 1 MiB of generated ledger CSV (header included).
    static let ledgerMiB: [UInt8] = ledger(mebibytes: 1)

    /// About `mebibytes` MiB of generated ledger CSV, cut at a line end.
    static func ledger(mebibytes: Int) -> [UInt8] {
        let directory = FileManager.default.temporaryDirectory.path + "/recon-bench-\(getpid())-\(mebibytes)"
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let limit = mebibytes << 20
        guard let summary = try? WorkloadGenerator(entries: limit / 40, gzip: false).write(to: directory),
            let data = FileManager.default.contents(atPath: summary.ledgerPath)
        else { return [] }
        let bytes = Array(data)
        guard bytes.count > limit else { return bytes }
        let cut = bytes[0..<limit].lastIndex(of: 0x0A).map { $0 + 1 } ?? limit
        return Array(bytes[0..<cut])
    }

    /// The same MiB, gzipped at zlib's default level.
    static let gzipMiB: [UInt8] = compress(ledgerMiB)

    static func compress(_ bytes: [UInt8]) -> [UInt8] {
        let path = FileManager.default.temporaryDirectory.path + "/recon-bench-\(getpid()).gz"
        defer { try? FileManager.default.removeItem(atPath: path) }
        do {
            let writer = try GzipWriter(path: path)
            try writer.write(String(decoding: bytes, as: UTF8.self))
            try writer.close()
        } catch {
            return []
        }
        return Array(FileManager.default.contents(atPath: path) ?? Data())
    }

    /// 1,000 amounts as the ledger writes them.
    static let amountTexts: [[UInt8]] = {
        let text = String(decoding: ledgerMiB, as: UTF8.self)
        return text.split(separator: "\n").dropFirst().prefix(1000).compactMap { line in
            line.split(separator: ",").last.map { Array($0.utf8) }
        }
    }()
}

/// Inflates `compressed` whole, `iterations` times, through the gzip byte source with `engine`.
func inflateAll(_ compressed: [UInt8], engine: InflateEngineKind, iterations: Range<Int>) throws {
    let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1 << 18, alignment: 64)
    defer { buffer.deallocate() }
    for _ in iterations {
        let source = try GzipByteSource(
            upstream: MemorySource(compressed), displayPath: "bench.gz", compressedSize: Int64(compressed.count),
            engine: engine)
        var total = 0
        while true {
            let count = try source.read(into: buffer)
            if count == 0 { break }
            total += count
        }
        blackHole(total)
    }
}
