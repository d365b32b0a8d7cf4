/// What a run of a job would do, found without doing it: every input read exactly as a run reads it (templates,
/// globs, formats, cutoff), the lines it would classify and the tolerance each would get, and the rules of the job
/// that can never apply. Making a plan writes nothing — no reports, audit records, archive copies, repository rows or
/// lock files — and reads no history (the repository is not opened, since opening it may create or migrate it).
///
/// ```swift
/// let plan = ReconciliationJob(spec: job).plan()
/// print(plan.ready, plan.result.counts)
/// ```
package struct JobPlan: Sendable {
    /// The job as loaded.
    package let spec: JobSpec
    /// Every input as read, ledger first.
    package let inputs: [InputOutcome]
    /// The lines a run would write.
    package let result: ReconciliationResult
    /// Run-level notices a run would report.
    package let notices: [String]
    /// Rules of the job that no input can trigger (a tolerance for a venue nobody reports), with a suggestion.
    package let unusedRules: [String]
    /// The reference files (acknowledgements, prices, calendar) as read, with the acknowledgements' findings.
    package var references: [InputSummary] = []

    /// Whether every input and reference file reads cleanly (a run would not be partial).
    package var ready: Bool { !inputs.contains(where: \.failed) && !references.contains(where: \.failed) }

    /// 0 ready, 2 an input would fail.
    package var exitStatus: Int32 { ready ? 0 : 2 }

    /// The plan as one JSON document (`recon check --json`).
    package var jsonValue: JSONValue {
        var rules: [String: Int] = [:]
        for line in result.lines { rules[line.tolerance?.source ?? "not compared", default: 0] += 1 }
        return .object([
            "job": .string(spec.name), "as_of": .string(spec.asOf), "cutoff": spec.cutoff.jsonValue,
            "ready": .bool(ready), "exit_status": .integer(Int(exitStatus)),
            "inputs": .array(
                inputs.map { outcome in
                    .object([
                        "side": .string(outcome.spec.side.rawValue), "name": .string(outcome.spec.name),
                        "formats": .array(Set(outcome.files.map(\.format)).sorted().map { .string($0) }),
                        "format_detected": .bool(outcome.spec.format == nil),
                        "files": .array(outcome.files.map { .string($0.displayPath) }),
                        "records": .integer(outcome.recordCount), "balances": .integer(outcome.balances.count),
                        "status": .string(outcome.failed ? "fails" : outcome.skipped ? "skipped" : "ok"),
                        "diagnostics": .array(
                            outcome.diagnostics.map(\.jsonValue)
                                + (outcome.failure.map { [.string($0.description)] } ?? [])),
                    ])
                }),
            "counts": ReconciliationReport.countsJSON(result.counts),
            "tolerance_rules": .object(rules.mapValues { .integer($0) }),
            "lines": .array(
                result.lines.map { line in
                    .object([
                        "venue": .string(line.key.venue), "account": .string(line.key.account),
                        "asset": .string(line.key.asset), "classification": .string(line.classification.rawValue),
                        "tolerance": .amount(line.tolerance?.value),
                        "tolerance_source": .string(line.tolerance?.source),
                    ])
                }),
            "references": .array(references.map(\.jsonValue)),
            "unused_rules": .array(unusedRules.map { .string($0) }),
            "notices": .array(notices.map { .string($0) }),
        ])
    }
}

extension ReconciliationJob {
    /// The plan of a run of this job: inputs read and reconciled in memory, nothing written.
    package func plan(events: @Sendable (RunEvent) -> Void = { _ in }) -> JobPlan {
        let outcomes = loadInputs(collectsRawCodes: true, events: events)
        var references = ReferenceData.load(spec, open: openPath)
        let (reconciled, notices) = reconcile(outcomes, valuation: references.valuation)
        let (result, findings) = Acknowledgements.apply(references.acknowledgements, to: reconciled, asOf: spec.asOf)
        references.attach(findings)
        var plan = JobPlan(
            spec: spec, inputs: outcomes, result: result, notices: notices,
            unusedRules: Self.unusedRules(spec, outcomes))
        plan.references = references.summaries
        return plan
    }

    /// Tolerance rules and aliases that name a venue, asset or code no input reports.
    static func unusedRules(_ spec: JobSpec, _ outcomes: [InputOutcome]) -> [String] {
        let read = outcomes.filter { !$0.failed && !$0.skipped }
        // A rule may be unused only because its input failed: then say nothing about it.
        guard read.count == outcomes.count else { return [] }
        let venues = Set(read.flatMap { $0.balances.map(\.key.venue) })
        let assets = Set(read.flatMap { $0.balances.map(\.key.asset) })
        let codes = Set(read.flatMap(\.rawAssetCodes))
        func suggestion(_ name: String, among known: Set<String>) -> String {
            let close = known.filter { editDistance($0, name) <= max(1, min(2, name.count / 3)) }.sorted()
            return close.first.map { "; did you mean '\($0)'?" } ?? ""
        }
        var unused: [String] = []
        for venue in spec.tolerance.venues.keys.sorted() where !venues.contains(venue) {
            unused.append(
                "tolerance.venues.\(venue): venue '\(venue)' matches no input\(suggestion(venue, among: venues))")
        }
        for asset in spec.tolerance.assets.keys.sorted() where !assets.contains(asset) {
            unused.append(
                "tolerance.assets.\(asset): asset '\(asset)' matches no balance\(suggestion(asset, among: assets))")
        }
        for (venue, rules) in spec.tolerance.venueAssets.sorted(by: { $0.key < $1.key }) {
            guard venues.contains(venue) else {
                unused.append(
                    "tolerance.venue_assets.\(venue): venue '\(venue)' matches no input"
                        + suggestion(venue, among: venues))
                continue
            }
            let venueAssets = Set(read.flatMap { $0.balances.filter { $0.key.venue == venue }.map(\.key.asset) })
            for asset in rules.keys.sorted() where !venueAssets.contains(asset) {
                unused.append(
                    "tolerance.venue_assets.\(venue).\(asset): no \(venue) balance of '\(asset)'"
                        + suggestion(asset, among: venueAssets))
            }
        }
        for code in spec.aliases.keys.sorted() where !codes.contains(code.uppercased()) {
            unused.append(
                "aliases.\(code): no input writes the code '\(code)'\(suggestion(code.uppercased(), among: codes))")
        }
        for outcome in read {
            let inputCodes = Set(outcome.rawAssetCodes)
            for code in outcome.spec.aliases.keys.sorted() where !inputCodes.contains(code.uppercased()) {
                unused.append(
                    "\(outcome.spec.name): aliases.\(code): the input writes no code '\(code)'"
                        + suggestion(code.uppercased(), among: inputCodes))
            }
        }
        return unused
    }
}
