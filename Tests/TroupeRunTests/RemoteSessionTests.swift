import Foundation
import TroupeTestSupport
import Testing
import TroupeManifest
import TroupeNet
import TroupeProviders
@testable import TroupePlan
@testable import TroupeRun
import TroupeState
import TroupeCache
import TroupeSupport

/// One paid job through the remote session against an in-process provider: deadlines on the
/// session's clock, typed failures, and the lease given back whichever way the job ends.
@Suite struct RemoteSessionTests {
    /// Accepts every create; its tasks stay `processing` for ever, or the create is refused.
    final class Provider: RemoteProvider, @unchecked Sendable {
        let kind = ProviderKind.kling
        let refusal: ProviderReply?
        private let lock = NSLock()
        private var _polls = 0
        private var _creates = 0
        var polls: Int { lock.withLock { _polls } }
        var creates: Int { lock.withLock { _creates } }

        init(refusal: ProviderReply? = nil) { self.refusal = refusal }

        func create(_ request: RemoteRenderRequest) async -> ProviderReply {
            lock.withLock { _creates += 1 }
            return refusal ?? .accepted(taskID: "t1")
        }
        func query(externalID: String) async -> ProviderReply { .task(taskID: "t1", status: .processing) }
        func poll(taskIDs: Set<String>) async -> [String: RemoteStatus]? {
            lock.withLock {
                _polls += 1
                return Dictionary(uniqueKeysWithValues: taskIDs.map { ($0, RemoteStatus.processing) })
            }
        }
        func createElement(_ request: RemoteElementRequest) async -> ProviderReply { .fatal("not used") }
        func queryElement(externalID: String) async -> ProviderReply { .fatal("not used") }
    }

    struct Fixture {
        let dir: String
        let store: StateStore
        let session: RemoteSession
        let job: Job
        let work: RemoteSession.Work

        init(provider: Provider, clock: any RunClock, deadline: Double = 600, maxUnits: Double? = nil,
             isStopping: @escaping @Sendable () -> Bool = { false }) throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-session-\(UUID().uuidString)").path
            store = try StateStore(path: dir + "/state.sqlite")
            var settings = RemoteSettings(concurrency: 1, createsPerSecond: 10)
            settings.pollInterval = 2
            settings.pollDeadline = deadline
            settings.clock = clock
            session = RemoteSession(provider: provider, settings: settings, maxUnits: maxUnits, store: store, http: HTTPClient(),
                                    isStopping: isStopping, stopRun: { _ in })
            let key = String(repeating: "ab", count: 32)
            job = Job(id: "render:mochi/wave", kind: .render, key: key, deps: [], subject: .export(path: "unused"), units: 5)
            work = .render(RemoteRenderRequest(externalID: RenderLifecycle.externalID(key: key), imageURL: "https://e/i.png",
                                               videoURL: "https://e/v.mp4", settings: RenderSettings(), elementID: nil))
        }

        func record(_ clock: any RunClock) -> JobRecord {
            JobRecord(key: job.key, id: job.id, kind: .render, units: job.units, now: clock.date)
        }

        /// Runs the job; the error it ended with and the record as it was left.
        func run(_ record: JobRecord) async -> (error: (any Error)?, record: JobRecord) {
            var record = record
            do {
                _ = try await session.run(job, record: &record, work: work, results: ResultCache(stateDirectory: dir + "/.troupe"))
                return (nil, record)
            } catch {
                return (error, record)
            }
        }

        func remove() { try? FileManager.default.removeItem(atPath: dir) }
    }

    /// The task is created at 0 and first asked for at 2; it keeps answering `processing`, which
    /// the job hears every ten intervals (22, 42 … ): the first it hears after the 600 s
    /// deadline, at 602, stalls it, and nothing is created again.
    @Test func aTaskThatNeverFinishesStallsAtTheFirstAnswerPastItsDeadline() async throws {
        let provider = Provider()
        let clock = ManualClock()
        let f = try Fixture(provider: provider, clock: clock)
        defer { f.remove() }
        let start = f.record(clock)
        let (error, record) = try await clock.drive { await f.run(start) }
        #expect(error as? RunFailure == .stalled(taskID: "t1", deadline: 600))
        #expect(clock.now == 602)
        #expect(provider.polls == 301)
        #expect(provider.creates == 1)
        #expect(record.state == .stalled && record.taskId == "t1")
        #expect(record.lastError == RunFailure.stalled(taskID: "t1", deadline: 600).description)
        #expect(record.updatedAt == clock.date)
        #expect(try f.store.records(keys: [f.job.key])[f.job.key]?.state == .stalled)
    }

    /// At time scale 1000 a ten-minute deadline passes in 0.6 real seconds: the deadline runs
    /// on the simulated time the polls run on. On the wall clock it would take ten minutes,
    /// and the watchdog would stop the job instead.
    @Test func thePollDeadlinePassesOnCompressedTime() async throws {
        let provider = Provider()
        let clock = ScaledClock(scale: 1000)
        let began = ContinuousClock.now
        let f = try Fixture(provider: provider, clock: clock, deadline: 600,
                            isStopping: { ContinuousClock.now - began > .seconds(300) })
        defer { f.remove() }
        let start = f.record(clock)
        let (error, record) = await f.run(start)
        #expect(error as? RunFailure == .stalled(taskID: "t1", deadline: 600), "\(String(describing: error))")
        #expect(record.state == .stalled)
        // Never before the simulated deadline; then at the first answer after it.
        #expect(record.updatedAt.timeIntervalSince(start.updatedAt) > 600)
        #expect(provider.creates == 1)
    }

    /// A refused create fails the job with the provider's code and words, gives its slot back
    /// and charges nothing: the next job gets the slot and the whole budget.
    @Test func aRefusedCreateFailsTypedAndEndsItsLease() async throws {
        let provider = Provider(refusal: .rejected("Kling refused the content (1301): nope", code: 1301))
        let clock = ManualClock()
        let f = try Fixture(provider: provider, clock: clock, maxUnits: 5)
        defer { f.remove() }
        let (error, record) = await f.run(f.record(clock))
        #expect(error as? RunFailure == .rejected(code: 1301, message: "Kling refused the content (1301): nope"))
        #expect(record.state == .failed && record.lastError == "Kling refused the content (1301): nope")
        #expect(f.session.budget.charged == 0)
        #expect(await f.session.limits.acquireSlot())
        f.session.limits.releaseSlot()
        #expect(throws: Never.self) { try f.session.budget.reserve(5, job: "next") }
    }

    /// A stop while the job waits for its poll round: the job leaves with its task recorded in
    /// flight (the next run polls it), its slot given back and nothing charged or reserved.
    @Test func aStopWhilePollingEndsTheLeaseAndKeepsTheTask() async throws {
        final class Switch: @unchecked Sendable {
            private let lock = NSLock()
            private var on = false
            var isOn: Bool { lock.withLock { on } }
            func set() { lock.withLock { on = true } }
        }
        let stopping = Switch()
        let clock = ManualClock()
        let f = try Fixture(provider: Provider(), clock: clock, maxUnits: 5, isStopping: { stopping.isOn })
        defer { f.remove() }
        let start = f.record(clock)
        let job = Task { await f.run(start) }
        await clock.waitForSleeper()
        stopping.set()
        await f.session.poller.stop()
        let (error, record) = await job.value
        #expect(error is JobInterrupted, "\(String(describing: error))")
        #expect(record.state == .submitted && record.taskId == "t1" && record.lastError == nil)
        #expect(clock.now == 0)
        #expect(f.session.budget.charged == 0)
        #expect(await f.session.limits.acquireSlot())
        f.session.limits.releaseSlot()
        #expect(throws: Never.self) { try f.session.budget.reserve(5, job: "next") }
    }
}
