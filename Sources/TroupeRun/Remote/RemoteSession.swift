import Foundation
import TroupeProviders
import TroupeNet
import TroupePlan
import TroupeSupport
import TroupeState
import TroupeCache

/// What a remote paid job produced: a downloaded file (renders) or an element id (elements),
/// and what the provider deducted.
struct RemoteOutcome: Sendable {
    /// The render's file in the result cache, by its digest (taken as it arrived).
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

/// Another runner holds the job's lease (shared state): tried again later in this run.
struct JobDeferred: Error {
    var runner: String
}

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
    let clock: any RunClock
    let store: any StateStoring
    /// The account's slots across runners, once the run has joined its team (shared state).
    let shared = Locked<AccountSlots?>(nil)
    let http: HTTPClient
    let pollInterval: Double
    let pollDeadline: Double
    let isStopping: @Sendable () -> Bool
    /// The campaign's lock: read only when a result cannot be fetched, to say how old it is.
    let lockPath: String?
    /// False under `--locked`: tasks are adopted, never created.
    let mayCreate: Bool
    /// `--retry-in-doubt`: nil, not asked; empty, every job in doubt; else globs over names.
    let retryInDoubt: [String]?
    /// Called with the provider's words when an answer means no job can go on (auth, arrears).
    let stopRun: @Sendable (String) -> Void
    /// Where a job's own events go (a request found again, its place in the provider's queue).
    let observe: @Sendable (RunEvent) -> Void

    init(provider: any RemoteProvider, settings: RemoteSettings, maxUnits: Double?, store: any StateStoring, http: HTTPClient,
         mayCreate: Bool = true, lockPath: String? = nil, retryInDoubt: [String]? = nil,
         isStopping: @escaping @Sendable () -> Bool, stopRun: @escaping @Sendable (String) -> Void,
         observe: @escaping @Sendable (RunEvent) -> Void = { _ in }) {
        self.mayCreate = mayCreate
        self.retryInDoubt = retryInDoubt
        self.lockPath = lockPath
        self.provider = provider
        clock = settings.clock ?? ScaledClock(scale: settings.timeScale)
        limits = RemoteLimits(concurrency: settings.concurrency, createsPerSecond: settings.createsPerSecond, clock: clock)
        poller = TaskPoller(provider: provider, clock: clock, interval: settings.pollInterval)
        budget = BudgetGuard(maxUnits: maxUnits)
        self.store = store
        self.http = http
        pollInterval = settings.pollInterval
        pollDeadline = settings.pollDeadline
        self.isStopping = isStopping
        self.stopRun = stopRun
        self.observe = observe
    }

    /// A create whose answer was lost, found among the provider's recent requests and taken as
    /// the job's: the only trace of it, so it is said.
    func adopted(_ job: Job, taskID: String) {
        observe(RunEvent(.warning, at: clock.date, job: job.id,
                         message: "the submit's answer was lost; found request \(taskID) at the provider with the same inputs and took it (not submitted again)"))
    }

    /// Takes `record` from wherever it is (fresh, or left by a crash) to a finished task whose
    /// row is saved `fetched`: a render's file in `results` (until then the store says the task
    /// is in flight, and a crash polls and downloads again), an element with its id. A failure
    /// is saved in the record and thrown (a `RunFailure`, `JobInterrupted`, `LockedRefusal` or
    /// `BudgetRefusal`).
    /// `rowResult`: a finished task's result fetched again for this runner alone; its row
    /// (another runner's, in shared state) is left as it is unless the file differs from it.
    /// `marks`: where the job tells the run's timeline which phase it is in.
    func run(_ job: Job, record: inout JobRecord, work: Work, rowResult: String? = nil,
             results: ResultCache, marks: JobMarks = .none) async throws -> RemoteOutcome {
        var remote = RemoteJob(session: self, job: job, record: record, work: work, rowResult: rowResult, results: results,
                               marks: marks)
        var action = await remote.start()
        let outcome: Result<RemoteOutcome, any Error>
        do {
            while true {
                switch try await remote.perform(action) {
                case .next(let next): action = next; continue
                case .finished(let done): outcome = .success(done)
                }
                break
            }
        } catch {
            outcome = .failure(error)
        }
        // Whichever way the job ended, its slot and budget reservation end with it: here, and
        // only here.
        await remote.endLease()
        record = remote.record
        return try outcome.get()
    }

    /// Days since the lock says the job's result was made, when that is longer than the
    /// provider keeps results: why the provider no longer has it. Read from the lock only on
    /// this rare path.
    func expiredAge(of job: Job) -> Int? {
        guard let lockPath, let lock = try? Lockfile.read(lockPath),
              let days = lock.render(key: job.key, names: job.names)?.ageInDays(now: clock.date),
              days >= Lockfile.providerKeepsDays else { return nil }
        return days
    }

    /// Whether the user said to send this job again although it is in doubt.
    func retriesInDoubt(_ job: Job) -> Bool {
        guard let patterns = retryInDoubt else { return false }
        return patterns.isEmpty || job.isNamed(byAnyOf: patterns)
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
        case .unknown: "in-doubt"
        }
    }

    static func ledgerDetail(_ reply: ProviderReply) -> String? {
        switch reply {
        case .accepted(let id, _): "task \(id)"
        case .ambiguous(let m), .rejected(let m, _), .fatal(let m, _), .unknown(let m): m
        case .retryable(let after, let concurrency): (concurrency ? "1303" : "retryable") + (after.map { " after \($0) s" } ?? "")
        default: nil
        }
    }
}

extension RenderLifecycle.Action {
    var isDownload: Bool {
        if case .download = self { return true }
        return false
    }
}
