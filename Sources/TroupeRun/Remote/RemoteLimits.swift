import Foundation

/// The account's limits as one actor: the concurrency gate (a slot from create until the task
/// finishes) and the token bucket on create calls. Waiters queue in order; a released slot
/// wakes the next one.
actor RemoteLimits {
    private var gate: ConcurrencyGate
    private var bucket: TokenBucket
    private let clock: RunClock
    private var waiting: [(id: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var nextWaiter = 0
    private var closed = false

    init(concurrency: Int, createsPerSecond: Double, clock: RunClock) {
        gate = ConcurrencyGate(limit: concurrency)
        bucket = TokenBucket(rate: createsPerSecond, capacity: max(1, createsPerSecond), now: clock.now)
        self.clock = clock
    }

    /// Waits for a free slot; false once the run is stopping. A released slot wakes the next
    /// waiter. While a 1303 holds the gate below the account's limit, a waiter also looks again
    /// after a while on its own (the gate grows back with time, not with releases), so no
    /// wake-up can be lost; at the full limit only a release can free a slot.
    func acquireSlot() async -> Bool {
        while !closed {
            if gate.tryAcquire(now: clock.now) { return true }
            let id = nextWaiter
            nextWaiter += 1
            if gate.limit < gate.configured {
                let clock = clock, recheck = min(gate.probeAfter, 5)
                Task { [weak self] in
                    try? await clock.sleep(recheck)
                    await self?.wake(id)
                }
            }
            await withCheckedContinuation { waiting.append((id, $0)) }
        }
        return false
    }

    /// The run is stopping: everyone waiting for a slot gives up.
    func close() {
        closed = true
        for w in waiting { w.continuation.resume() }
        waiting = []
    }

    private func wake(_ id: Int) {
        if let i = waiting.firstIndex(where: { $0.id == id }) { waiting.remove(at: i).continuation.resume() }
    }

    /// Counts a task the provider already has (adopted after a restart): it holds a slot
    /// whatever the limit says.
    func holdSlot() {
        if !gate.tryAcquire(now: clock.now) { gate.forceAcquire() }
    }

    func releaseSlot() {
        gate.release()
        wakeOne()
    }

    /// A 1303 for a create that held a slot: give it back and shrink to what is in flight.
    func concurrencyRefused() {
        gate.concurrencyRefused(now: clock.now)
        if gate.inFlight < gate.limit { wakeOne() }
    }

    private func wakeOne() {
        if !waiting.isEmpty { waiting.removeFirst().continuation.resume() }
    }

    /// Waits for a create token.
    func takeToken() async throws {
        while let wait = bucket.take(now: clock.now) {
            try await clock.sleep(wait)
        }
    }
}
