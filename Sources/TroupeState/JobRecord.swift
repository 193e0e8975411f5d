public import Foundation
public import TroupePlan

/// Where a job is in its life. Remote renders walk every state; local jobs go
/// pending → succeeded → fetched (their result is in the cache at once).
public enum JobState: String, Sendable, Codable, CaseIterable {
    case pending
    /// The intent to create is committed; a create call may be in flight or may have
    /// reached the provider without an answer. Never submit from here without querying.
    case submitting
    /// The provider has the task.
    case submitted
    /// The provider finished; the result is not yet downloaded.
    case succeeded
    /// Terminal: the provider refused or failed the task.
    case failed
    /// Terminal: polling passed its deadline; never resubmitted automatically.
    case stalled
    /// Terminal: the result is in the cache.
    case fetched
    /// A create whose outcome nobody can learn (a provider without idempotency keys, fal):
    /// it may have been queued and paid. Never sent again unless the user says so
    /// (`troupe run --retry-in-doubt`); a later run only looks for it again.
    case inDoubt = "in_doubt"

    public var isTerminal: Bool { self == .failed || self == .stalled || self == .fetched }
}

/// One row of the state store: everything troupe knows about a job key.
public struct JobRecord: Sendable, Codable, Equatable {
    public var key: String
    public var id: String
    public var kind: JobKind
    public var state: JobState
    public var externalTaskId: String?
    public var taskId: String?
    public var attempts: Int
    public var units: Double
    /// Units the provider actually deducted (final_unit_deduction), once known.
    public var unitsCharged: Double?
    public var elementId: Int64?
    public var resultSHA256: String?
    public var resultDuration: Double?
    public var lastError: String?
    /// What the provider handed back to follow the task by (fal's status, response and cancel
    /// URLs as JSON); nil for a provider whose task id is enough (Kling).
    public var providerHandle: String?
    /// Deliberate re-rolls so far (`troupe run --reroll`); the external id ends in `-rN`.
    public var reroll: Int = 0
    /// What the tasks replaced by re-rolls were charged: still paid, so still counted.
    public var unitsRerolled: Double = 0
    public var createdAt: Date
    public var updatedAt: Date

    /// The result a shared cache keeps for a team: a finished render's, prepared clip's or
    /// post-step output's (exports and uploads are the same bytes or elsewhere).
    public var sharedResult: String? {
        state == .fetched && (kind == .render || kind == .prepare || kind == .post) ? resultSHA256 : nil
    }

    public init(key: String, id: String, kind: JobKind, state: JobState = .pending, units: Double = 0, now: Date) {
        self.key = key
        self.id = id
        self.kind = kind
        self.state = state
        self.attempts = 0
        self.units = units
        self.createdAt = now
        self.updatedAt = now
    }

    enum CodingKeys: String, CodingKey {
        case key, id, kind, state, attempts, units, reroll
        case unitsRerolled = "units_rerolled"
        case externalTaskId = "external_task_id"
        case taskId = "task_id"
        case unitsCharged = "units_charged"
        case elementId = "element_id"
        case resultSHA256 = "result_sha256"
        case resultDuration = "result_duration"
        case lastError = "last_error"
        case providerHandle = "provider_handle"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }
}

/// An append-only line of the ledger: every create call, before and after.
public struct LedgerEntry: Sendable, Codable, Equatable {
    public var seq: Int64?
    public var key: String
    public var externalTaskId: String
    /// `intent` before the call; `created`, `adopted`, `rejected` or `ambiguous` after.
    public var event: String
    public var detail: String?
    public var at: Date

    public init(key: String, externalTaskId: String, event: String, detail: String? = nil, at: Date) {
        self.key = key
        self.externalTaskId = externalTaskId
        self.event = event
        self.detail = detail
        self.at = at
    }

    /// A line about `record`'s job, under the external id it has now.
    init(for record: JobRecord, event: String, detail: String?, at: Date) {
        self.init(key: record.key, externalTaskId: record.externalTaskId ?? "", event: event, detail: detail, at: at)
    }

    enum CodingKeys: String, CodingKey {
        case seq, key, event, detail, at
        case externalTaskId = "external_task_id"
    }

}

/// A row whose kind this troupe does not know: written by a newer one.
public struct UnknownJobKind: Error, CustomStringConvertible {
    public var name: String
    public init(name: String) { self.name = name }
    public var description: String { "the state store holds a job of kind '\(name)', which this troupe does not know; use the troupe that wrote it" }
}

extension JobKind {
    /// A stored kind's name, refused when a newer troupe wrote a kind this one does not know.
    public init(column name: String) throws {
        guard let kind = JobKind(rawValue: name) else { throw UnknownJobKind(name: name) }
        self = kind
    }
}

extension JobState {
    /// The state a row names; a name this troupe does not know is an error, never a guess.
    public init(column value: String) throws {
        guard let state = JobState(rawValue: value) else { throw UnknownJobState(name: value) }
        self = state
    }
}

/// A row whose state this troupe does not know: written by a newer one.
public struct UnknownJobState: Error, CustomStringConvertible {
    public var name: String
    public init(name: String) { self.name = name }
    public var description: String { "the state store holds a job in state '\(name)', which this troupe does not know; use the troupe that wrote it" }
}
