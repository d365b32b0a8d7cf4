import Testing

@testable import Reconciliation

/// The sizes docs/PERFORMANCE.md gives for what a run holds per key: a regression here is memory at a million keys.
@Suite struct LayoutTests {
    @Test func aBalanceAndALineStaySmall() {
        #expect(MemoryLayout<Balance>.stride <= 128)
        #expect(MemoryLayout<ReconciliationLine>.stride <= 368)
    }
}
