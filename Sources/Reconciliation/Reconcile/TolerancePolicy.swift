/// How much difference a line may show and still count as reconciled.
///
/// A rule may combine kinds; the effective tolerance of a rule is the largest of its kinds:
/// - `absolute`: a fixed amount;
/// - `relative`: a fraction of the larger magnitude of the two sides (symmetric, so swapping sides changes nothing);
/// - `inferred`: `multiplier × 10^−decimals`, decimals being the statement's written precision — a venue rounds to what
///   it prints, so its last printed digit says how exact its figure is (half a unit of that digit by default; the
///   ledger's precision says nothing about the venue's rounding); integers are exact unless `integers` is set.
///
/// Precedence, most specific first: venue+asset, asset, venue, default. The first rule that exists is used whole.
package struct TolerancePolicy: Sendable, Hashable {
    /// The rule for keys no other rule names.
    package var defaultRule: ToleranceRule
    /// Rules by asset.
    package var assets: [String: ToleranceRule]
    /// Rules by venue.
    package var venues: [String: ToleranceRule]
    /// Rules by venue, then asset.
    package var venueAssets: [String: [String: ToleranceRule]]

    /// Creates a policy; by default everything must match exactly.
    package init(
        defaultRule: ToleranceRule = ToleranceRule(absolute: .zero), assets: [String: ToleranceRule] = [:],
        venues: [String: ToleranceRule] = [:], venueAssets: [String: [String: ToleranceRule]] = [:]
    ) {
        self.defaultRule = defaultRule
        self.assets = assets
        self.venues = venues
        self.venueAssets = venueAssets
    }

    /// Exact comparison everywhere.
    package static let exact = TolerancePolicy()

    /// The rule for a key and the words naming its scope (`asset BTC`, `venue kraken`, `default`).
    package func rule(for key: BalanceKey) -> (rule: ToleranceRule, scope: String) {
        if let rule = venueAssets[key.venue]?[key.asset] { return (rule, "venue \(key.venue) asset \(key.asset)") }
        if let rule = assets[key.asset] { return (rule, "asset \(key.asset)") }
        if let rule = venues[key.venue] { return (rule, "venue \(key.venue)") }
        return (defaultRule, "default")
    }

    /// The tolerance for comparing `ledger` and `statement` under the key's rule; `precision` is the number of
    /// decimals inferred tolerance works from (the statement's).
    package func tolerance(
        for key: BalanceKey, ledger: Amount, statement: Amount, precision statementPrecision: Int,
        valuation: Valuation? = nil
    ) -> AppliedTolerance {
        let (rule, scope) = rule(for: key)
        var best: AppliedTolerance?
        func consider(_ value: Amount, _ kind: String) {
            if best == nil || value > best?.value ?? .zero {
                best = AppliedTolerance(value: value, source: "\(scope) \(kind)")
            }
        }
        if let absolute = rule.absolute { consider(absolute, "absolute") }
        if let relative = rule.relative {
            let larger = max(ledger.magnitude, statement.magnitude)
            consider(relative.multipliedTowardZero(by: larger), "relative \(ToleranceRule.basisPoints(relative)) bps")
        }
        if let inferred = rule.inferred {
            if statementPrecision == 0 && !inferred.integers {
                consider(.zero, "inferred from 0 decimals (integers exact)")
            } else {
                let unit = Amount(uncheckedSignificand: 1, scale: min(statementPrecision, Amount.maxScale))
                consider(
                    inferred.multiplier.multipliedTowardZero(by: unit), "inferred from \(statementPrecision) decimals")
            }
        }
        if let value = rule.value, let valuation, let price = valuation.price(of: key.asset) {
            // An amount of the asset too large for 38 digits exceeds any difference: the largest amount stands in.
            let units =
                value.dividedTowardZero(by: price, scale: min(Amount.maxScale, max(ledger.scale, statement.scale, 2)))
                ?? Amount(uncheckedSignificand: Amount.maxSignificand, scale: 0)
            consider(units, "value \(value) \(valuation.currency)")
        }
        return best ?? AppliedTolerance(value: .zero, source: "\(scope) exact")
    }

    /// Why the key's `value:` tolerance could not apply (no valuation price for its asset), or `nil`.
    package func unappliedValueNote(for key: BalanceKey, valuation: Valuation?) -> String? {
        let (rule, scope) = rule(for: key)
        guard let value = rule.value else { return nil }
        guard let valuation else { return "\(scope) value \(value) not applied: no prices were read" }
        guard valuation.price(of: key.asset) == nil else { return nil }
        return "\(scope) value \(value) \(valuation.currency) not applied: no price for \(key.asset)"
    }

    /// Whether any rule has a `value:` kind (which needs the job's `valuation:`).
    package var usesValue: Bool {
        ([defaultRule] + assets.values + venues.values + venueAssets.values.flatMap(\.values)).contains {
            $0.value != nil
        }
    }
}

/// One tolerance rule: any combination of an absolute amount, a relative fraction and inference from precision.
package struct ToleranceRule: Sendable, Hashable {
    /// A fixed amount.
    package var absolute: Amount?
    /// A fraction of the larger side (`0.0005` is 5 bps).
    package var relative: Amount?
    /// Inference from the statement's written precision.
    package var inferred: InferredTolerance?
    /// An amount in the job's reporting currency (materiality).
    package var value: Amount?

    /// Creates a rule.
    package init(
        absolute: Amount? = nil, relative: Amount? = nil, inferred: InferredTolerance? = nil, value: Amount? = nil
    ) {
        self.absolute = absolute
        self.relative = relative
        self.inferred = inferred
        self.value = value
    }

    /// A fraction in basis points, as written in sources: `0.0005` → `5`.
    static func basisPoints(_ fraction: Amount) -> String {
        fraction.multipliedTowardZero(by: Amount(10_000)).normalized.description
    }
}

/// Tolerance inferred from precision: `multiplier × 10^−decimals`.
package struct InferredTolerance: Sendable, Hashable {
    /// The share of one unit of the last printed digit (0.5 by default: half a unit).
    package var multiplier: Amount
    /// Whether integers (no decimals printed) get a tolerance of `multiplier` too; by default they are exact.
    package var integers: Bool

    /// Creates the inference settings.
    package init(multiplier: Amount? = nil, integers: Bool = false) {
        self.multiplier = multiplier ?? Amount(uncheckedSignificand: 5, scale: 1)
        self.integers = integers
    }
}
