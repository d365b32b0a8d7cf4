import Testing

@testable import Reconciliation

/// The sizes docs/PERFORMANCE.md gives for what a run holds per key: a regression here is memory at a million keys.
@Suite struct LayoutTests {
    @Test func aBalanceAndALineStaySmall() {
        // An amount is two words and a byte in 24 bytes, absent or not (it was an Int128 and an Int in 32).
        #expect(MemoryLayout<Amount>.stride == 24)
        #expect(MemoryLayout<Amount?>.stride == 24)
        #expect(MemoryLayout<Balance>.stride <= 120)
        #expect(MemoryLayout<ReconciliationLine>.stride <= 320)
    }

    /// What a run holds per input, several times over (the job, the run's list, each outcome): 784 and 992 bytes
    /// with the options and fetch settings inline.
    @Test func anInputAndItsOutcomeStaySmall() {
        #expect(MemoryLayout<InputSpec>.stride <= 160)
        #expect(MemoryLayout<InputOutcome>.stride <= 384)
    }

    /// The options and fetch settings are shared by reference between copies, but an input is still a value: a change
    /// to one copy is not seen by another, and equality and hashing look at the values.
    @Test func anInputIsStillAValue() {
        let original = InputSpec(side: .ledger, name: "ledger", files: [], options: InputOptions(kind: .entries))
        var changed = original
        changed.options.kind = .balances
        changed.fetch = FetchSpec(api: .kraken)
        #expect(original.options.kind == .entries)
        #expect(original.fetch == nil)
        #expect(changed.options.kind == .balances)
        #expect(changed.fetch?.api == .kraken)
        #expect(original != changed)
        var same = changed
        same.options.kind = .balances  // the same value, written again
        #expect(same == changed)
        #expect(Set([same, changed, original]).count == 2)
        var unshared = InputSpec(side: .ledger, name: "ledger", files: [], options: InputOptions(kind: .entries))
        unshared.options.kind = .balances
        #expect(unshared.options.kind == .balances)
        unshared.fetch = nil
        #expect(unshared.fetch == nil)
    }

    /// `recon` asks glibc for one allocator arena (docs/PERFORMANCE.md: 25-30 MB less at 10,000 inputs); the request
    /// must be one the allocator takes.
    @Test func theAllocatorTakesTheOneArenaSetting() {
        #if canImport(Glibc)
            #expect(Allocator.useOneArena())
        #endif
    }
}
