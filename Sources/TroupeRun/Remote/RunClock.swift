public import Foundation

/// Time as the executor sees it: every wait, poll interval and deadline goes through a clock,
/// so tests and benchmarks can run provider time compressed (`scale` simulated seconds per
/// real second), matching a simulator started with the same time scale.
public struct RunClock: Sendable {
    public let scale: Double
    private let origin = ContinuousClock.now

    public init(scale: Double = 1) {
        self.scale = max(scale, 1e-9)
    }

    /// Simulated seconds since the clock was made.
    public var now: Double {
        let d = ContinuousClock.now - origin
        return (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) * scale
    }

    /// The simulated date, for record timestamps and the lifecycle's deadlines.
    public var date: Date { Date() }

    /// Sleeps `seconds` of simulated time.
    public func sleep(_ seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(for: .nanoseconds(Int64(seconds / scale * 1e9)))
    }
}
