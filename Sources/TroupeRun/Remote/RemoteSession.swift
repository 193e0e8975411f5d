import Foundation
import TroupeNet
import TroupePlan

/// What a remote paid job produced: a downloaded file (renders) or an element id (elements),
/// and what the provider deducted.
struct RemoteOutcome: Sendable {
    var downloaded: String?
    /// The downloaded file's digest, taken as it arrived.
    var sha256: String?
    var elementID: Int64?
    var units: Double
    var seconds: Double?
    /// This run committed the intent and sent the create: the units are this run's spending
    /// (a task adopted from an earlier run or a lock was paid then).
    var paidNow = false
}

/// A paid job `--locked` will not create: it is neither recorded nor known to the provider.
public struct LockedRefusal: Error, CustomStringConvertible {
    public var job: String
    public var units: Double
    public var reason: String
    public var description: String { "\(job): \(reason)" }
}

/// The job stopped before it finished because the run is stopping; its state is saved and
/// the next run picks it up where it is.
struct JobInterrupted: Error {}

/// Runs the paid jobs of one `troupe run` against a remote provider: drives each job's
/// `RenderLifecycle`, performing its actions (commit, create, query, poll, wait, download)
/// within the account's limits and committing every state change before the next call.
final class RemoteSession: Sendable {
    enum Work: Sendable {
        case render(RemoteRenderRequest)
        case element(RemoteElementRequest)

        var externalID: String {
            switch self {
            case .render(let r): r.externalID
            case .element(let e): e.externalID
            }
        }
    }

    let provider: any RemoteProvider
    let limits: RemoteLimits
    let poller: TaskPoller
    let budget: BudgetGuard
    let clock: RunClock
    let store: StateStore
    let http: HTTPClient
    let pollInterval: Double
    let pollDeadline: Double
    let isStopping: @Sendable () -> Bool
    /// False under `--locked`: tasks are adopted, never created.
    let mayCreate: Bool
    /// Called with the provider's words when an answer means no job can go on (auth, arrears).
    let stopRun: @Sendable (String) -> Void

    init(provider: any RemoteProvider, settings: RemoteSettings, maxUnits: Double?, store: StateStore, http: HTTPClient,
         mayCreate: Bool = true, isStopping: @escaping @Sendable () -> Bool, stopRun: @escaping @Sendable (String) -> Void) {
        self.mayCreate = mayCreate
        self.provider = provider
        clock = RunClock(scale: settings.timeScale)
        limits = RemoteLimits(concurrency: settings.concurrency, createsPerSecond: settings.createsPerSecond, clock: clock)
        poller = TaskPoller(provider: provider, clock: clock, interval: settings.pollInterval)
        budget = BudgetGuard(maxUnits: maxUnits)
        self.store = store
        self.http = http
        pollInterval = settings.pollInterval
        pollDeadline = settings.pollDeadline
        self.isStopping = isStopping
        self.stopRun = stopRun
    }

    /// Takes `record` from wherever it is (fresh, or left by a crash) to a finished task.
    /// On return a render's file is at `outcome.downloaded` (the caller records it `fetched`;
    /// until then the store says the task is in flight, and a crash polls and downloads again),
    /// an element is `fetched`; a failure is saved in the record and thrown.
    func run(_ job: Job, record: inout JobRecord, work: Work, downloadTo temporary: @Sendable () throws -> String) async throws -> RemoteOutcome {
        var lc = RenderLifecycle(externalID: record.externalTaskId ?? work.externalID, state: record.state,
                                 taskID: record.taskId, submittedAt: record.state == .submitted ? record.updatedAt : nil)
        lc.pollDeadline = pollDeadline
        lc.mayCreate = mayCreate
        let paidNow = record.state == .pending
        var holding = false
        var reserved = 0.0
        var units: Double?
        var seconds: Double?
        var downloadFailures = 0
        /// When this run sent the create that made the task (simulated clock): the task's start
        /// for the poller. Nil for a task found in flight.
        var sentAt: Double?
        var settled = false
        func note(_ reply: ProviderReply) {
            if case .task(_, .succeeded(_, let u, let s)) = reply {
                units = u ?? units
                seconds = s ?? seconds
            }
        }
        func release() async {
            if holding { limits.releaseSlot(); holding = false }
        }
        func settle(charged: Double) async {
            guard !settled else { return }
            settled = true
            budget.settle(reserved: reserved, charged: charged)
            reserved = 0
        }
        func save(_ error: String? = nil) throws {
            record.state = lc.state
            record.taskId = lc.taskID
            record.lastError = error
            record.updatedAt = clock.date
            try store.save(record)
        }
        // A task the provider may already be running holds a slot until we learn otherwise.
        if record.state == .submitting || record.state == .submitted {
            limits.holdSlot()
            holding = true
        }

        var action = lc.resume()
        while true {
            switch action {
            case .commitIntent(let externalID):
                if isStopping() { await release(); throw JobInterrupted() }
                // Slot first, then the budget: a job that waited for a slot is checked against
                // what was deducted while it waited, and never commits before it can create.
                if !holding {
                    guard await limits.acquireSlot() else { throw JobInterrupted() }
                    holding = true
                }
                do {
                    try budget.reserve(job.units, job: job.id)
                } catch {
                    await release()
                    throw error
                }
                reserved = job.units
                record.externalTaskId = externalID
                record.attempts += 1
                action = lc.intentCommitted()
                record.state = lc.state
                record.updatedAt = clock.date
                try store.commitIntent(record, at: record.updatedAt)

            case .create:
                if isStopping() { await release(); await settle(charged: 0); throw JobInterrupted() }
                if !holding {
                    guard await limits.acquireSlot() else { await settle(charged: 0); throw JobInterrupted() }
                    holding = true
                }
                try await limits.takeToken()
                // The wait may have been long: a stop that came meanwhile wins over the create.
                if isStopping() { await release(); await settle(charged: 0); throw JobInterrupted() }
                let reply: ProviderReply
                let sent = clock.now
                switch work {
                case .render(let r): reply = await provider.create(r)
                case .element(let e): reply = await provider.createElement(e)
                }
                switch reply {
                case .accepted, .duplicate, .ambiguous, .retryable(_, true): break
                default: await release()  // nothing was created: the slot is free again
                }
                if case .accepted = reply { sentAt = sent }
                // The answer, its ledger line and the state it leads to in one commit. An
                // accepted task waits for the next commit: the intent is committed, so a crash
                // before that finds the task again by its external id.
                action = lc.handle(reply, now: clock.date)
                record.state = lc.state
                record.taskId = lc.taskID
                record.lastError = nil
                record.updatedAt = clock.date
                let event = Self.ledgerEvent(reply), detail = Self.ledgerDetail(reply)
                if case .accepted = reply {
                    store.saveLater(record, ledger: event, detail: detail, at: record.updatedAt)
                } else {
                    try store.save(record, ledger: event, detail: detail, at: record.updatedAt)
                }

            case .query(let externalID):
                let reply: ProviderReply
                switch work {
                case .render: reply = await provider.query(externalID: externalID)
                case .element: reply = await provider.queryElement(externalID: externalID)
                }
                note(reply)
                if case .task(_, let status) = reply {
                    if status.isFinished { await release() } else if !holding { limits.holdSlot(); holding = true }
                }
                action = lc.handle(reply, now: clock.date)
                try save()

            case .poll(let taskID):
                if isStopping() { await release(); await settle(charged: 0); throw JobInterrupted() }
                let reply: ProviderReply
                switch work {
                case .render: reply = await poller.next(taskID: taskID, externalID: lc.externalID, startedAt: sentAt)
                case .element:
                    try await clock.sleep(pollInterval)
                    reply = await provider.queryElement(externalID: lc.externalID)
                }
                note(reply)
                if case .task(_, let status) = reply, status.isFinished { await release() }
                let before = lc.state
                action = lc.handle(reply, now: clock.date)
                // A success is saved with what the download brings (a crash before that polls
                // again and finds it succeeded); any other change now.
                if lc.state != before, !action.isDownload { try save() }

            case .wait(let delay, let then):
                if isStopping() { await release(); await settle(charged: 0); throw JobInterrupted() }
                try await clock.sleep(delay)
                action = then

            case .lowerConcurrency(let then):
                if holding {
                    limits.concurrencyRefused()
                    holding = false
                }
                action = then

            case .download(let url):
                await release()
                // The job that takes the freed slot goes first: a slot idles until its create
                // is sent, a result waits without cost (when tasks finish together, their
                // downloads would otherwise queue ahead of every next create).
                await Task.yield()
                record.unitsCharged = units ?? record.unitsCharged ?? job.units
                record.resultDuration = seconds ?? record.resultDuration
                await settle(charged: record.unitsCharged ?? 0)
                if case .element = work {
                    guard let id = Int64(url) else { try save(); throw RunError.provider("the element task returned an unreadable element_id '\(url)'") }
                    record.elementId = id
                    action = lc.downloaded()
                    try save()
                    return RemoteOutcome(downloaded: nil, elementID: id, units: record.unitsCharged ?? 0, seconds: nil, paidNow: paidNow)
                }
                let path = try temporary()
                do {
                    let (sha, _) = try await http.download(url, toNew: path)
                    return RemoteOutcome(downloaded: path, sha256: sha, elementID: nil,
                                         units: record.unitsCharged ?? 0, seconds: record.resultDuration, paidNow: paidNow)
                } catch let HTTPError.badStatus(status, _) where [401, 403, 404, 410].contains(status) {
                    action = lc.downloadExpired()
                    try save()
                } catch {
                    downloadFailures += 1
                    if downloadFailures > 5 {
                        try save("downloading the result failed: \(error)")
                        throw RunError.provider("downloading the result failed 6 times (\(error)); run again to retry")
                    }
                    if isStopping() { throw JobInterrupted() }
                    try await clock.sleep(min(60, pow(2, Double(downloadFailures))))
                }

            case .fail(let message):
                await release()
                await settle(charged: 0)
                try save(message)
                throw RunError.provider(message)

            case .stall(let message):
                // We stop counting it; the provider may still hold its slot until it ends.
                await release()
                await settle(charged: 0)
                try save(message)
                throw RunError.provider(message)

            case .refuseCreate(let reason):
                await release()
                await settle(charged: 0)
                throw LockedRefusal(job: job.id, units: job.units, reason: reason)

            case .stopRun(let message):
                await release()
                await settle(charged: 0)
                try save(message)
                stopRun(message)
                throw RunError.provider(message)

            case .done:
                await release()
                return RemoteOutcome(downloaded: nil, elementID: record.elementId,
                                     units: record.unitsCharged ?? 0, seconds: record.resultDuration)
            }
        }

    }

    static func ledgerEvent(_ reply: ProviderReply) -> String {
        switch reply {
        case .accepted: "created"
        case .duplicate: "duplicate"
        case .ambiguous: "ambiguous"
        case .retryable: "retry"
        case .rejected, .fatal: "rejected"
        case .task: "adopted"
        case .notFound: "not-found"
        }
    }

    static func ledgerDetail(_ reply: ProviderReply) -> String? {
        switch reply {
        case .accepted(let id): "task \(id)"
        case .ambiguous(let m), .rejected(let m), .fatal(let m): m
        case .retryable(let after, let concurrency): (concurrency ? "1303" : "retryable") + (after.map { " after \($0) s" } ?? "")
        default: nil
        }
    }
}

/// How the executor talks to a remote provider.
public struct RemoteSettings: Sendable {
    /// The account's parallel-task limit (the manifest's provider.concurrency).
    public var concurrency: Int
    /// Create calls per second (the manifest's provider.rate).
    public var createsPerSecond: Double
    /// Seconds between polls of the in-flight tasks.
    public var pollInterval: Double = 2
    /// A task not finished this long after submission is reported stalled.
    public var pollDeadline: Double = 3 * 3600
    /// Simulated seconds per real second (tests and benchmarks against a time-scaled simulator).
    public var timeScale: Double = 1

    public init(concurrency: Int, createsPerSecond: Double) {
        self.concurrency = concurrency
        self.createsPerSecond = createsPerSecond
    }
}

extension RenderLifecycle.Action {
    var isDownload: Bool {
        if case .download = self { return true }
        return false
    }
}
