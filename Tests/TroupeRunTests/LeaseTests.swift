import Testing
import TroupeTestSupport
@testable import TroupeRun

/// A paid job's lease: one slot and one budget reservation, each given back exactly once
/// however many ways out the job takes.
struct LeaseTests {
    static func limits(_ concurrency: Int) -> RemoteLimits {
        RemoteLimits(concurrency: concurrency, createsPerSecond: 100, clock: ManualClock())
    }

    @Test func aSlotIsTakenOnceAndGivenBackOnce() async throws {
        let limits = Self.limits(2)
        var lease = Lease(limits: limits, budget: BudgetGuard(maxUnits: nil))
        #expect(try await lease.acquireSlot())
        #expect(try await lease.acquireSlot(), "a lease that holds its slot takes no second one")
        #expect(limits.slotsInUse == 1)
        await lease.end(charged: 0)
        await lease.end(charged: 0)
        await lease.releaseSlot()
        #expect(limits.slotsInUse == 0 && !lease.holdsSlot)
        // Given back once: two other leases fill the gate, a third is refused once the run stops.
        var a = Lease(limits: limits, budget: BudgetGuard(maxUnits: nil))
        var b = Lease(limits: limits, budget: BudgetGuard(maxUnits: nil))
        #expect(try await a.acquireSlot())
        #expect(try await b.acquireSlot())
        #expect(limits.slotsInUse == 2)
        limits.close()
        var c = Lease(limits: limits, budget: BudgetGuard(maxUnits: nil))
        #expect(try await c.acquireSlot() == false)
        #expect(!c.holdsSlot)
    }

    @Test func anAdoptedTaskHoldsASlotPastTheLimit() async {
        let limits = Self.limits(1)
        var first = Lease(limits: limits, budget: BudgetGuard(maxUnits: nil))
        var adopted = Lease(limits: limits, budget: BudgetGuard(maxUnits: nil))
        await first.holdSlot()
        await adopted.holdSlot()
        #expect(limits.slotsInUse == 2, "the provider runs both, whatever the limit")
        await adopted.end(charged: 0)
        await first.end(charged: 0)
        #expect(limits.slotsInUse == 0)
    }

    @Test func aRefusedCreateGivesItsSlotBack() async throws {
        let limits = Self.limits(3)
        var lease = Lease(limits: limits, budget: BudgetGuard(maxUnits: nil))
        #expect(try await lease.acquireSlot())
        await lease.concurrencyRefused()
        #expect(!lease.holdsSlot && limits.slotsInUse == 0)
        await lease.end(charged: 0)
        #expect(limits.slotsInUse == 0)
    }

    @Test func theBudgetIsSettledOnceWithWhatWasCharged() throws {
        let budget = BudgetGuard(maxUnits: 10)
        var a = Lease(limits: Self.limits(4), budget: budget)
        try a.reserve(4, job: "render:a")
        // Planned 4, charged 3: the reservation goes, the charge stays, once.
        a.settle(charged: 3)
        a.settle(charged: 3)
        #expect(budget.charged == 3)
        var b = Lease(limits: Self.limits(4), budget: budget)
        try b.reserve(7, job: "render:b")  // 3 + 7 = 10: within max_units
        var c = Lease(limits: Self.limits(4), budget: budget)
        #expect(throws: BudgetRefusal.self) { try c.reserve(0.5, job: "render:c") }
        // Once refused, every later paid job is refused, even one that would fit after a settle.
        b.settle(charged: 0)
        var d = Lease(limits: Self.limits(4), budget: budget)
        do {
            try d.reserve(0.1, job: "render:d")
            Issue.record("a refused budget must refuse every later job")
        } catch let error as BudgetRefusal {
            #expect(error.job == "render:c" && error.maxUnits == 10 && error.charged == 3 && error.inFlight == 7)
        }
    }

    @Test func anAccountStopRefusesEveryLaterReservation() throws {
        let budget = BudgetGuard(maxUnits: nil)
        var a = Lease(limits: Self.limits(4), budget: budget)
        try a.reserve(4, job: "render:a")
        budget.stopCreating(AccountStop(code: 1102, message: "used up"))
        budget.stopCreating(AccountStop(code: 1101, message: "later"))
        var b = Lease(limits: Self.limits(4), budget: budget)
        #expect(throws: AccountStop(code: 1102, message: "used up")) { try b.reserve(1, job: "render:b") }
        #expect(budget.accountStop?.code == 1102, "the first stop is the one reported")
    }
}
