/// The figures a balance or a raw record carries — total, and available and hold when reported — summed one way
/// everywhere: entries adding up per key, the same key written with two codes, a ledger split over several files.
/// A sum that leaves the exact range throws; every caller reports it with the key and where it was read, none drops it.
protocol SummableFigures {
    var total: Amount { get set }
    var available: Amount? { get set }
    var hold: Amount? { get set }
}

extension SummableFigures {
    /// Adds `other`'s figures to these: all three, or none when one of the sums leaves the exact range.
    mutating func add(_ other: some SummableFigures) throws(AmountError) {
        let total = try self.total.adding(other.total)
        let available = try Amount.sum(self.available, other.available)
        let hold = try Amount.sum(self.hold, other.hold)
        (self.total, self.available, self.hold) = (total, available, hold)
    }
}

extension Amount {
    /// `lhs + rhs` where a side may be unreported: an unreported side adds nothing, and two unreported sides stay
    /// unreported. Throws when the sum leaves the exact range.
    static func sum(_ lhs: Amount?, _ rhs: Amount?) throws(AmountError) -> Amount? {
        switch (lhs, rhs) {
        case (nil, nil): nil
        case (let value?, nil), (nil, let value?): value
        case (let left?, let right?): try left.adding(right)
        }
    }
}

extension Balance: SummableFigures {}
extension RawRecord: SummableFigures {}
