import Testing
@testable import TroupeRun

/// The scheduler's rules, on the state machine alone: no files, sockets or sleeps.
struct SchedulerStateMachineTests {
    typealias Machine = SchedulerStateMachine
    typealias Node = SchedulerStateMachine.Node

    static func node(_ lane: Machine.Lane = .local, deps: [Int] = [], lock: Bool = false, inline: Bool = false) -> Node {
        Node(deps: deps, lane: lane, updatesLock: lock, inline: inline)
    }

    static func machine(_ nodes: [Node], local: Int = 2, network: Int = 1, remote: Int = 2, done: Set<Int> = [],
                        selected: Set<Int>? = nil, resumed: Set<Int> = []) -> Machine {
        Machine(nodes: nodes, capacity: [.local: local, .network: network, .remote: remote],
                selected: nodes.indices.map { selected?.contains($0) ?? true }, done: nodes.indices.map { done.contains($0) },
                resumed: nodes.indices.map { resumed.contains($0) })
    }

    static func started(_ actions: [Machine.Action]) -> [Int] {
        actions.compactMap { if case .start(let job, _) = $0 { return job } else { return nil } }
    }

    @Test func eachLaneStartsFirstInFirstOutUpToItsCapacity() {
        var m = Self.machine([Self.node(), Self.node(), Self.node(), Self.node(.network), Self.node(.network), Self.node(.remote)])
        #expect(m.fill() == [.start(job: 0, lane: .local), .start(job: 1, lane: .local), .start(job: 3, lane: .network),
                             .start(job: 5, lane: .remote)])
        #expect(m.fill().isEmpty)
        #expect(m.inFlight == 4)
        #expect(m.finished(1, .done(units: 0), now: 0).isEmpty)
        #expect(m.fill() == [.start(job: 2, lane: .local)])
        _ = m.finished(3, .done(units: 0), now: 0)
        #expect(m.fill() == [.start(job: 4, lane: .network)])
        for j in [0, 2, 4, 5] { _ = m.finished(j, .done(units: 0), now: 0) }
        #expect(m.inFlight == 0 && m.remaining == 0 && m.fill().isEmpty)
    }

    @Test func aJobStartsOnceEverythingItNeedsIsDone() {
        // 0, 1 -> 2 -> 3; 4 was done by an earlier run, 5 needs only it.
        var m = Self.machine([Self.node(), Self.node(), Self.node(deps: [0, 1]), Self.node(deps: [2]), Self.node(), Self.node(deps: [4])],
                             local: 4, done: [4])
        #expect(Self.started(m.fill()) == [0, 1, 5])
        _ = m.finished(0, .done(units: 0), now: 0)
        #expect(m.fill().isEmpty)
        _ = m.finished(1, .done(units: 0), now: 0)
        #expect(Self.started(m.fill()) == [2])
        _ = m.finished(2, .done(units: 0), now: 0)
        #expect(Self.started(m.fill()) == [3])
    }

    @Test func aFailedJobBlocksEverythingMadeFromIt() {
        var m = Self.machine([Self.node(), Self.node(deps: [0]), Self.node(deps: [1]), Self.node()], local: 1)
        #expect(Self.started(m.fill()) == [0])
        _ = m.finished(0, .failed, now: 0)
        #expect(Self.started(m.fill()) == [3])
        _ = m.finished(3, .done(units: 0), now: 0)
        #expect(m.fill().isEmpty && m.inFlight == 0)
        // 0 failed, 1 and 2 never ran.
        #expect(m.remaining == 3)
    }

    @Test func jobsLeftInFlightByAnEarlierRunGoFirst() {
        var m = Self.machine([Self.node(.remote), Self.node(.remote), Self.node(.remote), Self.node(.remote)], remote: 2,
                             resumed: [1, 3])
        #expect(Self.started(m.fill()) == [1, 3])
        _ = m.finished(3, .done(units: 4), now: 0)
        #expect(Self.started(m.fill()) == [0])
    }

    @Test func onlyTheSelectedJobsRun() {
        var m = Self.machine([Self.node(), Self.node(), Self.node(deps: [1])], local: 4, selected: [1, 2])
        #expect(Self.started(m.fill()) == [1])
        #expect(m.remaining == 2)
    }

    @Test func aBudgetRefusalStopsPaidWorkButNotLocalWork() {
        // 0..3 paid; 4 needs 0 and is local; 5 is remote and needs local 6.
        var m = Self.machine([Self.node(.remote), Self.node(.remote), Self.node(.remote), Self.node(.remote),
                              Self.node(deps: [0]), Self.node(.remote, deps: [6]), Self.node()], local: 1, remote: 2)
        #expect(Self.started(m.fill()) == [6, 0, 1])
        _ = m.finished(1, .budgetRefused, now: 0)
        #expect(m.budgetReached)
        #expect(m.fill().isEmpty)  // 2 and 3 are dropped from the queue
        _ = m.finished(0, .done(units: 4), now: 0)
        #expect(Self.started(m.fill()) == [])  // 4 waits for the local lane (6 holds it)
        _ = m.finished(6, .done(units: 0), now: 0)
        // 4 (local) starts; 5 (remote) never does.
        #expect(Self.started(m.fill()) == [4])
        _ = m.finished(4, .done(units: 0), now: 0)
        #expect(m.inFlight == 0 && m.fill().isEmpty)
    }

    @Test func aStopStartsNothingMoreAndInterruptedJobsStayUnfinished() {
        var m = Self.machine([Self.node(), Self.node(), Self.node()], local: 1)
        #expect(Self.started(m.fill()) == [0])
        m.stop()
        _ = m.finished(0, .interrupted, now: 0)
        #expect(m.fill().isEmpty)
        #expect(m.remaining == 3)
    }

    @Test func theLockIsRewrittenAtMostEveryTenSecondsOrTwoHundredTimesItsCost() {
        var m = Self.machine([Self.node(.remote, lock: true), Self.node(.remote, lock: true), Self.node(.remote, lock: true),
                              Self.node(lock: false), Self.node(.remote, lock: true), Self.node(.remote, lock: true)],
                             local: 1, remote: 6)
        _ = m.fill()
        #expect(m.finished(0, .done(units: 1), now: 100) == [.writeLock])
        m.lockWritten(at: 100.2, cost: 0.02)
        #expect(m.finished(1, .done(units: 1), now: 105).isEmpty)
        // A local job that changes nothing in the lock never asks for it.
        #expect(m.finished(3, .done(units: 0), now: 200).isEmpty)
        #expect(m.finished(2, .done(units: 1), now: 111) == [.writeLock])
        // A lock that took 0.1 s to write waits 20 s.
        m.lockWritten(at: 111.1, cost: 0.1)
        #expect(m.finished(4, .done(units: 1), now: 125).isEmpty)
        #expect(m.finished(5, .done(units: 1), now: 131.2) == [.writeLock])
    }

    @Test func inlineJobsRunAtOnceWithoutTakingALaneSlot() {
        var m = Self.machine([Self.node(), Self.node(deps: [0], inline: true), Self.node(deps: [0], inline: true), Self.node(deps: [0])], local: 1)
        #expect(m.fill() == [.start(job: 0, lane: .local)])
        _ = m.finished(0, .done(units: 0), now: 0)
        #expect(m.fill() == [.runInline(job: 1), .runInline(job: 2), .start(job: 3, lane: .local)])
        _ = m.finished(1, .done(units: 0), now: 0)
        _ = m.finished(2, .done(units: 0), now: 0)
        #expect(m.inFlight == 1)
    }
}
