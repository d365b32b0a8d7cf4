import Foundation

/// Runs another source on its own thread, a few chunks ahead of the consumer, so that reading and inflating one input
/// overlap with parsing it.
///
/// Memory is fixed: `depth` chunks of `chunkSize` bytes. The producer stops when the consumer goes away.
package final class PrefetchingByteSource: ByteSource {
    private final class Shared: @unchecked Sendable {
        // Everything below is guarded by `condition`.
        let condition = NSCondition()
        var filled: [(slot: Int, count: Int)] = []
        var free: [Int]
        var failure: ReconciliationError?
        var ended = false
        var cancelled = false
        var producerRunning = false
        /// Allocated when the producer starts: a source handed over unread (``takeUnstarted()``) never needs them.
        private(set) var slots: [UnsafeMutableRawBufferPointer] = []
        private let chunkSize: Int

        init(depth: Int, chunkSize: Int) {
            self.chunkSize = chunkSize
            free = Array(0..<depth)
        }

        func allocateSlots() {
            slots = free.map { _ in UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 64) }
        }

        deinit {
            for slot in slots { slot.deallocate() }
        }
    }

    private final class UpstreamBox: @unchecked Sendable {
        // Touched only by the producer thread once it starts.
        let source: any ByteSource
        init(_ source: any ByteSource) { self.source = source }
    }

    private let shared: Shared
    private var upstream: UpstreamBox?
    private var current: (slot: Int, count: Int, offset: Int)?
    private var done = false

    /// Wraps `upstream`; nothing is read until the first `read(into:)`.
    package init(upstream: any ByteSource, chunkSize: Int = 1 << 20, depth: Int = 4) {
        self.shared = Shared(depth: max(2, depth), chunkSize: chunkSize)
        self.upstream = UpstreamBox(upstream)
    }

    deinit {
        stop()
    }

    /// Stops the producer and waits until it no longer touches the upstream source, so the caller may use it again
    /// (to finish its digest, say).
    package func stop() {
        shared.condition.lock()
        shared.cancelled = true
        shared.condition.broadcast()
        while shared.producerRunning { shared.condition.wait() }
        shared.condition.unlock()
    }

    /// The wrapped source itself, when nothing was read through this one yet: a caller that reads in large blocks on
    /// a thread of its own gains nothing from a second thread and a copy. This source then reads nothing.
    package func takeUnstarted() -> (any ByteSource)? {
        guard let box = upstream else { return nil }
        upstream = nil
        done = true
        return box.source
    }

    private func start() {
        guard let box = upstream else { return }
        upstream = nil
        let shared = shared
        shared.allocateSlots()
        shared.condition.lock()
        shared.producerRunning = true
        shared.condition.unlock()
        let thread = Thread {
            defer {
                shared.condition.lock()
                shared.producerRunning = false
                shared.condition.broadcast()
                shared.condition.unlock()
            }
            while true {
                shared.condition.lock()
                while shared.free.isEmpty && !shared.cancelled { shared.condition.wait() }
                if shared.cancelled {
                    shared.condition.unlock()
                    return
                }
                let slot = shared.free.removeFirst()
                shared.condition.unlock()

                var count = 0
                var failure: ReconciliationError?
                do throws(ReconciliationError) {
                    count = try box.source.read(into: shared.slots[slot])
                } catch {
                    failure = error
                }

                shared.condition.lock()
                if let failure {
                    shared.failure = failure
                } else if count == 0 {
                    shared.ended = true
                    shared.free.append(slot)
                } else {
                    shared.filled.append((slot, count))
                }
                shared.condition.broadcast()
                let stop = failure != nil || count == 0
                shared.condition.unlock()
                if stop { return }
            }
        }
        thread.name = "recon.prefetch"
        thread.stackSize = 1 << 20
        thread.start()
    }

    package func read(into buffer: UnsafeMutableRawBufferPointer) throws(ReconciliationError) -> Int {
        guard !done, let destination = buffer.baseAddress, buffer.count > 0 else { return 0 }
        if upstream != nil { start() }
        if current == nil {
            shared.condition.lock()
            while shared.filled.isEmpty && !shared.ended && shared.failure == nil { shared.condition.wait() }
            if !shared.filled.isEmpty {
                let next = shared.filled.removeFirst()
                current = (next.slot, next.count, 0)
                shared.condition.unlock()
            } else {
                let failure = shared.failure
                shared.condition.unlock()
                done = true
                if let failure { throw failure }
                return 0
            }
        }
        guard let chunk = current, let source = shared.slots[chunk.slot].baseAddress else { return 0 }
        let count = min(buffer.count, chunk.count - chunk.offset)
        destination.copyMemory(from: source + chunk.offset, byteCount: count)
        if chunk.offset + count == chunk.count {
            current = nil
            shared.condition.lock()
            shared.free.append(chunk.slot)
            shared.condition.broadcast()
            shared.condition.unlock()
        } else {
            current = (chunk.slot, chunk.count, chunk.offset + count)
        }
        return count
    }
}
