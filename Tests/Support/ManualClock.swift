public import Foundation
public import TroupeSupport

/// A clock that moves only when told, for tests: a sleeper wakes once the clock reaches its
/// deadline, so waits, poll rounds and deadlines happen at exact times however busy the
/// machine is.
public final class ManualClock: RunClock, @unchecked Sendable {
    private enum Sleeper {
        /// `sleep` was called; its continuation is not stored yet.
        case arriving(deadline: Double)
        case waiting(deadline: Double, CheckedContinuation<Void, any Error>)
        /// Cancelled before its continuation was stored.
        case cancelled
    }

    private let lock = NSLock()
    private let origin: Date
    private var seconds: Double
    private var sleepers: [Int: Sleeper] = [:]
    private var nextID = 0
    /// Who waits for a sleeper made after a given one (`drive`, `waitForSleeper`).
    private var watchers: [(newerThan: Int, continuation: CheckedContinuation<Bool, Never>)] = []
    private var stopped = false

    public init(origin: Date = Date(timeIntervalSince1970: 1_700_000_000), now: Double = 0) {
        self.origin = origin
        seconds = now
    }

    public var now: Double { lock.withLock { seconds } }
    public var date: Date { origin.addingTimeInterval(now) }

    public func sleep(_ duration: Double) async throws {
        guard duration > 0 else { return }
        let id: Int = lock.withLock {
            nextID += 1
            sleepers[nextID] = .arriving(deadline: seconds + duration)
            return nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let (cancelled, woken): (Bool, [CheckedContinuation<Bool, Never>]) = lock.withLock {
                    guard case .arriving(let deadline) = sleepers[id] else {
                        sleepers[id] = nil
                        return (true, [])
                    }
                    sleepers[id] = .waiting(deadline: deadline, c)
                    let woken = watchers.filter { $0.newerThan < id }.map(\.continuation)
                    watchers.removeAll { $0.newerThan < id }
                    return (false, woken)
                }
                if cancelled { c.resume(throwing: CancellationError()) }
                for w in woken { w.resume(returning: true) }
            }
        } onCancel: {
            let c: CheckedContinuation<Void, any Error>? = lock.withLock {
                switch sleepers[id] {
                case .waiting(_, let c):
                    sleepers[id] = nil
                    return c
                case .arriving:
                    sleepers[id] = .cancelled
                    return nil
                case .cancelled, nil:
                    return nil
                }
            }
            c?.resume(throwing: CancellationError())
        }
    }

    /// How many sleepers wait for the clock.
    public var sleeperCount: Int {
        lock.withLock { sleepers.values.filter { if case .cancelled = $0 { false } else { true } }.count }
    }

    /// The earliest deadline of a sleeper.
    public var nextDeadline: Double? {
        lock.withLock { sleepers.values.compactMap(Self.deadline).min() }
    }

    /// Moves the clock to `time` (never back) and wakes, earliest first, every sleeper whose
    /// deadline it reached.
    public func advance(to time: Double) {
        let due: [CheckedContinuation<Void, any Error>] = lock.withLock {
            seconds = max(seconds, time)
            let ready = sleepers.compactMap { id, s -> (Int, Double, CheckedContinuation<Void, any Error>)? in
                guard case .waiting(let deadline, let c) = s, deadline <= seconds else { return nil }
                return (id, deadline, c)
            }.sorted { ($0.1, $0.0) < ($1.1, $1.0) }
            for (id, _, _) in ready { sleepers[id] = nil }
            return ready.map(\.2)
        }
        for c in due { c.resume() }
    }

    public func advance(by seconds: Double) {
        advance(to: now + seconds)
    }

    /// Runs `operation`, moving the clock to the next deadline whenever everything it started is
    /// asleep: virtual time passes only while nothing else can happen. After each move the
    /// clock waits for a new sleeper (or the end) before it moves again, so a woken task
    /// always gets to act first. Meant for one job at a time, where a sleeper means the
    /// rest is waiting for it.
    public func drive<T: Sendable>(_ operation: @escaping @Sendable () async throws -> T) async throws -> T {
        lock.withLock { stopped = false }
        let work = Task { try await operation() }
        let driver = Task {
            var seen = 0
            while await waitForSleeper(newerThan: seen) {
                seen = lock.withLock { nextID }
                if let next = nextDeadline { advance(to: next) }
            }
        }
        defer {
            stopWatching()
            driver.cancel()
        }
        return try await work.value
    }

    /// Waits until a sleeper made after the `newerThan`-th is asleep; false when the clock
    /// stops watching (the driven operation ended).
    @discardableResult
    public func waitForSleeper(newerThan: Int = 0) async -> Bool {
        await withCheckedContinuation { (c: CheckedContinuation<Bool, Never>) in
            let found: Bool? = lock.withLock {
                if stopped { return false }
                let asleep = sleepers.contains { key, s in
                    if case .waiting = s { key > newerThan } else { false }
                }
                if asleep { return true }
                watchers.append((newerThan, c))
                return nil
            }
            if let found { c.resume(returning: found) }
        }
    }

    /// Every watcher gives up, now and later.
    private func stopWatching() {
        let all: [CheckedContinuation<Bool, Never>] = lock.withLock {
            stopped = true
            defer { watchers = [] }
            return watchers.map(\.continuation)
        }
        for w in all { w.resume(returning: false) }
    }

    private static func deadline(_ s: Sleeper) -> Double? {
        switch s {
        case .arriving(let d), .waiting(let d, _): d
        case .cancelled: nil
        }
    }
}
