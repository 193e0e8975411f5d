/// The run's scheduling decisions as a value: which job starts next on which lane, what a
/// finished or failed job means for the jobs after it, when the lock is rewritten and when
/// the run is over. Events in, actions out; no I/O, no clock of its own (times come with the
/// events), so every rule is tested without files, sockets or sleeps. `Executor.run` is the
/// driver that performs the actions.
struct SchedulerStateMachine {
    /// Where a job runs: on the local pool (cores), as an upload, or at the remote provider
    /// (which has its own gate; more of them than the gate allows would only wait).
    enum Lane: Int, CaseIterable, Sendable { case local, network, remote }

    /// What the machine knows of a job.
    struct Node: Sendable {
        var deps: [Int]
        var lane: Lane
        /// Finishing it is a reason to rewrite the lock (paid jobs and post-steps).
        var updatesLock: Bool
        /// Done by the driver at once, outside any lane: an export that is a hard link.
        var inline: Bool
    }

    enum Action: Equatable, Sendable {
        /// Start the job on its lane; the driver reports back with `finished`.
        case start(job: Int, lane: Lane)
        /// Do the job now, before anything else; report back with `finished` right after.
        case runInline(job: Int)
        /// Rewrite the lock from the state store; report back with `lockWritten`.
        case writeLock
    }

    /// How a started job ended.
    enum Outcome: Sendable, Equatable {
        case done(units: Double)
        case failed
        /// The run is stopping: its state is saved and the next run picks it up.
        case interrupted
        /// The budget refused a paid job: no more paid jobs start; those in flight finish.
        case budgetRefused
        /// `--locked` refused to create it.
        case lockedRefused
        /// Another runner holds the job (shared state): it goes to the back of its lane and is
        /// tried again after what is ready now.
        case deferred
    }

    private(set) var nodes: [Node]
    private let capacity: [Int]
    private(set) var selected: [Bool]
    private(set) var done: [Bool]
    private var dependents: [[Int]]
    private var waiting: [Int]
    private var blocked: [Bool]
    private var ready: [ReadyQueue]
    private var running: [Int]
    private(set) var inFlight = 0
    private(set) var stopping = false
    private(set) var budgetReached = false
    private var lastLockWrite = -Double.infinity
    private var lockWriteCost = 0.0

    /// `selected`: the jobs this run covers; `done`: those finished by an earlier run;
    /// `resumed`: jobs an earlier run left in flight at the provider — they already hold
    /// slots there, so they go first on their lane.
    init(nodes: [Node], capacity: [Lane: Int], selected: [Bool], done: [Bool], resumed: [Bool]) {
        self.nodes = nodes
        self.capacity = Lane.allCases.map { max(1, capacity[$0] ?? 1) }
        self.selected = selected
        self.done = done
        dependents = [[Int]](repeating: [], count: nodes.count)
        waiting = [Int](repeating: 0, count: nodes.count)
        blocked = [Bool](repeating: false, count: nodes.count)
        ready = [ReadyQueue](repeating: ReadyQueue(), count: Lane.allCases.count)
        running = [Int](repeating: 0, count: Lane.allCases.count)
        for (i, node) in nodes.enumerated() where selected[i] && !done[i] {
            for d in node.deps where !done[d] {
                dependents[d].append(i)
                waiting[i] += 1
            }
        }
        for i in nodes.indices where selected[i] && !done[i] && waiting[i] == 0 {
            ready[nodes[i].lane.rawValue].append(i)
        }
        ready[Lane.remote.rawValue].prioritize { resumed[$0] }
    }

    /// Runners sharing a campaign start their lane at different places (`fraction` of its
    /// length), so they claim different jobs instead of all asking for the same first ones.
    mutating func spread(_ lane: Lane, at fraction: Double) {
        ready[lane.rawValue].rotate(by: Int(Double(ready[lane.rawValue].count) * min(max(fraction, 0), 1)))
    }

    /// A lane's ready jobs in the order it starts them.
    func queued(_ lane: Lane) -> [Int] { Array(ready[lane.rawValue].queued) }

    /// Jobs of this run not finished yet.
    var remaining: Int { nodes.indices.filter { selected[$0] && !done[$0] }.count }

    /// Starts what the lanes have room for, lane by lane, each lane first in first out.
    mutating func fill() -> [Action] {
        var actions: [Action] = []
        for lane in Lane.allCases {
            while !stopping, running[lane.rawValue] < capacity[lane.rawValue], let i = ready[lane.rawValue].popFirst() {
                if nodes[i].inline {
                    actions.append(.runInline(job: i))
                    continue
                }
                running[lane.rawValue] += 1
                inFlight += 1
                actions.append(.start(job: i, lane: lane))
            }
        }
        return actions
    }

    /// A job's outcome. `now` (seconds on any steady clock) paces the lock rewrites.
    mutating func finished(_ i: Int, _ outcome: Outcome, now: Double) -> [Action] {
        if !nodes[i].inline {
            running[nodes[i].lane.rawValue] -= 1
            inFlight -= 1
        }
        switch outcome {
        case .interrupted, .lockedRefused:
            return []
        case .deferred:
            if !stopping { ready[nodes[i].lane.rawValue].append(i) }
            return []
        case .budgetRefused:
            budgetReached = true
            ready[Lane.remote.rawValue].removeAll()
            return []
        case .failed:
            // Nothing that needs it can run.
            var stack = dependents[i]
            while let d = stack.popLast() {
                guard !blocked[d] else { continue }
                blocked[d] = true
                stack.append(contentsOf: dependents[d])
            }
            return []
        case .done:
            done[i] = true
            for d in dependents[i] {
                waiting[d] -= 1
                if waiting[d] == 0 && !blocked[d] {
                    if budgetReached && nodes[d].lane == .remote { continue }
                    ready[nodes[d].lane.rawValue].append(d)
                }
            }
            // The lock is derived from the state store; rewriting it now and then (not per
            // job) keeps a 10,000-job run cheap, and the end of the run writes it whole:
            // every 10 s, or less often when it is big (at most 0.5 % of the run's time).
            guard nodes[i].updatesLock, now - lastLockWrite > max(10, 200 * lockWriteCost) else { return [] }
            lastLockWrite = now
            return [.writeLock]
        }
    }

    /// The lock was rewritten, taking `cost` seconds, at `now`.
    mutating func lockWritten(at now: Double, cost: Double) {
        lastLockWrite = now
        lockWriteCost = cost
    }

    /// Stop starting jobs; those in flight finish.
    mutating func stop() {
        stopping = true
    }
}
