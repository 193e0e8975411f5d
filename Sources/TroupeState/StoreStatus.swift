public import TroupePlan
import TroupeManifest
import TroupeSupport
public import TroupeCache

/// Job status for the planner, decided as `Executor.run` decides what to do with each job, so
/// that `plan`'s new units are what `run` will spend: a job with a row in the state store is
/// what its row says (finished with its result cached, in flight at the provider, failed);
/// a job without one is locked when the lock records its key, new otherwise.
public struct StoreStatus: JobStatusSource {
    /// What a row tells the planner: its state, with a fetched row split by whether its
    /// result is still in the cache.
    public enum Row: UInt8, Sendable {
        case finished = 1, resultLost, inFlight, failed, pending, inDoubt

        init(_ state: JobState, resultPresent: Bool) {
            switch state {
            case .fetched: self = resultPresent ? .finished : .resultLost
            case .submitting, .submitted, .succeeded: self = .inFlight
            case .failed, .stalled: self = .failed
            case .pending: self = .pending
            case .inDoubt: self = .inDoubt
            }
        }
    }

    let locked: Set<String>
    /// By the key's bits: content keys are SHA-256 hex, and four words hash faster than 64
    /// characters (`.troupe/status` stores them so).
    let rows: [KeyBits: Row]

    public init(lock: Lockfile?, store: (any StateStoring)?, cache: ResultCache) async throws {
        self.init(lock: lock, rows: try await store?.states() ?? [], cache: cache)
    }

    public init(lock: Lockfile?, rows: [JobStateRow], cache: ResultCache) {
        self.init(lock: lock, rows: Self.classify(rows, cache: cache))
    }

    /// Rows as `classify` or `StatusSnapshot.load` give them.
    public init(lock: Lockfile?, rows: [KeyBits: Row]) {
        locked = lock?.keys ?? []
        self.rows = rows
    }

    /// Each row's class; one stat per result (an export's result is its render's), on every core.
    public static func classify(_ rows: [JobStateRow], cache: ResultCache) -> [KeyBits: Row] {
        let results = Array(Set(rows.compactMap { $0.state == .fetched ? $0.result : nil }))
        let here = parallelMap(results.count, inlineBelow: 512) { cache.contains(results[$0]) }
        var present = Set<String>()
        for (sha, ok) in zip(results, here) where ok { present.insert(sha) }
        var out: [KeyBits: Row] = [:]
        out.reserveCapacity(rows.count)
        for r in rows {
            guard let bits = KeyBits(hex: r.key) else { continue }  // every job key is SHA-256 hex
            out[bits] = Row(r.state, resultPresent: r.result.map(present.contains) ?? true)
        }
        return out
    }

    public func status(ofKey key: String, kind: JobKind) -> JobStatus {
        guard let row = KeyBits(hex: key).flatMap({ rows[$0] }) else { return locked.contains(key) ? .locked : .new }
        switch row {
        case .finished: return locked.contains(key) ? .locked : .cached
        case .resultLost, .pending: return .new
        case .inFlight: return .inFlight
        case .failed: return .failed
        case .inDoubt: return .inDoubt
        }
    }
}
