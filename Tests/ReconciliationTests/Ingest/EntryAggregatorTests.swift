import PropertyBased
import Testing

@testable import Reconciliation

/// The entry table hashes and compares keys two ways: word-wise over padded scanner bytes, byte-wise over exact ones
/// (merging ranges). Both must see the same key as the same key, or one account would be reported twice.
@Suite struct EntryAggregatorTests {
    /// Key parts of 0 to 40 bytes, so every tail length of a word is hit.
    static let parts = Gen.letterOrNumber.string(of: 0...40)

    @Test func paddedAndExactHashesAgree() async {
        await propertyCheck(count: 1000, input: Self.parts, Self.parts, Self.parts) { venue, account, asset in
            let exact = withParts(venue, account, asset, padding: 0) { EntryAggregator.hash($0, $1, $2) }
            let padded = withParts(venue, account, asset, padding: 16) { EntryAggregator.paddedHash($0, $1, $2) }
            #expect(exact == padded)
        }
    }

    @Test func aKeyAddedBothWaysIsOneBalance() throws {
        var table = EntryAggregator()
        // Garbage after each part stands for the rest of the scanner's buffer; it must not take part in the key.
        for (line, padding) in [(2, 16), (3, 0), (4, 16)] {
            try withParts("binance", "spot-1", "BTC", padding: padding, fill: UInt8(line)) { venue, account, asset in
                try table.add(
                    venue: venue, account: account, asset: asset, amount: Amount(1), line: line,
                    padded: padding > 0)
            }
        }
        #expect(table.count == 1)
        let records = table.records(file: "ledger.csv")
        #expect(
            records.map { "\($0.venue ?? "")/\($0.account ?? "")/\($0.asset)=\($0.total)x\($0.entryCount)" } == [
                "binance/spot-1/BTC=3x3"
            ])
        #expect(records.first?.location.line == 2)
    }

    @Test func keysDifferingOnlyWhereThePartsMeetAreDistinct() throws {
        var table = EntryAggregator()
        for (venue, account) in [("ab", "c"), ("a", "bc"), ("abc", "")] {
            try withParts(venue, account, "X", padding: 16) { venue, account, asset in
                try table.add(venue: venue, account: account, asset: asset, amount: Amount(1), line: 2, padded: true)
            }
        }
        #expect(table.count == 3)
    }

    /// An aggregator's sums reach the collector as one batch; what it holds must be what adding them one by one
    /// gives — with keys the aggregator keeps apart (different bytes) that are one key as strings (é precomposed and
    /// decomposed), and with a batch into a collector that already has records (a second file of the input).
    @Test func aBatchCollectsLikeRecordsAddedOneByOne() throws {
        func record(_ account: String?, _ asset: String, _ amount: Int, line: Int) -> RawRecord {
            RawRecord(
                venue: "kraken", account: account, asset: asset, total: Amount(amount),
                location: SourceLocation(file: "ledger.csv", line: line), entryCount: 2)
        }
        let batches: [[RawRecord]] = [
            [record("a", "BTC", 1, line: 2), record("b", "BTC", 2, line: 3), record(nil, "ETH", 3, line: 4)],
            [
                record("a", "caf\u{E9}", 4, line: 2), record("a", "cafe\u{301}", 5, line: 9),
                record("a", "BTC", 6, line: 3),
            ],
            [],
        ]
        for order in [[0], [1], [0, 1], [1, 0], [2, 0], [0, 0, 1]] {
            let batched = RecordCollector(kind: .entries)
            let single = RecordCollector(kind: .entries)
            for position in order {
                batched.add(contentsOf: batches[position])
                for record in batches[position] { single.add(record, countingRows: false) }
            }
            #expect(batched.records == single.records, "batches \(order)")
            #expect(batched.rowCount == 0)
        }
        let accented = RecordCollector(kind: .entries)
        accented.add(contentsOf: batches[1])
        #expect(accented.records.map(\.total) == [Amount(9), Amount(6)])
        #expect(accented.records.map(\.entryCount) == [4, 2])
        let taken = accented.takeRecords()
        #expect(taken.count == 2 && accented.records.isEmpty)
        accented.add(contentsOf: batches[0])
        #expect(accented.records.count == 3)
    }
}

/// Calls `body` with the three parts, each in its own buffer followed by `padding` bytes of `fill`.
private func withParts<Result>(
    _ venue: String, _ account: String, _ asset: String, padding: Int, fill: UInt8 = 0xA5,
    _ body: (UnsafeRawBufferPointer, UnsafeRawBufferPointer, UnsafeRawBufferPointer) throws -> Result
) rethrows -> Result {
    let buffers = [venue, account, asset].map { Array($0.utf8) + Array(repeating: fill, count: padding) }
    let counts = [venue, account, asset].map(\.utf8.count)
    return try buffers[0].withUnsafeBytes { first in
        try buffers[1].withUnsafeBytes { second in
            try buffers[2].withUnsafeBytes { third in
                try body(
                    UnsafeRawBufferPointer(rebasing: first[0..<counts[0]]),
                    UnsafeRawBufferPointer(rebasing: second[0..<counts[1]]),
                    UnsafeRawBufferPointer(rebasing: third[0..<counts[2]]))
            }
        }
    }
}
