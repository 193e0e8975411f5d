public import TroupePlan
import TroupeManifest
import TroupeSupport

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
        self.init(lock: lock, rows: try store?.states() ?? [], cache: cache)
    }

    public init(lock: Lockfile?, rows: [JobStateRow], cache: ResultCache) {
        locked = lock?.keys ?? []
        var states: [String: JobState] = [:]
        states.reserveCapacity(rows.count)
        for r in rows { states[r.key] = r.state }
        // One stat per result (an export's result is its render's), on every core.
        let results = Array(Set(rows.compactMap { $0.state == .fetched ? $0.result : nil }))
        let here = parallelMap(results.count, inlineBelow: 512) { cache.contains(results[$0]) }
        var present = Set<String>()
        for (sha, ok) in zip(results, here) where ok { present.insert(sha) }
        var finished = Set<String>()
        for r in rows where r.state == .fetched && (r.result.map(present.contains) ?? true) { finished.insert(r.key) }
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
