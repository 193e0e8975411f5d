public import Foundation

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
                let cancelled: Bool = lock.withLock {
                    guard case .arriving(let deadline) = sleepers[id] else {
                        sleepers[id] = nil
                        return true
                    }
                    sleepers[id] = .waiting(deadline: deadline, c)
                    return false
                }
                if cancelled { c.resume(throwing: CancellationError()) }
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
        let work = Task { try await operation() }
        let done = Flag()
        let driver = Task {
            var seen = 0
            while !done.isSet {
                guard await waitForSleeper(newerThan: seen, until: { done.isSet }) else { return }
                seen = lock.withLock { nextID }
                if let next = nextDeadline { advance(to: next) }
            }
        }
        defer { driver.cancel() }
        do {
            let value = try await work.value
            done.set()
            return value
        } catch {
            done.set()
            throw error
        }
    }

    /// Waits (in real time) until a sleeper made after the `newerThan`-th is asleep; false
    /// when `stop` says to give up.
    @discardableResult
    public func waitForSleeper(newerThan: Int = 0, until stop: @Sendable () -> Bool = { false }) async -> Bool {
        while !hasSleeper(newerThan: newerThan) {
            if stop() || Task.isCancelled { return false }
            try? await Task.sleep(for: .milliseconds(1))
        }
        return true
    }

    /// A sleeper whose continuation is stored: it will not run until the clock moves.
    private func hasSleeper(newerThan id: Int) -> Bool {
        lock.withLock {
            sleepers.contains { key, s in
                if case .waiting = s { key > id } else { false }
            }
        }
    }

    private static func deadline(_ s: Sleeper) -> Double? {
        switch s {
        case .arriving(let d), .waiting(let d, _): d
        case .cancelled: nil
        }
    }

    private final class Flag: @unchecked Sendable {
        private let lock = NSLock()
        private var value = false
        var isSet: Bool { lock.withLock { value } }
        func set() { lock.withLock { value = true } }
    }
}
