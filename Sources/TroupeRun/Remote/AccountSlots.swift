import Foundation
import TroupeState
import TroupeSupport

/// The account's slots shared by every runner (`--state postgres://…`): rows in the shared
/// store, so N runners together keep at most `provider.concurrency` tasks in flight and share
/// its create rate. One job per runner at a time asks for a slot (the others queue behind it
/// in `turn`); when none is free it waits for another runner's freed slot, or a second at
/// most (a dead runner's slots free themselves by expiring, and a lowered gate rises,
/// unannounced).
///
/// A slot freed while a job of this runner waits for one is handed to it (`spares`): moved
/// to the waiting job in the statement that takes it, instead of freed, announced to every
/// runner and taken again — one statement per render where there were two or more.
///
/// Its waits are on `clock` in real seconds (the limits are per real second whatever the
/// provider's time scale), so tests can drive them by hand.
final class AccountSlots: Sendable {
    let team: any TeamCoordinating
    /// A hash of the access key: the same for every runner of the account, never the key.
    let account: String
    private let clock: any RunClock
    private let freed = SlotSignal()
    private let listener: Locked<(any TeamSubscription)?> = Locked(nil)
    private let turn = Turnstile()
    /// Jobs of this runner waiting for a slot, and slots of ended tasks kept for them.
    private let handOff = Locked<(waiting: Int, spares: [String])>((0, []))
    /// When the account was last found full (freed slots heard by then, clock seconds): until
    /// another runner frees a slot or a second has passed, this runner's next job waits for a
    /// slot handed on here without asking again (a hand-off leaves the account as full).
    private let full = Locked<(notices: Int, at: Double)?>(nil)
    private let notices = Locked(0)

    init(team: any TeamCoordinating, account: String, concurrency: Int, createsPerRealSecond: Double,
         clock: any RunClock = ScaledClock()) async throws {
        self.team = team
        self.account = account
        self.clock = clock
        try await team.registerAccount(account, concurrency: concurrency, createsPerSecond: createsPerRealSecond)
        let freed = freed, notices = notices
        let subscription = try await team.listenForFreedSlots(account: account) {
            notices.withLock { $0 += 1 }
            freed.signal()
        }
        listener.withLock { $0 = subscription }
    }

    /// Waits for a slot and a create token for the job; false when `stopping` says so. Throws
    /// `JobDeferred` when the slots are held for tasks of a runner that died: this job waits
    /// at the back of the queue, and the jobs of those tasks (in every runner's queue) are
    /// taken over first — else every lane could wait for slots only a takeover frees.
    func acquire(key: String, stopping: @Sendable () -> Bool) async throws -> Bool {
        handOff.withLock { $0.waiting += 1 }
        let taken: Result<Bool, any Error>
        do { taken = .success(try await takeInTurn(key: key, stopping: stopping)) } catch { taken = .failure(error) }
        handOff.withLock { $0.waiting -= 1 }
        await releaseUnwanted()
        return try taken.get()
    }

    /// One job of this runner at a time asks; the others wait their turn.
    private func takeInTurn(key: String, stopping: @Sendable () -> Bool) async throws -> Bool {
        await turn.enter()
        defer { turn.leave() }
        while true {
            if stopping() { return false }
            let generation = freed.generation
            let spare = handOff.withLock { $0.spares.popLast() }
            let now = clock.now
            let heard = notices.withLock { $0 }
            if spare == nil, let last = full.withLock({ $0 }), last.notices == heard, now - last.at < 1 {
                await freed.wait(after: generation, timeout: 1 - (now - last.at), clock: clock)
                continue
            }
            let answer: SlotAnswer
            do {
                answer = try await team.takeSlot(account: account, key: key, from: spare)
            } catch {
                // Whether it moved is unknown: freed (a no-op if it did not), as any slot is.
                if let spare { await release(key: spare, handOff: false) }
                throw error
            }
            if answer == .full {
                full.withLock { $0 = (heard, now) }
            } else if spare == nil {
                full.withLock { $0 = nil }
            }
            switch answer {
            case .taken:
                return true
            case .tokenIn(let seconds):
                // Waiting for a create token, the spare stays this runner's.
                if let spare { handOff.withLock { $0.spares.append(spare) } }
                try? await clock.sleep(min(seconds, 5))
            case .heldForDeadRunner, .heldByAnotherRunner:
                try? await clock.sleep(0.05)
                throw JobDeferred(runner: answer == .heldForDeadRunner ? "a runner that died" : "another runner")
            case .full:
                // Under a lowered gate the spare was freed.
                await freed.wait(after: generation, timeout: 1, clock: clock)
            }
        }
    }

    func hold(key: String) async { try? await team.holdSlot(account: account, key: key) }

    /// Jobs of this runner waiting for a slot now.
    var waitingJobs: Int { handOff.withLock { $0.waiting } }

    /// The task ended: its slot goes to a job of this runner that waits for one, else back to
    /// the account (`handOff: false`: always back, as after a 1303).
    func release(key: String, handOff keep: Bool = true) async {
        let kept = keep && handOff.withLock { h -> Bool in
            guard h.waiting > h.spares.count else { return false }
            h.spares.append(key)
            return true
        }
        if kept { freed.signal() } else { try? await team.releaseSlot(account: account, key: key) }
    }

    /// Spares no job waits for any more go back to the account.
    private func releaseUnwanted() async {
        let extra = handOff.withLock { h -> [String] in
            let n = max(0, h.spares.count - h.waiting)
            defer { h.spares.removeLast(n) }
            return Array(h.spares.suffix(n))
        }
        for key in extra { await release(key: key, handOff: false) }
    }

    /// A 1303: the shared gate goes down to what is in flight for a while.
    func concurrencyRefused() async { try? await team.lowerGate(account: account, seconds: 10) }

    func close() async {
        await releaseUnwanted()
        listener.withLock { $0?.cancel(); $0 = nil }
        freed.signal()
    }
}

/// A counter of NOTIFYs and the tasks waiting for the next one.
final class SlotSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var count = 0
    private var waiters: [Int: CheckedContinuation<Void, Never>] = [:]
    private var next = 0

    var generation: Int { lock.withLock { count } }

    func signal() {
        let all = lock.withLock {
            count += 1
            defer { waiters = [:] }
            return Array(waiters.values)
        }
        for w in all { w.resume() }
    }

    /// Returns once a signal came after `generation`, or after `timeout` seconds of `clock`.
    func wait(after generation: Int, timeout: Double, clock: any RunClock) async {
        let id = lock.withLock { () -> Int in next += 1; return next }
        await withTaskGroup(of: Void.self) { group in
            group.addTask { [self] in
                await withTaskCancellationHandler {
                    await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
                        let now = lock.withLock { () -> Bool in
                            if count != generation || Task.isCancelled { return true }
                            waiters[id] = c
                            return false
                        }
                        if now { c.resume() }
                    }
                } onCancel: {
                    let w = lock.withLock { waiters.removeValue(forKey: id) }
                    w?.resume()
                }
            }
            group.addTask { try? await clock.sleep(timeout) }
            await group.next()
            group.cancelAll()
        }
    }
}

/// One task at a time, the others in arrival order.
final class Turnstile: @unchecked Sendable {
    private let lock = NSLock()
    private var busy = false
    private var queue: [CheckedContinuation<Void, Never>] = []

    func enter() async {
        await withCheckedContinuation { (c: CheckedContinuation<Void, Never>) in
            let now = lock.withLock { () -> Bool in
                if !busy { busy = true; return true }
                queue.append(c)
                return false
            }
            if now { c.resume() }
        }
    }

    func leave() {
        let next = lock.withLock { () -> CheckedContinuation<Void, Never>? in
            if queue.isEmpty { busy = false; return nil }
            return queue.removeFirst()
        }
        next?.resume()
    }
}
