import Foundation

/// Polls every in-flight task together: one list call per interval covers up to 500 tasks,
/// instead of a query per task (a finished task nobody has noticed still holds a slot).
/// A task the list does not show is asked for by its external id.
actor TaskPoller {
    private let provider: any RemoteProvider
    private let clock: RunClock
    private let interval: Double
    private struct Waiter {
        var externalID: String
        var continuation: CheckedContinuation<ProviderReply, Never>
    }
    private var waiters: [String: [Waiter]] = [:]
    private var loop: Task<Void, Never>?

    init(provider: any RemoteProvider, clock: RunClock, interval: Double) {
        self.provider = provider
        self.clock = clock
        self.interval = interval
    }

    /// Waits for the next poll round and answers with the task's state then.
    func next(taskID: String, externalID: String) async -> ProviderReply {
        await withCheckedContinuation { c in
            waiters[taskID, default: []].append(Waiter(externalID: externalID, continuation: c))
            if loop == nil { loop = Task { await self.run() } }
        }
    }

    private func run() async {
        while !waiters.isEmpty {
            try? await clock.sleep(interval)
            let round = waiters
            waiters = [:]
            let ids = Set(round.keys)
            let seen = await provider.poll(taskIDs: ids)
            for (id, list) in round {
                let reply: ProviderReply
                if seen == nil {
                    // The list call failed (rate limit, network): everyone waits and tries again.
                    reply = .retryable(after: nil, concurrency: false)
                } else if let status = seen?[id] {
                    reply = .task(taskID: id, status: status)
                } else {
                    // Not on the pages read (or the list call failed): ask for this one.
                    reply = await provider.query(externalID: list[0].externalID)
                }
                for w in list { w.continuation.resume(returning: reply) }
            }
        }
        loop = nil
    }
}
