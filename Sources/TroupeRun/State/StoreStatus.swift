public import TroupePlan

/// Job status for the planner from troupe.lock and the state store: locked when the lock
/// records the key, cached when an earlier run finished it and its result is still cached.
public struct StoreStatus: JobStatusSource {
    let locked: Set<String>
    let finished: Set<String>

    public init(lock: Lockfile?, store: StateStore, cache: ResultCache) throws {
        locked = lock?.keys ?? []
        var finished = Set<String>()
        for r in try store.records() where r.state == .fetched {
            if r.resultSHA256.map(cache.contains) ?? true { finished.insert(r.key) }
        }
        self.finished = finished
    }

    public func status(ofKey key: String, kind: JobKind) -> JobStatus {
        if locked.contains(key) { return .locked }
        return finished.contains(key) ? .cached : .new
    }
}
