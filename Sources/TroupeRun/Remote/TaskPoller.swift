import Foundation

/// Polls every in-flight task together: one list call per round covers up to 500 tasks,
/// instead of a query per task (a finished task nobody has noticed still holds a slot).
/// Rounds go when a task may be done (`PollSchedule`), not on a fixed beat.
/// A task the list does not show is asked for by its external id.
actor TaskPoller {
    private let provider: any RemoteProvider
    private let clock: RunClock
    private var schedule: PollSchedule
    private struct Waiter {
        var externalID: String
        var continuation: CheckedContinuation<ProviderReply, Never>
    }
    private var waiters: [String: [Waiter]] = [:]
    private var loop: Task<Void, Never>?
    /// The loop's sleep until the planned round, and when that is: a task that wants a round
    /// sooner cuts it short.
    private var sleeper: Task<Void, any Error>?
    private var wakeAt = Double.infinity

    init(provider: any RemoteProvider, clock: RunClock, interval: Double) {
        self.provider = provider
        self.clock = clock
        schedule = PollSchedule(interval: interval)
    }

    /// Waits for the round that finds the task's state, and answers with it. `startedAt`: when
    /// this run sent the create that made the task (nil: found in flight).
    func next(taskID: String, externalID: String, startedAt: Double?) async -> ProviderReply {
        schedule.waiting(for: taskID, startedAt: startedAt)
        return await withCheckedContinuation { c in
            waiters[taskID, default: []].append(Waiter(externalID: externalID, continuation: c))
            if loop == nil {
                loop = Task { await self.run() }
            } else if schedule.wanted(taskID) < wakeAt {
                sleeper?.cancel()
            }
        }
    }

    private func run() async {
        while !waiters.isEmpty {
            let target = schedule.nextRound(for: waiters.keys)
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

    private func round() async {
        schedule.polled(at: clock.now)
        let round = waiters
        waiters = [:]
        let seen = await provider.poll(taskIDs: Set(round.keys))
        let now = clock.now
        for (id, list) in round {
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
            if case .task(_, let status) = reply, status.isFinished {
                var succeeded = false
                if case .succeeded = status { succeeded = true }
                schedule.finished(id, at: now, succeeded: succeeded)
            }
            for w in list { w.continuation.resume(returning: reply) }
        }
    }
}
