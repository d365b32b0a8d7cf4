import CReconSystem

/// Process-wide allocator settings for `recon`.
package enum Allocator {
    /// Keeps glibc's allocator to one arena. By default it gives each thread that meets contention an arena of its
    /// own (up to 8 per core), and memory freed into one is not reused by another: a run reading 10,000 statement
    /// files on every core peaked at 104-110 MB resident with a 57 MB heap, and at 77-95 MB with one arena, in the
    /// same time; the 1.5M-key and 10M-entry runs took the same time either way (docs/PERFORMANCE.md). The row loops
    /// do not allocate, so threads rarely meet on the one lock. Call before starting threads. Returns whether the
    /// allocator took the setting (`false` off glibc).
    @discardableResult
    package static func useOneArena() -> Bool {
        recon_use_single_malloc_arena() == 1
    }
}
