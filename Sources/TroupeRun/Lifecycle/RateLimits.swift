import Foundation

/// A token bucket on create calls: `rate` per second, bursts up to `capacity`.
/// Time comes in as an argument so tests run at compressed time.
public struct TokenBucket: Sendable, Equatable {
    public let rate: Double
    public let capacity: Double
    public private(set) var tokens: Double
    private var last: Double

    public init(rate: Double, capacity: Double? = nil, now: Double) {
        self.rate = rate
        self.capacity = capacity ?? max(1, rate)
        self.tokens = self.capacity
        self.last = now
    }

    /// Takes a token if one is there; otherwise says how long until one is.
    public mutating func take(now: Double) -> Double? {
        tokens = min(capacity, tokens + (now - last) * rate)
        last = now
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return (1 - tokens) / rate
    }
}

/// How many provider tasks may be in flight: a task holds a slot from create until it
/// finishes, as Kling counts. A 1303 lowers the limit to what is in flight; after a quiet
/// spell the limit probes back up one slot at a time, never above the configured one.
public struct ConcurrencyGate: Sendable, Equatable {
    public let configured: Int
    public private(set) var limit: Int
    public private(set) var inFlight = 0
    private var lastLowered: Double = -.infinity
    /// Seconds without a 1303 before probing one slot higher.
    public var probeAfter: Double = 30

    public init(limit: Int) {
        configured = max(1, limit)
        self.limit = configured
    }

    public mutating func tryAcquire(now: Double) -> Bool {
        if limit < configured, now - lastLowered >= probeAfter {
            limit += 1
            lastLowered = now
        }
        guard inFlight < limit else { return false }
        inFlight += 1
        return true
    }

    /// Counts a task that exists at the provider whatever the limit says (adopted on resume).
    public mutating func forceAcquire() {
        inFlight += 1
    }

    public mutating func release() {
        inFlight = max(0, inFlight - 1)
    }

    /// The provider said 1303 for a create that held a slot: give it back and shrink.
    public mutating func concurrencyRefused(now: Double) {
        release()
        limit = max(1, inFlight)
        lastLowered = now
    }
}
