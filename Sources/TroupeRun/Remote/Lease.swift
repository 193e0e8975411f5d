/// What one paid job holds while it runs: a provider slot (from its create until its task
/// finishes, as the provider counts) and the budget reserved for it (until the provider says
/// what it deducted). Every way out of the job ends the lease through `end(charged:)`, which
/// is safe to call again.
struct Lease {
    private let limits: RemoteLimits
    private let budget: BudgetGuard
    /// With shared state: the account's slots across runners, and the job they are held for.
    private let shared: AccountSlots?
    private let key: String
    private let stopping: @Sendable () -> Bool
    private(set) var holdsSlot = false
    private var reserved = 0.0
    private var settled = false

    init(limits: RemoteLimits, budget: BudgetGuard, shared: AccountSlots? = nil, key: String = "",
         stopping: @escaping @Sendable () -> Bool = { false }) {
        self.limits = limits
        self.budget = budget
        self.shared = shared
        self.key = key
        self.stopping = stopping
    }

    /// Waits for a slot (this runner's, then the account's across runners) unless one is
    /// held; false once the run is stopping.
    mutating func acquireSlot() async throws -> Bool {
        if holdsSlot { return true }
        guard await limits.acquireSlot() else { return false }
        if let shared {
            let taken: Bool
            do {
                taken = try await shared.acquire(key: key, stopping: stopping)
            } catch {
                limits.releaseSlot()
                throw error
            }
            guard taken else {
                limits.releaseSlot()
                return false
            }
        }
        holdsSlot = true
        return true
    }

    /// Counts a task the provider may already be running, whatever the limit says.
    mutating func holdSlot() async {
        guard !holdsSlot else { return }
        limits.holdSlot()
        await shared?.hold(key: key)
        holdsSlot = true
    }

    /// The task finished, or was never created: its slot is free again.
    mutating func releaseSlot() async {
        guard holdsSlot else { return }
        limits.releaseSlot()
        await shared?.release(key: key)
        holdsSlot = false
    }

    /// A 1303 answered the create that held the slot: give it back and shrink the gate
    /// (every runner's, with shared state).
    mutating func concurrencyRefused() async {
        guard holdsSlot else { return }
        limits.concurrencyRefused()
        await shared?.release(key: key, handOff: false)
        await shared?.concurrencyRefused()
        holdsSlot = false
    }

    /// Reserves the job's planned price, or refuses it (and every later job).
    mutating func reserve(_ units: Double, job: String) throws {
        try budget.reserve(units, job: job)
        reserved = units
    }

    /// The provider said what it deducted (0 when nothing was created): the reservation goes,
    /// the charge stays. Only the first call counts.
    mutating func settle(charged: Double) {
        guard !settled else { return }
        settled = true
        budget.settle(reserved: reserved, charged: charged)
        reserved = 0
    }

    /// The one way out: the slot goes back and the budget is settled.
    mutating func end(charged: Double) async {
        await releaseSlot()
        settle(charged: charged)
    }
}
