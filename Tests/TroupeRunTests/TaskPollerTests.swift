import Foundation
import Testing
@testable import TroupeRun

/// The poller wakes a job when its task changes (or now and then, for its stall deadline),
/// not on every list call, and lets everyone go at once when the run stops.
struct TaskPollerTests {
    /// A provider whose list call reports `status` for every task asked about, counting calls.
    final class ListOnly: RemoteProvider, @unchecked Sendable {
        let name = "list-only"
        private let lock = NSLock()
        private var _status = RemoteStatus.processing
        private var _polls = 0
        var status: RemoteStatus {
            get { lock.withLock { _status } }
            set { lock.withLock { _status = newValue } }
        }
        var polls: Int { lock.withLock { _polls } }

        func poll(taskIDs: Set<String>) async -> [String: RemoteStatus]? {
            lock.withLock {
                _polls += 1
                return Dictionary(uniqueKeysWithValues: taskIDs.map { ($0, _status) })
            }
        }
        func create(_ request: RemoteRenderRequest) async -> ProviderReply { .fatal("not used") }
        func query(externalID: String) async -> ProviderReply { .fatal("not used") }
        func createElement(_ request: RemoteElementRequest) async -> ProviderReply { .fatal("not used") }
        func queryElement(externalID: String) async -> ProviderReply { .fatal("not used") }
    }

    @Test func aJobHearsWhenItsTaskChangesNotEveryRound() async throws {
        let provider = ListOnly()
        // 1 simulated second = 5 ms: rounds at least a quarter interval apart with one task.
        let clock = RunClock(scale: 200)
        let poller = TaskPoller(provider: provider, clock: clock, interval: 1)
        var answers = 0
        var last = ProviderReply.notFound
        let finishAfter = 60
        while true {
            if provider.polls >= finishAfter { provider.status = .succeeded(url: "http://r/1.mp4") }
            last = await poller.next(taskID: "t1", externalID: "e1", startedAt: nil)
            answers += 1
            if case .task(_, let status) = last, status.isFinished { break }
        }
        let elapsed = clock.now
        #expect(last == .task(taskID: "t1", status: .succeeded(url: "http://r/1.mp4")))
        #expect(provider.polls >= finishAfter)
        // Answering every round would be one answer per round (rounds are at most a quarter
        // interval apart); here: the first status, one every ten intervals (more when a loaded
        // machine stretches the run), the finish.
        #expect(answers <= 3 + Int(elapsed / 10), "\(answers) answers for \(provider.polls) rounds in \(elapsed) s")
    }

    @Test func stoppingLetsEveryWaitingJobGoAtOnce() async throws {
        let provider = ListOnly()
        // The first round 250 s away in real time: only the stop can end the wait.
        let poller = TaskPoller(provider: provider, clock: RunClock(scale: 1), interval: 1000)
        let start = ContinuousClock.now
        async let waiting = poller.next(taskID: "t1", externalID: "e1", startedAt: 0)
        try await Task.sleep(for: .milliseconds(100))
        await poller.stop()
        // Never seen: the job is told to try again, which a stopping job does not.
        #expect(await waiting == .retryable(after: nil, concurrency: false))
        // Far sooner than the round (generous: the full suite keeps both cores busy).
        #expect(ContinuousClock.now - start < .seconds(60))
        #expect(provider.polls == 0)
        // A job that comes after the stop does not wait either.
        #expect(await poller.next(taskID: "t2", externalID: "e2", startedAt: 0) == .retryable(after: nil, concurrency: false))
    }
}
