import Testing

@testable import Reconciliation

@Suite struct InputRecordTests {
    @Test func theAuditRecordOfAnInputIsReportJSONsWithItsPlace() {
        var skipped = InputSummary(
            side: .statement, name: "bank", kind: .balances, files: [], recordCount: 0, balanceCount: 0,
            diagnostics: (0..<60).map { Diagnostic(.note, "n\($0)") }, error: nil, failed: false)
        skipped.skipped = true
        let record = AuditTrail.inputRecord(runID: "r", position: 3, skipped)
        // A skipped input was recorded as "ok" in the audit file while report.json said "skipped".
        #expect(record["status"] == .string("skipped"))
        #expect(record["diagnostic_count"] == .integer(60))
        guard case .array(let listed)? = record["diagnostics"] else {
            Issue.record("no diagnostics")
            return
        }
        #expect(listed.count == AuditTrail.maxDiagnostics)
        guard case .object(let report) = skipped.jsonValue else {
            Issue.record("not an object")
            return
        }
        for (name, value) in report where name != "diagnostics" { #expect(record[name] == value, "\(name)") }
        #expect(record["type"] == .string("input") && record["position"] == .integer(3))
    }
}
