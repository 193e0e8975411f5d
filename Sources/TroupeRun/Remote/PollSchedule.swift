/// When to send the next list call. Motion-control tasks of one campaign take about the same
/// time, so after the first tasks finish there is no point in asking about a task long before
/// it can be done: each task is first asked for when the fastest task seen so far would have
/// finished, then every `interval` until it has. A value type over simulated seconds, so the
/// rule is tested without a clock or a provider.
struct PollSchedule: Sendable {
    /// The shortest gap between rounds for a task that is due (the `--poll-interval`).
    let interval: Double
    /// The longest wait while tasks are in flight, whatever the estimate says: a task that
    /// finishes sooner than any before it is still noticed within this.
    let longestGap: Double
    /// Rounds never come closer than this, however the due times of tasks fall: a quarter
    /// interval while few tasks are in flight, up to a whole one for 100 or more (a round
    /// reads a page of every task in flight, and with many the due times never pause).
    var shortestGap: Double { interval * min(1, max(0.25, Double(started.count) / 100)) }

    /// When each waiting task's create was sent, or nil when it was found in flight (after a
    /// restart: due at once, and no use for the estimate).
    private var started: [String: Double?] = [:]
    /// The shortest duration, start to seen succeeded, of a task created in this run.
    private(set) var fastest: Double?
    /// The clock starts at 0 when the run does.
    private(set) var lastRound = 0.0
    /// When each task was last asked for on its own (`worthAsking`).
    private var asked: [String: Double] = [:]

    init(interval: Double, longestGap: Double? = nil) {
        self.interval = interval
        self.longestGap = longestGap ?? interval * 10
    }

    /// A task the poller now waits for. `startedAt`: when this run sent its create (the
    /// provider's clock starts between that and the answer; the send varies less); nil for a
    /// task found in flight.
    mutating func waiting(for taskID: String, startedAt: Double?) {
        if started[taskID] == nil { started[taskID] = .some(startedAt) }
    }

    /// The task's first round: when the fastest task would have finished (one interval after
    /// its start until a duration is known).
    func due(_ taskID: String) -> Double {
        guard let start = started[taskID] ?? nil else { return -Double.infinity }
        return start + (fastest ?? interval)
    }

    /// When the task wants the next round: at its due time; then soon again for an interval
    /// (the estimate is the fastest task, most finish a little later); then every interval.
    func wanted(_ taskID: String) -> Double {
        let due = due(taskID)
        let soon = fastest != nil && lastRound < due + interval
        let next = due > lastRound ? due : soon ? lastRound + shortestGap : lastRound + interval
        return max(min(next, lastRound + longestGap), lastRound + shortestGap)
    }

    /// When the next round should go for the tasks in `waiting`.
    func nextRound(for waiting: some Sequence<String>) -> Double {
        var target = lastRound + longestGap
        for id in waiting { target = min(target, wanted(id)) }
        return max(target, lastRound + shortestGap)
    }

    mutating func polled(at now: Double) { lastRound = now }

    /// Of the waiting tasks, those worth a call of their own this round, where each costs one
    /// (fal's status per request, unlike Kling's one list call for all): `nextAsk` has come.
    func worthAsking(_ waiting: some Collection<String>, now: Double) -> [String] {
        let first = oldest(waiting)
        return waiting.filter { nextAsk($0, oldest: first) <= now }
    }

    /// When the next round should go where each task costs a call: the soonest `nextAsk`, not
    /// the short rounds of one list call (a round that asks nobody only wakes the process).
    func nextRoundEachTask(for waiting: some Collection<String>) -> Double {
        let first = oldest(waiting)
        let soonest = waiting.reduce(Double.infinity) { min($0, nextAsk($1, oldest: first)) }
        return max(soonest, lastRound + interval * 0.25)
    }

    /// When a task is worth a call of its own: before any task has finished, only the one
    /// started first, each interval (none can be done before it, as they take about the same
    /// time); after, when it is due, then each interval; and whatever the estimate, once
    /// `longestGap` — or as long as the fastest task took — has passed since it was last
    /// asked (a task done much sooner is rare, and every early call costs). A task found in
    /// flight is asked at once.
    func nextAsk(_ id: String, oldest: String?) -> Double {
        let start = started[id] ?? nil
        guard let last = asked[id] ?? start else { return -Double.infinity }
        let safety = last + max(longestGap, fastest ?? 0)
        let again = (asked[id] ?? -Double.infinity) + interval
        if fastest != nil { return min(max(due(id), again), safety) }
        return id == oldest ? min(max(last + interval, again), safety) : safety
    }

    /// The task started first among those this run created.
    private func oldest(_ waiting: some Collection<String>) -> String? {
        var best: (id: String, start: Double)?
        for id in waiting {
            if let start = started[id] ?? nil, start < best?.start ?? .infinity { best = (id, start) }
        }
        return best?.id
    }

    /// A task was asked for on its own.
    mutating func asked(_ taskID: String, at now: Double) { asked[taskID] = now }

    /// The task is no longer waited for; a success counts towards the estimate.
    mutating func finished(_ taskID: String, at now: Double, succeeded: Bool) {
        asked[taskID] = nil
        guard let entry = started.removeValue(forKey: taskID) else { return }
        if succeeded, let start = entry { fastest = min(fastest ?? .infinity, now - start) }
    }
}
