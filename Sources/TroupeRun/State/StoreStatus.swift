public import TroupePlan

/// Job status for the planner, decided as `Executor.run` decides what to do with each job, so
/// that `plan`'s new units are what `run` will spend: a job with a row in the state store is
/// what its row says (finished with its result cached, in flight at the provider, failed);
/// a job without one is locked when troupe.lock records its key, new otherwise.
public struct StoreStatus: JobStatusSource {
    let locked: Set<String>
    let states: [String: JobState]
    /// Finished rows whose result is still in the cache.
    let finished: Set<String>

    public init(lock: Lockfile?, store: StateStore?, cache: ResultCache) throws {
        locked = lock?.keys ?? []
        var states: [String: JobState] = [:]
        var finished = Set<String>()
        // One stat per result: an export's result is its render's, checked once.
        var present: [String: Bool] = [:]
        let rows = try store?.states() ?? []
        states.reserveCapacity(rows.count)
        for r in rows {
            states[r.key] = r.state
            guard r.state == .fetched else { continue }
            guard let sha = r.result else { finished.insert(r.key); continue }
            let here = present[sha] ?? cache.contains(sha)
            present[sha] = here
            if here { finished.insert(r.key) }
        }
        self.states = states
        self.finished = finished
    }

    public func status(ofKey key: String, kind: JobKind) -> JobStatus {
        guard let state = states[key] else { return locked.contains(key) ? .locked : .new }
        switch state {
        case .fetched:
            guard finished.contains(key) else { return .new }
            return locked.contains(key) ? .locked : .cached
        case .submitting, .submitted, .succeeded: return .inFlight
        case .failed, .stalled: return .failed
        case .pending: return .new
        }
    }
}
