public import Foundation
public import TroupeProviders
public import TroupeState

/// The life of one paid job as a value: events in, the next action out; no I/O, no clock of
/// its own. The executor performs each action and feeds the outcome back.
///
/// The rule it exists for: after the intent to create is committed, the only way to a second
/// create is a query that answers "not found". Ambiguity never submits.
public struct RenderLifecycle: Sendable, Equatable {
    public enum Action: Sendable, Equatable {
        /// Persist `submitting` with the external id (and a ledger line) before anything else.
        case commitIntent(externalID: String)
        case create(externalID: String)
        case query(externalID: String)
        /// Wait, then perform `then`.
        indirect case wait(seconds: Double, then: Action)
        case poll(taskID: String)
        case download(url: String)
        case fail(RunFailure)
        case stall(RunFailure)
        case stopRun(RunFailure)
        /// The job would need a create, which `--locked` forbids: stop it, nothing paid.
        case refuseCreate(String)
        /// A 1303: the account is at its limit; shrink the gate to what is in flight.
        indirect case lowerConcurrency(then: Action)
        /// Nobody can tell whether the create arrived: keep the job in doubt, send nothing.
        case doubt(RunFailure)
        case done
    }

    public private(set) var state: JobState
    public let externalID: String
    public private(set) var taskID: String?
    /// Consecutive retryable failures, for backoff.
    public private(set) var retries = 0
    /// Result URLs found expired; kept apart from `retries`, which every answer resets.
    public private(set) var expiredDownloads = 0
    public private(set) var submittedAt: Date?
    /// How long a task may take from submission before it is reported stalled.
    public var pollDeadline: Double = 3600
    /// False under `--locked`: a job may be adopted or polled, never created.
    public var mayCreate = true
    /// The provider finds a task by its external id for certain (Kling). False (fal): a create
    /// refused before it arrived is sent again without asking, and asking can end in doubt.
    public var findsByExternalID = true
    /// The user said to send this job again although it is in doubt (`--retry-in-doubt`).
    public var retryInDoubt = false
    /// Jitter in [0, 1) for backoff; injected so tests are deterministic.
    public var jitter: @Sendable () -> Double = { Double.random(in: 0..<1) }

    public static func == (a: Self, b: Self) -> Bool {
        a.state == b.state && a.externalID == b.externalID && a.taskID == b.taskID && a.retries == b.retries
    }

    /// `troupe-` + the first 32 hex digits of the key, `-rN` for a deliberate re-roll.
    public static func externalID(key: String, reroll: Int = 0) -> String {
        "troupe-" + key.prefix(32) + (reroll > 0 ? "-r\(reroll)" : "")
    }

    public init(externalID: String, state: JobState = .pending, taskID: String? = nil, submittedAt: Date? = nil) {
        self.externalID = externalID
        self.state = state
        self.taskID = taskID
        self.submittedAt = submittedAt
    }

    /// The first action when the executor picks the job up, fresh or after a crash.
    public mutating func resume() -> Action {
        switch state {
        case .pending:
            guard mayCreate else { return .refuseCreate("it was never created, and --locked creates nothing") }
            return .commitIntent(externalID: externalID)
        // A create may have reached the provider: ask before anything else.
        case .submitting: return .query(externalID: externalID)
        case .submitted: return taskID.map { .poll(taskID: $0) } ?? .query(externalID: externalID)
        // The result URL may have expired since: ask for the task again (by its id where the
        // provider cannot find it by the external id).
        case .succeeded: return findsByExternalID ? .query(externalID: externalID) : taskID.map { .poll(taskID: $0) } ?? .query(externalID: externalID)
        // Looked for again each run: the provider may list it by now.
        case .inDoubt: return .query(externalID: externalID)
        case .failed, .stalled, .fetched: return .done
        }
    }

    public mutating func intentCommitted() -> Action {
        precondition(state == .pending || state == .submitting || state == .inDoubt)
        state = .submitting
        return .create(externalID: externalID)
    }

    public mutating func handle(_ reply: ProviderReply, now: Date) -> Action {
        switch reply {
        case .accepted(let id, _):
            guard state == .submitting else { return .query(externalID: externalID) }
            retries = 0
            taskID = id
            state = .submitted
            submittedAt = submittedAt ?? now
            return .poll(taskID: id)
        case .task(let id, let status):
            retries = 0
            taskID = id
            if state == .submitting || state == .pending || state == .inDoubt { submittedAt = submittedAt ?? now }
            switch status {
            case .queued, .processing:
                state = .submitted
                if let start = submittedAt, now.timeIntervalSince(start) > pollDeadline {
                    state = .stalled
                    return .stall(.stalled(taskID: id, deadline: Int(pollDeadline)))
                }
                return .poll(taskID: id)
            case .succeeded(let url, _, _):
                state = .succeeded
                return .download(url: url)
            case .failed(let message):
                state = .failed
                return .fail(.taskFailed(taskID: id, message: message))
            }
        case .notFound:
            // Only a query can say this; the provider never saw the create: safe to submit.
            guard state == .submitting || state == .succeeded || state == .submitted else { return .done }
            guard mayCreate else {
                return .refuseCreate("the provider no longer knows task \(externalID), and --locked creates nothing")
            }
            state = .submitting
            taskID = nil
            return .create(externalID: externalID)
        case .duplicate:
            return .query(externalID: externalID)
        case .retryable(let after, let concurrency):
            retries += 1
            // A create refused before it arrived: asked about first where asking is certain,
            // sent again at once where it is not (fal), as nothing was queued.
            let unsent = state == .submitting && taskID == nil
            let next: Action = unsent ? (findsByExternalID ? .query(externalID: externalID) : .create(externalID: externalID))
                : taskID.map { .poll(taskID: $0) } ?? .query(externalID: externalID)
            let wait = Action.wait(seconds: after ?? backoff(), then: next)
            return concurrency ? .lowerConcurrency(then: wait) : wait
        case .ambiguous:
            retries += 1
            // Never create on ambiguity: ask first.
            return .wait(seconds: backoff(), then: .query(externalID: externalID))
        case .rejected(let message, let code):
            state = .failed
            return .fail(.rejected(code: code, message: message))
        case .fatal(let message, let code):
            return .stopRun(.fatal(code: code, message: message))
        case .unknown(let reason):
            guard state == .submitting || state == .inDoubt else { return .query(externalID: externalID) }
            retries = 0
            if retryInDoubt && mayCreate {
                // The user accepted paying twice: a fresh intent, then the create.
                retryInDoubt = false
                state = .inDoubt
                return .commitIntent(externalID: externalID)
            }
            state = .inDoubt
            return .doubt(.inDoubt(reason: reason))
        }
    }

    public mutating func downloaded() -> Action {
        state = .fetched
        return .done
    }

    /// A result URL that no longer answers: ask for the task again (a fresh URL), up to three
    /// times; the fourth expiry fails the job rather than querying forever.
    public mutating func downloadExpired() -> Action {
        expiredDownloads += 1
        if expiredDownloads > 3 {
            state = .failed
            return .fail(.resultExpired())
        }
        return .query(externalID: externalID)
    }

    /// Jittered exponential backoff: 1, 2, 4 … 60 s, each scaled by 0.5–1.5.
    func backoff() -> Double {
        let base = min(60, pow(2, Double(max(0, retries - 1))))
        return base * (0.5 + jitter())
    }
}
