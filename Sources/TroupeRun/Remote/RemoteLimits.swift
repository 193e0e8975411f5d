import Foundation

/// The account's limits as one actor: the concurrency gate (a slot from create until the task
/// finishes) and the token bucket on create calls. Waiters queue in order; a released slot
/// wakes the next one.
actor RemoteLimits {
    private var gate: ConcurrencyGate
    private var bucket: TokenBucket
    private let clock: RunClock
    private var waiting: [CheckedContinuation<Void, Never>] = []
    /// 1303 answers seen, and when the last one came (simulated seconds).
    private(set) var concurrencyRefusals = 0

    init(concurrency: Int, createsPerSecond: Double, clock: RunClock) {
        gate = ConcurrencyGate(limit: concurrency)
        bucket = TokenBucket(rate: createsPerSecond, capacity: max(1, createsPerSecond), now: clock.now)
        self.clock = clock
    }

    var inFlight: Int { gate.inFlight }
    var limit: Int { gate.limit }

    /// Waits for a free slot. While the gate is shrunk after a 1303 it also wakes after the
    /// probe interval, when the gate may grow again.
    func acquireSlot() async {
        while !gate.tryAcquire(now: clock.now) {
            if gate.limit < gate.configured {
                let wake = gate.probeAfter
                let clock = clock
                Task { [weak self] in
                    try? await clock.sleep(wake)
                    await self?.wakeOne()
                }
            }
            await withCheckedContinuation { waiting.append($0) }
        }
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
        concurrencyRefusals += 1
        gate.concurrencyRefused(now: clock.now)
    }

    private func wakeOne() {
        if !waiting.isEmpty { waiting.removeFirst().resume() }
    }

    /// Waits for a create token.
    func takeToken() async throws {
        while let wait = bucket.take(now: clock.now) {
            try await clock.sleep(wait)
        }
    }
}
