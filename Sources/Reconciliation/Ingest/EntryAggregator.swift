#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Sums entry amounts per raw key on the ingest hot path, without a `String` or an allocation per row.
///
/// Keys (venue, account and asset bytes) are interned once into an arena behind an open-addressing table; each row
/// costs a hash, a probe, a byte compare and an `Int128` add. Sums keep the largest scale seen, so nothing is rounded.
struct EntryAggregator: ~Copyable {
    private var table: [Int32]
    private var mask: Int
    private var hashes: [UInt64] = []
    private var arena: [UInt8] = []
    private var keyStarts: [Int] = []
    private var venueLengths: [Int32] = []
    private var accountLengths: [Int32] = []
    private var assetLengths: [Int32] = []
    private var sums: [Int128] = []
    private var scales: [Int] = []
    private var counts: [Int] = []
    private var firstLines: [Int] = []
    private var availableSums: [Amount?] = []
    private var holdSums: [Amount?] = []

    /// The number of distinct keys.
    var count: Int { sums.count }

    init() {
        table = Array(repeating: -1, count: 1024)
        mask = 1023
    }

    /// Why a row could not be added.
    enum Failure: Error {
        /// The running sum left the exact range.
        case overflow
    }

    /// Adds one entry.
    mutating func add(
        venue: UnsafeRawBufferPointer, account: UnsafeRawBufferPointer, asset: UnsafeRawBufferPointer, amount: Amount,
        available: Amount? = nil, hold: Amount? = nil, line: Int, entries: Int = 1
    ) throws(Failure) {
        let hash = Self.hash(venue, account, asset)
        var probe = Int(truncatingIfNeeded: hash) & mask
        var slot = -1
        while true {
            let candidate = Int(table[probe])
            if candidate < 0 { break }
            if hashes[candidate] == hash && matches(candidate, venue, account, asset) {
                slot = candidate
                break
            }
            probe = (probe + 1) & mask
        }
        if slot < 0 {
            slot = insert(hash: hash, at: probe, venue, account, asset, line: line)
        } else if line < firstLines[slot] {
            firstLines[slot] = line
        }
        try accumulate(slot, amount)
        counts[slot] += entries
        if available != nil || hold != nil {
            do {
                if let available {
                    availableSums[slot] = try availableSums[slot].map { try $0.adding(available) } ?? available
                }
                if let hold { holdSums[slot] = try holdSums[slot].map { try $0.adding(hold) } ?? hold }
            } catch {
                throw .overflow
            }
        }
    }

    private mutating func accumulate(_ slot: Int, _ amount: Amount) throws(Failure) {
        var scale = scales[slot]
        var sum = sums[slot]
        var value = amount.significand
        if amount.scale > scale {
            // Widen the running sum to the new, finer scale.
            let (widened, overflow) = sum.multipliedReportingOverflow(by: Amount.powerOfTen[amount.scale - scale])
            guard !overflow else { throw .overflow }
            sum = widened
            scale = amount.scale
            scales[slot] = scale
        } else if amount.scale < scale {
            let (widened, overflow) = value.multipliedReportingOverflow(by: Amount.powerOfTen[scale - amount.scale])
            guard !overflow else { throw .overflow }
            value = widened
        }
        let (total, overflow) = sum.addingReportingOverflow(value)
        guard !overflow, total.magnitude <= Amount.maxSignificand.magnitude else { throw .overflow }
        sums[slot] = total
    }

    private func matches(
        _ slot: Int, _ venue: UnsafeRawBufferPointer, _ account: UnsafeRawBufferPointer, _ asset: UnsafeRawBufferPointer
    ) -> Bool {
        guard Int(venueLengths[slot]) == venue.count, Int(accountLengths[slot]) == account.count,
            Int(assetLengths[slot]) == asset.count
        else { return false }
        return arena.withUnsafeBytes { stored in
            let start = keyStarts[slot]
            return Self.equal(stored, start, venue) && Self.equal(stored, start + venue.count, account)
                && Self.equal(stored, start + venue.count + account.count, asset)
        }
    }

    @inline(__always)
    private static func equal(_ stored: UnsafeRawBufferPointer, _ offset: Int, _ part: UnsafeRawBufferPointer) -> Bool {
        guard part.count > 0, let base = part.baseAddress, let storedBase = stored.baseAddress else { return true }
        return memcmp(storedBase + offset, base, part.count) == 0
    }

    private mutating func insert(
        hash: UInt64, at probe: Int, _ venue: UnsafeRawBufferPointer, _ account: UnsafeRawBufferPointer,
        _ asset: UnsafeRawBufferPointer, line: Int
    ) -> Int {
        let slot = sums.count
        table[probe] = Int32(slot)
        hashes.append(hash)
        keyStarts.append(arena.count)
        arena.append(contentsOf: venue)
        arena.append(contentsOf: account)
        arena.append(contentsOf: asset)
        venueLengths.append(Int32(venue.count))
        accountLengths.append(Int32(account.count))
        assetLengths.append(Int32(asset.count))
        sums.append(0)
        scales.append(0)
        counts.append(0)
        firstLines.append(line)
        availableSums.append(nil)
        holdSums.append(nil)
        if sums.count * 2 > table.count { grow() }
        return slot
    }

    private mutating func grow() {
        let capacity = table.count * 2
        table = Array(repeating: -1, count: capacity)
        mask = capacity - 1
        for slot in 0..<sums.count {
            var probe = Int(truncatingIfNeeded: hashes[slot]) & mask
            while table[probe] >= 0 { probe = (probe + 1) & mask }
            table[probe] = Int32(slot)
        }
    }

    /// Folds another aggregator's sums into this one (for inputs parsed in parallel ranges); `lineOffset` is added to
    /// the other's line numbers.
    mutating func merge(_ other: borrowing EntryAggregator, lineOffset: Int) throws(Failure) {
        for slot in 0..<other.count {
            let (venue, account, asset) = other.keyBytes(slot)
            let amount = Amount(uncheckedSignificand: other.sums[slot], scale: other.scales[slot])
            let available = other.availableSums[slot]
            let hold = other.holdSums[slot]
            let line = other.firstLines[slot] + lineOffset
            let entries = other.counts[slot]
            let added = venue.withUnsafeBytes { venueBytes in
                account.withUnsafeBytes { accountBytes in
                    asset.withUnsafeBytes { assetBytes in
                        do throws(Failure) {
                            try add(
                                venue: venueBytes, account: accountBytes, asset: assetBytes, amount: amount,
                                available: available, hold: hold, line: line, entries: entries)
                            return true
                        } catch {
                            return false
                        }
                    }
                }
            }
            guard added else { throw .overflow }
        }
    }

    private func keyBytes(_ slot: Int) -> ([UInt8], [UInt8], [UInt8]) {
        let start = keyStarts[slot]
        let venueEnd = start + Int(venueLengths[slot])
        let accountEnd = venueEnd + Int(accountLengths[slot])
        let assetEnd = accountEnd + Int(assetLengths[slot])
        return (
            Array(arena[start..<venueEnd]), Array(arena[venueEnd..<accountEnd]), Array(arena[accountEnd..<assetEnd])
        )
    }

    /// The sums as raw records, in first-seen order.
    func records(file: String) -> [RawRecord] {
        (0..<count).map { slot in
            let (venue, account, asset) = keyBytes(slot)
            return RawRecord(
                venue: venue.isEmpty ? nil : String(decoding: venue, as: UTF8.self),
                account: account.isEmpty ? nil : String(decoding: account, as: UTF8.self),
                asset: String(decoding: asset, as: UTF8.self),
                total: Amount(uncheckedSignificand: sums[slot], scale: scales[slot]),
                available: availableSums[slot], hold: holdSums[slot],
                location: SourceLocation(file: file, line: firstLines[slot]), entryCount: counts[slot])
        }
    }

    /// A fast 64-bit hash of the three key parts, 8 bytes at a time (keys are short; FNV would cost a multiply a
    /// byte).
    static func hash(
        _ venue: UnsafeRawBufferPointer, _ account: UnsafeRawBufferPointer, _ asset: UnsafeRawBufferPointer
    ) -> UInt64 {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        state = absorb(state, venue)
        state = absorb(state, account)
        return absorb(state, asset)
    }

    @inline(__always)
    private static func absorb(_ start: UInt64, _ part: UnsafeRawBufferPointer) -> UInt64 {
        var state = start
        var index = 0
        let count = part.count
        while index + 8 <= count {
            state = mix(state ^ part.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            index += 8
        }
        var tail: UInt64 = 0
        var shift: UInt64 = 0
        while index < count {
            tail |= UInt64(part[index]) << shift
            shift += 8
            index += 1
        }
        return mix(state ^ tail ^ (UInt64(count) << 56))
    }

    @inline(__always)
    private static func mix(_ value: UInt64) -> UInt64 {
        let product = value.multipliedFullWidth(by: 0x9E37_79B9_7F4A_7C15)
        return product.high ^ product.low
    }
}
