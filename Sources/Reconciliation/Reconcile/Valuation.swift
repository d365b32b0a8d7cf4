/// Prices of assets in one reporting currency, from the job's prices file: what a difference is worth, so a 0.3 USD
/// difference and a 3 BTC one no longer look alike, and `value:` tolerances can judge materiality.
public struct Valuation: Sendable, Hashable {
    /// The reporting currency (upper case), priced at 1.
    public let currency: String
    /// Decimals of the currency's minor unit, for display (`2` for USD, `0` for JPY).
    public let decimals: Int
    /// Price of one unit of each asset in the currency, by asset (upper case); every price is positive.
    public let prices: [String: Amount]

    /// Creates a valuation.
    public init(currency: String, decimals: Int, prices: [String: Amount]) {
        self.currency = currency.uppercased()
        self.decimals = decimals
        self.prices = prices
    }

    /// The price of one unit of `asset`: 1 for the reporting currency itself, else the file's, else `nil`.
    public func price(of asset: String) -> Amount? {
        asset.uppercased() == currency ? Amount(1) : prices[asset.uppercased()]
    }

    /// What a difference is worth.
    public enum Worth: Sendable, Hashable {
        /// `amount × price`: exact, or — when the exact product has more than 38 digits, all of them decimals past
        /// the 38th — cut toward zero there (`exact` false).
        case value(Amount, exact: Bool)
        /// The asset has no price.
        case noPrice
        /// The value's whole part needs more than 38 digits: no figure is given rather than a wrong one.
        case outOfRange
    }

    /// `amount × price(asset)`.
    public func value(of amount: Amount, asset: String) -> Worth {
        guard let price = price(of: asset) else { return .noPrice }
        if let exact = try? amount.multiplied(by: price) { return .value(exact, exact: true) }
        let cut = amount.multipliedTowardZero(by: price)
        // multipliedTowardZero saturates when even the whole part does not fit.
        if cut.scale == 0 && cut.magnitude.significand == Amount.maxSignificand { return .outOfRange }
        return .value(cut, exact: false)
    }

    /// A value as shown: rounded half away from zero to the currency's minor unit, with the currency
    /// (`-2,762.50 USD` is shown as `-2762.50 USD`).
    public func display(_ value: Amount) -> String {
        "\(value.roundedHalfAwayFromZero(toScale: decimals)) \(currency)"
    }

    /// Decimals of the minor unit of ISO 4217 currencies whose unit is not hundredths, and the common ones that are.
    /// A currency in neither list needs `decimals:` in the job: its minor unit is not guessed.
    static func minorUnit(of currency: String) -> Int? {
        let zero: Set = [
            "JPY", "KRW", "VND", "CLP", "ISK", "PYG", "UGX", "XAF", "XOF", "XPF", "RWF", "KMF", "GNF", "DJF",
        ]
        let three: Set = ["BHD", "KWD", "OMR", "JOD", "TND", "IQD", "LYD"]
        let two: Set = [
            "USD", "EUR", "GBP", "CHF", "CAD", "AUD", "NZD", "SGD", "HKD", "SEK", "NOK", "DKK", "PLN", "CZK", "HUF",
            "CNY", "INR", "BRL", "MXN", "ZAR", "TRY", "AED", "SAR", "ILS", "THB", "MYR", "IDR", "PHP", "TWD", "RON",
            "BGN", "ARS", "COP", "PEN", "NGN", "KES", "EGP", "UAH",
        ]
        if zero.contains(currency) { return 0 }
        if three.contains(currency) { return 3 }
        if two.contains(currency) { return 2 }
        return nil
    }

    /// Reads a prices file: a header `asset,price`, then one asset per line with an exact positive decimal price.
    /// Blank lines are skipped; anything else that is not a clean `asset,price` row is an error naming the line,
    /// since a wrong price would value every break of its asset wrongly.
    static func parsePrices(_ bytes: [UInt8], file: String, currency: String) throws(ReconciliationError) -> [String:
        Amount]
    {
        var prices: [String: (Amount, Int)] = [:]
        var sawHeader = false
        var number = 0
        for line in try referenceLines(bytes, file: file, what: "prices") {
            number += 1
            let location = SourceLocation(file: file, line: number)
            if line.allSatisfy({ $0 == " " || $0 == "\t" }) { continue }
            let fields = line.split(separator: ",", omittingEmptySubsequences: false).map {
                String($0).trimmingSpaces
            }
            if !sawHeader {
                guard fields.map({ $0.lowercased() }) == ["asset", "price"] else {
                    throw ReconciliationError(
                        .ingest, "expected the header `asset,price`, got '\(line)'", at: location)
                }
                sawHeader = true
                continue
            }
            guard fields.count == 2, !fields[0].isEmpty else {
                throw ReconciliationError(
                    .ingest, "expected `asset,price` (two fields, no quotes), got '\(line)'", at: location)
            }
            let asset = fields[0].uppercased()
            let price: Amount
            do {
                price = try Amount.parse(fields[1])
            } catch {
                throw ReconciliationError(
                    .ingest, "price of \(asset): expected a decimal, got '\(fields[1])' (\(error.failure.reason))",
                    at: location)
            }
            guard price.signum > 0 else {
                throw ReconciliationError(
                    .ingest,
                    "price of \(asset) must be positive, got '\(fields[1])' (leave the asset out when it has no price)",
                    at: location)
            }
            if asset == currency.uppercased() && price != Amount(1) {
                throw ReconciliationError(
                    .ingest, "\(asset) is the reporting currency, priced at 1; the file says \(price)", at: location)
            }
            if let (earlier, line) = prices[asset] {
                guard earlier == price else {
                    throw ReconciliationError(
                        .ingest, "\(asset) is priced twice: \(earlier) on line \(line), \(price) here", at: location)
                }
                continue
            }
            prices[asset] = (price, number)
        }
        guard sawHeader else {
            throw ReconciliationError(
                .ingest, "the prices file is empty (expected a header `asset,price`)",
                at: SourceLocation(file: file))
        }
        return prices.mapValues(\.0)
    }
}

extension Amount {
    /// The value at `scale` decimals, rounded half away from zero (unchanged when it has no more decimals than that).
    public func roundedHalfAwayFromZero(toScale target: Int) -> Amount {
        guard scale > target else { return (try? rescaled(to: target)) ?? self }
        let divisor = Amount.powerOfTen[scale - target]
        let (quotient, remainder) = significand.magnitude.quotientAndRemainder(dividingBy: divisor.magnitude)
        let rounded = remainder * 2 >= divisor.magnitude ? quotient + 1 : quotient
        let value = Int128(rounded)
        return Amount(uncheckedSignificand: isNegative ? -value : value, scale: target)
    }

    /// `self ÷ divisor` cut toward zero to `scale` decimals; `nil` when the divisor is zero or the quotient does not
    /// fit 38 digits. Used for a `value:` tolerance in asset units, where the smaller figure is the safe side.
    func dividedTowardZero(by divisor: Amount, scale target: Int) -> Amount? {
        guard !divisor.isZero, (0...Amount.maxScale).contains(target) else { return nil }
        // self = a·10^−sa and divisor = b·10^−sb, so the quotient at `target` decimals is a·10^(target+sb−sa) / b.
        let shift = target + divisor.scale - scale
        var numerator = (high: UInt128(0), low: significand.magnitude)
        var denominator = divisor.significand.magnitude
        if shift > 0 {
            guard shift <= Amount.maxScale else { return nil }
            numerator = numerator.low.multipliedFullWidth(by: Amount.powerOfTen[shift].magnitude)
        } else if shift < 0 {
            guard -shift <= Amount.maxScale else { return Amount(uncheckedSignificand: 0, scale: target) }
            let (scaled, overflow) = denominator.multipliedReportingOverflow(by: Amount.powerOfTen[-shift].magnitude)
            guard !overflow else { return Amount(uncheckedSignificand: 0, scale: target) }
            denominator = scaled
        }
        guard numerator.high < denominator else { return nil }
        let (quotient, _) = denominator.dividingFullWidth(numerator)
        guard quotient <= Amount.maxSignificand.magnitude else { return nil }
        let value = Int128(quotient)
        return Amount(uncheckedSignificand: isNegative != divisor.isNegative ? -value : value, scale: target)
    }
}
