public import Foundation

/// Real time, optionally compressed: `scale` simulated seconds per real second, matching a
/// simulator started with the same time scale.
public struct ScaledClock: RunClock {
    public let scale: Double
    private let origin = ContinuousClock.now
    private let originDate = Date()

    public init(scale: Double = 1) {
        self.scale = max(scale, 1e-9)
    }

    public var now: Double {
        let d = ContinuousClock.now - origin
        return (Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18) * scale
    }

    /// At real speed the wall clock (a record's stamp says when it happened); compressed, the
    /// start plus the simulated seconds since, so a three-hour deadline passes in 10.8 s at 1000×.
    public var date: Date {
        scale == 1 ? Date() : originDate.addingTimeInterval(now)
    }

    public func sleep(_ seconds: Double) async throws {
        guard seconds > 0 else { return }
        try await Task.sleep(for: .nanoseconds(Int64(seconds / scale * 1e9)))
    }
}
