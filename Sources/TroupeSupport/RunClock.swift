public import Foundation

/// Time as the executor sees it: every wait, backoff, poll interval, deadline and record stamp
/// of a remote job goes through a clock, so tests and benchmarks can run provider time
/// compressed (`ScaledClock`) or by hand (`ManualClock`).
public protocol RunClock: Sendable {
    /// Seconds since the clock was made, on its own time.
    var now: Double { get }
    /// The date on the clock's time: record stamps and the lifecycle's deadlines are measured
    /// between these, so a deadline runs on the same time as the polls that check it.
    var date: Date { get }
    /// Sleeps `seconds` of the clock's time; throws when the task is cancelled.
    func sleep(_ seconds: Double) async throws
}
