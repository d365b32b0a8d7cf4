#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Sums entry amounts per raw key on the ingest hot path, without a `String` or an allocation per row.
///
/// Keys (venue, account and asset bytes) are interned once into an arena behind an open-addressing table; each row
/// costs a hash, a probe, a word-wise compare and an `Int128` add. The table keeps a 32-bit tag of each key's hash
/// beside its slot number and a slot keeps everything a row touches in one 48-byte record, so a row costs about three
/// cache lines (measured: splitting the per-key data over separate arrays cost five, and 20 ns a row). Sums keep the
/// largest scale seen, so nothing is rounded.
struct EntryAggregator: ~Copyable {
    /// Everything a row touches for one key.
    private struct Slot {
        var sum: Int128
        var count: Int
        var firstLine: Int
        var keyStart: Int
        var venueLength: UInt16
        var accountLength: UInt16
        var assetLength: UInt16
        var scale: Int16
    }

    /// Entries: slot number in the low 32 bits, the hash's top 32 bits above; `empty` when free.
    private var table: [UInt64]
    private var mask: Int
    private static let empty = UInt64.max
    private var slots: [Slot] = []
    private var hashes: [UInt64] = []
    private var arena: [UInt8] = []
    private var availableSums: [Amount?] = []
    private var holdSums: [Amount?] = []

    /// The number of distinct keys.
    var count: Int { slots.count }

    /// Whether a row was refused because its key's running sum left the exact range. Such a row's fate depends on the
    /// order rows are summed in, so an input read in parts is read again in one piece when a part saw one.
    private(set) var overflowed = false

    /// For a part of an input summed apart from the rows before it (a range, a segment): each key's rows' magnitudes
    /// summed, at the key's scale. A sequential read refuses the row where a running sum leaves 38 digits, even if
    /// later rows bring it back; a part's own sum starts from zero instead, so +6e37 then −6e37 in a part after a
    /// +6e37 passes unseen. With these bounds a merge proves every running value the sequential read would meet stays
    /// in range (|sum before| + Σ|rows| fits), or fails so the input is read in one piece. `-1`: more than fits.
    private let tracksBounds: Bool
    private var magnitudes: [Int128] = []
    private var availableMagnitudes: [Amount?] = []
    private var holdMagnitudes: [Amount?] = []
    /// An available or hold magnitude sum left the exact range: no merge of this part can be proved safe.
    private var boundsLost = false

    init(tracksBounds: Bool = false) {
        table = Array(repeating: Self.empty, count: 1024)
        mask = 1023
        self.tracksBounds = tracksBounds
    }

    /// Why a row could not be added.
    enum Failure: Error {
        /// The running sum left the exact range.
        case overflow
        /// A venue, account or asset is longer than ``EntryAggregator/maxKeyPartBytes``.
        case keyPartTooLong
    }

    /// The longest venue, account or asset a key may have (lengths are kept in 16 bits to keep a slot at 48 bytes).
    static let maxKeyPartBytes = Int(UInt16.max)

    /// Adds one entry. With `padded`, the parts may be read 8 bytes at a time past their ends (they sit in a
    /// ``CSVScanner`` buffer, which keeps padding after its data), which makes hashing and comparing word-sized.
    @inline(__always)
    mutating func add(
        venue: UnsafeRawBufferPointer, account: UnsafeRawBufferPointer, asset: UnsafeRawBufferPointer, amount: Amount,
        available: Amount? = nil, hold: Amount? = nil, line: Int, entries: Int = 1, padded: Bool = false
    ) throws(Failure) {
        let hash = padded ? Self.paddedHash(venue, account, asset) : Self.hash(venue, account, asset)
        let (found, probe) = find(hash: hash, venue, account, asset, padded: padded)
        let slot: Int
        if found >= 0 {
            slot = found
        } else {
            guard max(venue.count, account.count, asset.count) <= Self.maxKeyPartBytes else { throw .keyPartTooLong }
            slot = insert(hash: hash, at: probe, venue, account, asset, line: line)
        }
        try accumulate(slot: slot, amount, available: available, hold: hold, entries: entries, line: line)
    }

    @inline(__always)
    private mutating func accumulate(
        slot: Int, _ amount: Amount, available: Amount?, hold: Amount?, entries: Int, line: Int
    ) throws(Failure) {
        let scaleBefore = tracksBounds ? Int(slots[slot].scale) : 0
        do throws(Failure) {
            try slots.withUnsafeMutableBufferPointer { buffer throws(Failure) in
                try Self.accumulate(&buffer[slot], amount, entries: entries, line: line)
            }
        } catch {
            overflowed = true
            throw error
        }
        if tracksBounds { trackBounds(slot: slot, scaleBefore: scaleBefore, amount, available: available, hold: hold) }
        if available != nil || hold != nil {
            do {
                let availableSum = try Amount.sum(availableSums[slot], available)
                let holdSum = try Amount.sum(holdSums[slot], hold)
                (availableSums[slot], holdSums[slot]) = (availableSum, holdSum)
            } catch {
                overflowed = true
                throw .overflow
            }
        }
    }

    /// The slot holding the key, or `-1` and the free table position where it goes.
    @inline(__always)
    private func find(
        hash: UInt64, _ venue: UnsafeRawBufferPointer, _ account: UnsafeRawBufferPointer,
        _ asset: UnsafeRawBufferPointer, padded: Bool
    ) -> (found: Int, probe: Int) {
        let tag = hash >> 32
        var probe = Int(truncatingIfNeeded: hash) & mask
        while true {
            let entry = table[probe]
            if entry == Self.empty { return (-1, probe) }
            if entry >> 32 == tag {
                let candidate = Int(truncatingIfNeeded: entry & 0xFFFF_FFFF)
                if matches(candidate, venue, account, asset, padded: padded) { return (candidate, probe) }
            }
            probe = (probe + 1) & mask
        }
    }

    @inline(__always)
    private static func accumulate(_ slot: inout Slot, _ amount: Amount, entries: Int, line: Int) throws(Failure) {
        var value = amount.significand
        let scale = Int(slot.scale)
        if amount.scale > scale {
            // Widen the running sum to the new, finer scale.
            let (widened, overflow) = slot.sum.multipliedReportingOverflow(by: Amount.powerOfTen[amount.scale - scale])
            guard !overflow else { throw .overflow }
            slot.sum = widened
            slot.scale = Int16(amount.scale)
        } else if amount.scale < scale {
            let (widened, overflow) = value.multipliedReportingOverflow(by: Amount.powerOfTen[scale - amount.scale])
            guard !overflow else { throw .overflow }
            value = widened
        }
        let (total, overflow) = slot.sum.addingReportingOverflow(value)
        guard !overflow, total.magnitude <= Amount.maxSignificand.magnitude else { throw .overflow }
        slot.sum = total
        slot.count += entries
        if line < slot.firstLine { slot.firstLine = line }
    }

    /// Adds a row's magnitudes to its key's bounds (a part's rows only; kept out of line so the sequential read's loop
    /// stays as small as it was).
    @inline(never)
    private mutating func trackBounds(
        slot: Int, scaleBefore: Int, _ amount: Amount, available: Amount?, hold: Amount?
    ) {
        let scaleAfter = Int(slots[slot].scale)
        magnitudes.withUnsafeMutableBufferPointer { bounds in
            let current = bounds[slot]
            if current >= 0, scaleBefore == scaleAfter, amount.scale == scaleAfter {
                // The usual row: nothing to widen.
                let value = amount.significand < 0 ? -amount.significand : amount.significand
                let (sum, overflow) = current.addingReportingOverflow(value)
                bounds[slot] = overflow ? -1 : sum
            } else {
                bounds[slot] = Self.bound(current, from: scaleBefore, to: scaleAfter, adding: amount)
            }
        }
        if available != nil || hold != nil {
            do {
                availableMagnitudes[slot] = try Amount.sum(availableMagnitudes[slot], available?.magnitude)
                holdMagnitudes[slot] = try Amount.sum(holdMagnitudes[slot], hold?.magnitude)
            } catch {
                boundsLost = true
            }
        }
    }

    /// `magnitude` (at scale `before`, `-1` when too large) widened to scale `after`, plus |amount|.
    private static func bound(_ magnitude: Int128, from before: Int, to after: Int, adding amount: Amount) -> Int128 {
        guard magnitude >= 0 else { return -1 }
        var total = magnitude
        if after > before {
            let (widened, overflow) = total.multipliedReportingOverflow(by: Amount.powerOfTen[after - before])
            guard !overflow else { return -1 }
            total = widened
        }
        var value = amount.significand < 0 ? -amount.significand : amount.significand
        if amount.scale < after {
            let (widened, overflow) = value.multipliedReportingOverflow(by: Amount.powerOfTen[after - amount.scale])
            guard !overflow else { return -1 }
            value = widened
        }
        let (sum, overflow) = total.addingReportingOverflow(value)
        return overflow ? -1 : sum
    }

    /// Whether |`sum`| (at `sumScale`) plus the magnitudes of a part's rows for the same key (`magnitude`, at `scale`)
    /// fits in 38 digits: then every running value a sequential read meets adding those rows to `sum` does.
    private static func staysInRange(_ sum: Int128, scale sumScale: Int, _ magnitude: Int128, scale: Int) -> Bool {
        guard magnitude >= 0 else { return false }
        if sumScale == scale {
            // The usual key: one scale, no widening.
            let (total, overflow) = (sum < 0 ? -sum : sum).addingReportingOverflow(magnitude)
            return !overflow && total <= Amount.maxSignificand
        }
        let before = Amount(uncheckedSignificand: sum, scale: sumScale)
        return (try? before.magnitude.adding(Amount(uncheckedSignificand: magnitude, scale: scale))) != nil
    }

    @inline(__always)
    private func matches(
        _ index: Int, _ venue: UnsafeRawBufferPointer, _ account: UnsafeRawBufferPointer,
        _ asset: UnsafeRawBufferPointer, padded: Bool
    ) -> Bool {
        let slot = slots[index]
        guard Int(slot.venueLength) == venue.count, Int(slot.accountLength) == account.count,
            Int(slot.assetLength) == asset.count
        else { return false }
        return arena.withUnsafeBytes { stored in
            guard let base = stored.baseAddress else { return false }
            let start = base + Int(slot.keyStart)
            if padded {
                return Self.wordsEqual(start, venue) && Self.wordsEqual(start + venue.count, account)
                    && Self.wordsEqual(start + venue.count + account.count, asset)
            }
            return Self.bytesEqual(start, venue) && Self.bytesEqual(start + venue.count, account)
                && Self.bytesEqual(start + venue.count + account.count, asset)
        }
    }

    /// Compares 8 bytes at a time; both sides may be read up to 7 bytes past their ends (the arena keeps 8 zero
    /// bytes after its last key, the scanner's buffer its padding).
    @inline(__always)
    private static func wordsEqual(_ stored: UnsafeRawPointer, _ part: UnsafeRawBufferPointer) -> Bool {
        guard let base = part.baseAddress else { return true }
        var index = 0
        let count = part.count
        while index + 8 <= count {
            if stored.loadUnaligned(fromByteOffset: index, as: UInt64.self)
                != base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            {
                return false
            }
            index += 8
        }
        let remaining = count - index
        guard remaining > 0 else { return true }
        let mask = (UInt64(1) << UInt64(remaining * 8)) &- 1
        let difference =
            stored.loadUnaligned(fromByteOffset: index, as: UInt64.self)
            ^ base.loadUnaligned(fromByteOffset: index, as: UInt64.self)
        return difference & mask == 0
    }

    @inline(__always)
    private static func bytesEqual(_ stored: UnsafeRawPointer, _ part: UnsafeRawBufferPointer) -> Bool {
        guard part.count > 0, let base = part.baseAddress else { return true }
        return memcmp(stored, base, part.count) == 0
    }

    private mutating func insert(
        hash: UInt64, at probe: Int, _ venue: UnsafeRawBufferPointer, _ account: UnsafeRawBufferPointer,
        _ asset: UnsafeRawBufferPointer, line: Int
    ) -> Int {
        let index = slots.count
        table[probe] = (hash & 0xFFFF_FFFF_0000_0000) | UInt64(index)
        hashes.append(hash)
        // The arena always ends with 8 zero bytes, so the last key can be read a word at a time.
        if arena.count >= 8 { arena.removeLast(8) }
        let keyStart = arena.count
        arena.append(contentsOf: venue)
        arena.append(contentsOf: account)
        arena.append(contentsOf: asset)
        arena.append(contentsOf: repeatElement(0, count: 8))
        slots.append(
            Slot(
                sum: 0, count: 0, firstLine: line, keyStart: keyStart, venueLength: UInt16(venue.count),
                accountLength: UInt16(account.count), assetLength: UInt16(asset.count), scale: 0))
        availableSums.append(nil)
        holdSums.append(nil)
        if tracksBounds {
            magnitudes.append(0)
            availableMagnitudes.append(nil)
            holdMagnitudes.append(nil)
        }
        if slots.count * 2 > table.count { grow() }
        return index
    }

    private mutating func grow() {
        let capacity = table.count * 2
        table = Array(repeating: Self.empty, count: capacity)
        mask = capacity - 1
        for index in 0..<slots.count {
            let hash = hashes[index]
            var probe = Int(truncatingIfNeeded: hash) & mask
            while table[probe] != Self.empty { probe = (probe + 1) & mask }
            table[probe] = (hash & 0xFFFF_FFFF_0000_0000) | UInt64(index)
        }
    }

    /// Folds another aggregator's sums into this one (for inputs parsed in parallel parts); `lineOffset` is added to
    /// the other's line numbers. Keys are found by the other's stored hashes and compared from its arena: no array or
    /// rehash per key (merging was 3 allocations a key).
    mutating func merge(_ other: borrowing EntryAggregator, lineOffset: Int) throws(Failure) {
        // Merged sums arrive as one value per key: tracking their bounds here would count |sum|, not Σ|rows|.
        precondition(!tracksBounds, "a part is merged into a total, never into another part")
        var failure: Failure?
        other.arena.withUnsafeBytes { otherArena in
            guard let otherBase = otherArena.baseAddress else { return }
            for index in 0..<other.count {
                let slot = other.slots[index]
                let venueStart = otherBase + slot.keyStart
                let accountStart = venueStart + Int(slot.venueLength)
                let assetStart = accountStart + Int(slot.accountLength)
                let venue = UnsafeRawBufferPointer(start: venueStart, count: Int(slot.venueLength))
                let account = UnsafeRawBufferPointer(start: accountStart, count: Int(slot.accountLength))
                let asset = UnsafeRawBufferPointer(start: assetStart, count: Int(slot.assetLength))
                let hash = other.hashes[index]
                // Both arenas end with 8 zero bytes: word-wise comparing is safe on both sides.
                let (found, probe) = find(hash: hash, venue, account, asset, padded: true)
                let line = slot.firstLine + lineOffset
                if found >= 0 && other.tracksBounds {
                    // The part's rows were summed from zero: prove the sequential read's running values fit.
                    let mine = slots[found]
                    let bounded =
                        !other.boundsLost
                        && Self.staysInRange(
                            mine.sum, scale: Int(mine.scale), other.magnitudes[index], scale: Int(slot.scale))
                        && Self.fits(availableSums[found], other.availableMagnitudes[index])
                        && Self.fits(holdSums[found], other.holdMagnitudes[index])
                    guard bounded else {
                        failure = .overflow
                        return
                    }
                }
                let target = found >= 0 ? found : insert(hash: hash, at: probe, venue, account, asset, line: line)
                do throws(Failure) {
                    try accumulate(
                        slot: target, Amount(uncheckedSignificand: slot.sum, scale: Int(slot.scale)),
                        available: other.availableSums[index], hold: other.holdSums[index], entries: slot.count,
                        line: line)
                } catch {
                    failure = error
                    return
                }
            }
        }
        if let failure { throw failure }
    }

    private static func fits(_ sum: Amount?, _ magnitude: Amount?) -> Bool {
        guard let sum, let magnitude else { return true }
        return (try? sum.magnitude.adding(magnitude)) != nil
    }

    /// Forgets every key, keeping the memory for the next part read into this aggregator.
    mutating func removeAll() {
        for index in table.indices { table[index] = Self.empty }
        slots.removeAll(keepingCapacity: true)
        hashes.removeAll(keepingCapacity: true)
        arena.removeAll(keepingCapacity: true)
        availableSums.removeAll(keepingCapacity: true)
        holdSums.removeAll(keepingCapacity: true)
        magnitudes.removeAll(keepingCapacity: true)
        availableMagnitudes.removeAll(keepingCapacity: true)
        holdMagnitudes.removeAll(keepingCapacity: true)
        overflowed = false
        boundsLost = false
    }

    /// The sums as raw records, in first-seen order. Strings are made straight from the arena (three arrays per key
    /// first cost 4.5 million allocations at 1.5 million keys).
    func records(file: String) -> [RawRecord] {
        arena.withUnsafeBufferPointer { arena in
            (0..<count).map { index in
                let slot = slots[index]
                let venueEnd = slot.keyStart + Int(slot.venueLength)
                let accountEnd = venueEnd + Int(slot.accountLength)
                let assetEnd = accountEnd + Int(slot.assetLength)
                func text(_ range: Range<Int>) -> String? {
                    range.isEmpty ? nil : String(decoding: UnsafeBufferPointer(rebasing: arena[range]), as: UTF8.self)
                }
                return RawRecord(
                    venue: text(slot.keyStart..<venueEnd), account: text(venueEnd..<accountEnd),
                    asset: text(accountEnd..<assetEnd) ?? "",
                    total: Amount(uncheckedSignificand: slot.sum, scale: Int(slot.scale)),
                    available: availableSums[index], hold: holdSums[index],
                    location: SourceLocation(file: file, line: slot.firstLine), entryCount: slot.count)
            }
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

    /// ``hash(_:_:_:)`` for parts readable past their ends: the tail is one masked word load. Gives the same value.
    static func paddedHash(
        _ venue: UnsafeRawBufferPointer, _ account: UnsafeRawBufferPointer, _ asset: UnsafeRawBufferPointer
    ) -> UInt64 {
        var state: UInt64 = 0x9E37_79B9_7F4A_7C15
        state = paddedAbsorb(state, venue)
        state = paddedAbsorb(state, account)
        return paddedAbsorb(state, asset)
    }

    @inline(__always)
    private static func paddedAbsorb(_ start: UInt64, _ part: UnsafeRawBufferPointer) -> UInt64 {
        var state = start
        var index = 0
        let count = part.count
        guard let base = part.baseAddress else { return mix(state ^ (UInt64(count) << 56)) }
        while index + 8 <= count {
            state = mix(state ^ base.loadUnaligned(fromByteOffset: index, as: UInt64.self))
            index += 8
        }
        let remaining = count - index
        let tail =
            remaining == 0
            ? 0
            : base.loadUnaligned(fromByteOffset: index, as: UInt64.self) & ((UInt64(1) << UInt64(remaining * 8)) &- 1)
        return mix(state ^ tail ^ (UInt64(count) << 56))
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
