
/// What runners sharing one state store need of it besides rows: a team per campaign (its
/// heartbeats renew the leases a runner holds) and each account's slots, so that N runners
/// together keep the provider's concurrency and create rate. A store one runner has to itself
/// (SQLite in `.troupe/`) has no team: its `StateStoring.team` is nil.
public protocol TeamCoordinating: AnyObject, Sendable {
    /// Registers this runner on `campaign` (of `account`, when it creates tasks) and keeps
    /// its leases alive from now on, until the store is closed.
    func join(campaign: String, account: String?) async throws
    /// Makes the account's row, or brings its limits to what this runner was told; the
    /// account whose slots this runner takes from now on.
    func registerAccount(_ account: String, concurrency: Int, createsPerSecond: Double) async throws
    /// Takes a slot and a create token for the job `key`; `from`: a slot this runner holds for
    /// a task that ended, moved to `key` instead of freed and taken again.
    func takeSlot(account: String, key: String, from: String?) async throws -> SlotAnswer
    /// Counts a task the provider already has (found in flight): its slot whatever the limit.
    func holdSlot(account: String, key: String) async throws
    /// The task ended (or was never made): its slot is free, and waiting runners are told.
    func releaseSlot(account: String, key: String) async throws
    /// A 1303: every runner's gate goes down to what is in flight, for `seconds`.
    func lowerGate(account: String, seconds: Double) async throws
    /// Calls `freed` whenever another runner frees a slot of `account`, until cancelled.
    func listenForFreedSlots(account: String, _ freed: @escaping @Sendable () -> Void) async throws -> any TeamSubscription
}

/// A subscription `TeamCoordinating.listenForFreedSlots` made.
public protocol TeamSubscription: Sendable {
    func cancel()
}

/// The answer of `TeamCoordinating.takeSlot`.
public enum SlotAnswer: Sendable, Equatable {
    /// The slot and a create token are the job's.
    case taken
    /// Every slot of the account is in use.
    case full
    /// Every slot is in use, some by tasks of a runner that died: the job waits at the back of
    /// its queue while the jobs of those tasks are taken over.
    case heldForDeadRunner
    /// The job's own slot is another live runner's (so is the job: its lease outlived ours).
    case heldByAnotherRunner
    /// A slot is free; the next create token comes in `seconds`.
    case tokenIn(seconds: Double)
}
