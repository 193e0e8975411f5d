import Foundation
import TroupeTestSupport
import Testing
import TroupeManifest
import TroupeProviders
@testable import TroupeRun

/// The poller wakes a job when its task changes (or now and then, for its stall deadline),
/// not on every list call, and lets everyone go at once when the run stops.
struct TaskPollerTests {
    /// A provider whose list call reports `status` for every task asked about, counting calls.
    final class ListOnly: RemoteProvider, @unchecked Sendable {
        let kind = ProviderKind.kling
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
        let clock = ManualClock()
        let poller = TaskPoller(provider: provider, clock: clock, interval: 1)
        let answers = try await clock.drive {
            var answers: [Double] = []
            while true {
                if provider.polls >= 60 { provider.status = .succeeded(url: "http://r/1.mp4") }
                let last = await poller.next(taskID: "t1", externalID: "e1", startedAt: nil)
                answers.append(clock.now)
                if case .task(_, let status) = last, status.isFinished {
                    #expect(last == .task(taskID: "t1", status: .succeeded(url: "http://r/1.mp4")))
                    return answers
                }
            }
        }
        // A round every interval (a task found in flight is due at once); the job hears the
        // first status, then the same status every ten intervals (its stall deadline is
        // checked then), then the change, one round after it happened.
        #expect(answers == [1, 11, 21, 31, 41, 51, 61, 62])
        #expect(provider.polls == 62)
        #expect(clock.now == 62)
    }

    @Test func stoppingLetsEveryWaitingJobGoAtOnce() async throws {
        let provider = ListOnly()
        // The clock never moves: only the stop can end the wait for the round at 1000 s.
        let clock = ManualClock()
        let poller = TaskPoller(provider: provider, clock: clock, interval: 1000)
        async let waiting = poller.next(taskID: "t1", externalID: "e1", startedAt: 0)
        await clock.waitForSleeper()
        #expect(clock.nextDeadline == 1000)
        await poller.stop()
        // Never seen: the job is told to try again, which a stopping job does not.
        #expect(await waiting == .retryable(after: nil, concurrency: false))
        #expect(clock.now == 0)
        #expect(provider.polls == 0)
        // A job that comes after the stop does not wait either.
        #expect(await poller.next(taskID: "t2", externalID: "e2", startedAt: 0) == .retryable(after: nil, concurrency: false))
    }
}
