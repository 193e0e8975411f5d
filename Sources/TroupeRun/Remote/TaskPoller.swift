import Foundation
import TroupeProviders
import TroupeSupport

/// Polls every in-flight task together: one list call per round covers up to 500 tasks,
/// instead of a query per task (a finished task nobody has noticed still holds a slot).
/// Rounds go when a task may be done (`PollSchedule`), not on a fixed beat.
/// A task the list does not show is asked for by its external id. A job hears back when its
/// task's status changes, or at least every `longestGap` (its stall deadline is checked then),
/// not every round: a job woken with nothing new would only go back to waiting.
actor TaskPoller {
    private let provider: any RemoteProvider
    private let clock: any RunClock
    private var schedule: PollSchedule
    private struct Waiter {
        var externalID: String
        var continuation: CheckedContinuation<ProviderReply, Never>
        /// When it began to wait (simulated clock).
        var since: Double
    }
    private var waiters: [String: [Waiter]] = [:]
    /// The unfinished status each task's job last heard.
    private var told: [String: RemoteStatus] = [:]
    /// The run is stopping: nobody waits any more.
    private var stopped = false
    private var loop: Task<Void, Never>?
    /// The loop's sleep until the planned round, and when that is: a task that wants a round
    /// sooner cuts it short.
    private var sleeper: Task<Void, any Error>?
    private var wakeAt = Double.infinity

    init(provider: any RemoteProvider, clock: any RunClock, interval: Double) {
        self.provider = provider
        self.clock = clock
        schedule = PollSchedule(interval: interval)
    }

    /// Waits for the round that finds the task's state, and answers with it. `startedAt`: when
    /// this run sent the create that made the task (nil: found in flight).
    func next(taskID: String, externalID: String, startedAt: Double?) async -> ProviderReply {
        if stopped { return lastHeard(taskID) }
        schedule.waiting(for: taskID, startedAt: startedAt)
        return await withCheckedContinuation { c in
            waiters[taskID, default: []].append(Waiter(externalID: externalID, continuation: c, since: clock.now))
            if loop == nil {
                loop = Task { await self.run() }
            } else if nextRound(for: [taskID]) < wakeAt {
                sleeper?.cancel()
            }
        }
    }

    /// The run is stopping: every waiting job hears what it last heard, and goes on to stop.
    func stop() {
        stopped = true
        sleeper?.cancel()
        let all = waiters
        waiters = [:]
        for (id, list) in all {
            for w in list { w.continuation.resume(returning: lastHeard(id)) }
        }
    }

    /// What a job hears when there is nothing new to say: the status it last heard, or, for a
    /// task never seen, "try again" (which a stopping job does not).
    private func lastHeard(_ taskID: String) -> ProviderReply {
        told[taskID].map { .task(taskID: taskID, status: $0) } ?? .retryable(after: nil, concurrency: false)
    }

    private func run() async {
        while !waiters.isEmpty {
            let target = nextRound(for: waiters.keys)
            let wait = target - clock.now
            if wait > 0 {
                wakeAt = target
                let clock = clock
                let sleep = Task { try await clock.sleep(wait) }
                sleeper = sleep
                _ = await sleep.result
                sleeper = nil
                wakeAt = .infinity
                continue
            }
            await round()
        }
        loop = nil
    }

    /// When the next round should go: by the one list call's schedule, or, where each task
    /// costs a call, when the soonest task is worth asking.
    private func nextRound(for waiting: some Collection<String>) -> Double {
        provider.pollsEachTask ? schedule.nextRoundEachTask(for: waiting) : schedule.nextRound(for: waiting)
    }

    private func round() async {
        let start = clock.now
        schedule.polled(at: start)
        // Waiters stay where they are unless they hear something: the table of every task in
        // flight is not rebuilt each round. Where each task costs a call of its own, only
        // those that may be done are asked.
        let ids: Set<String>
        if provider.pollsEachTask {
            ids = Set(schedule.worthAsking(waiters.keys, now: start))
            for id in ids { schedule.asked(id, at: start) }
            if ids.isEmpty { return }
        } else {
            ids = Set(waiters.keys)
        }
        let seen = await provider.poll(taskIDs: ids)
        let now = clock.now
        for id in ids {
            guard let list = waiters[id] else { continue }
            let reply: ProviderReply
            if seen == nil {
                // The list call failed (rate limit, network): everyone waits and tries again.
                reply = .retryable(after: nil, concurrency: false)
            } else if let status = seen?[id] {
                reply = .task(taskID: id, status: status)
            } else {
                // Not on the pages read: ask for this one.
                reply = await provider.query(externalID: list[0].externalID)
            }
            if case .task(_, let status) = reply {
                if status.isFinished {
                    var succeeded = false
                    if case .succeeded = status { succeeded = true }
                    schedule.finished(id, at: now, succeeded: succeeded)
                    told[id] = nil
                } else if told[id] == status, !stopped, now - list.reduce(now, { min($0, $1.since) }) < schedule.longestGap {
                    // Nothing new: the job keeps waiting (with any that came during the call).
                    continue
                } else {
                    told[id] = status
                }
            }
            // Whoever joined during the calls above hears the same answer.
            for w in waiters.removeValue(forKey: id) ?? [] { w.continuation.resume(returning: reply) }
        }
    }
}
