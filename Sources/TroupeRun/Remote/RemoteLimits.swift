import Foundation
import TroupeSupport

/// The account's limits in one place: the concurrency gate (a slot from create until the task
/// finishes) and the token bucket on create calls. Waiters queue in order; a released slot
/// wakes the next one. A lock rather than an actor: a job suspends only when it must wait,
/// where every actor call would hop executors twice even when nothing waits.
final class RemoteLimits: @unchecked Sendable {
    private let lock = NSLock()
    private var gate: ConcurrencyGate
    private var bucket: TokenBucket
    private let clock: any RunClock
    private var waiting: [(id: Int, continuation: CheckedContinuation<Void, Never>)] = []
    private var nextWaiter = 0
    private var closed = false

    init(concurrency: Int, createsPerSecond: Double, clock: any RunClock) {
        gate = ConcurrencyGate(limit: concurrency)
        bucket = TokenBucket(rate: createsPerSecond, capacity: max(1, createsPerSecond), now: clock.now)
        self.clock = clock
    }

    /// Waits for a free slot; false once the run is stopping. A released slot wakes the next
    /// waiter. While a 1303 holds the gate below the account's limit, a waiter also looks again
    /// after a while on its own (the gate grows back with time, not with releases), so no
    /// wake-up can be lost; at the full limit only a release can free a slot.
    func acquireSlot() async -> Bool {
        while true {
            enum Try { case acquired, closed, wait(id: Int, recheck: Double?) }
            let attempt: Try = lock.withLock {
                if closed { return .closed }
                if gate.tryAcquire(now: clock.now) { return .acquired }
                defer { nextWaiter += 1 }
                return .wait(id: nextWaiter, recheck: gate.limit < gate.configured ? min(gate.probeAfter, 5) : nil)
            }
            switch attempt {
            case .acquired: return true
            case .closed: return false
            case .wait(let id, let recheck):
                await withCheckedContinuation { c in
                    // A close or a release between the check above and now must not be missed.
                    let resumeNow = lock.withLock {
                        if closed || gate.inFlight < gate.limit { return true }
                        waiting.append((id, c))
                        return false
                    }
                    if resumeNow { return c.resume() }
                    if let recheck {
                        let clock = clock
                        Task { [weak self] in
                            try? await clock.sleep(recheck)
                            self?.wake(id)
                        }
                    }
                }
            }
        }
    }

    /// The run is stopping: everyone waiting for a slot gives up.
    func close() {
        let all = lock.withLock {
            closed = true
            defer { waiting = [] }
            return waiting
        }
        for w in all { w.continuation.resume() }
    }

    private func wake(_ id: Int) {
        let found = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            guard let i = waiting.firstIndex(where: { $0.id == id }) else { return nil }
            return waiting.remove(at: i).continuation
        }
        found?.resume()
    }

    /// Counts a task the provider already has (adopted after a restart): it holds a slot
    /// whatever the limit says.
    func holdSlot() {
        lock.withLock {
            if !gate.tryAcquire(now: clock.now) { gate.forceAcquire() }
        }
    }

    func releaseSlot() {
        let next = lock.withLock {
            gate.release()
            return takeOne()
        }
        next?.resume()
    }

    /// A 1303 for a create that held a slot: give it back and shrink to what is in flight.
    func concurrencyRefused() {
        let next = lock.withLock {
            gate.concurrencyRefused(now: clock.now)
            return gate.inFlight < gate.limit ? takeOne() : nil
        }
        next?.resume()
    }

    /// Under the lock: the first waiter, to resume after unlocking.
    private func takeOne() -> CheckedContinuation<Void, Never>? {
        waiting.isEmpty ? nil : waiting.removeFirst().continuation
    }

    /// Slots held now (tasks created and not finished, as this runner counts them).
    var slotsInUse: Int { lock.withLock { gate.inFlight } }

    /// Waits for a create token.
    func takeToken() async throws {
        while let wait = lock.withLock({ bucket.take(now: clock.now) }) {
            try await clock.sleep(wait)
        }
    }
}
