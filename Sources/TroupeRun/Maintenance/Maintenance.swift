import Foundation
public import TroupePlan

/// `troupe status`, `verify` and `gc`: read-mostly views of the state store, cache and lock.
public enum Maintenance {
    public struct Status: Sendable {
        public var byState: [JobState: Int] = [:]
        public var inFlight: [JobRecord] = []
        public var failed: [JobRecord] = []
        public var unitsSpent = 0.0
        public var planned = 0
        public var unknown = 0
    }

    /// What the store knows about the jobs of a plan.
    public static func status(of plan: Plan, store: StateStore) throws -> Status {
        var s = Status()
        let records = try store.records(keys: plan.jobs.map(\.key))
        s.planned = plan.jobs.count
        for job in plan.jobs {
            guard let r = records[job.key] else {
                s.unknown += 1
                continue
            }
            s.byState[r.state, default: 0] += 1
            s.unitsSpent += r.unitsCharged ?? 0
            if r.state == .submitting || r.state == .submitted || r.state == .succeeded { s.inFlight.append(r) }
            if r.state == .failed || r.state == .stalled { s.failed.append(r) }
        }
        return s
    }

    /// Every disagreement between the lock, the cache and out/: a missing or altered object.
    public static func verify(lock: Lockfile, cache: ResultCache, baseDirectory: String) -> [String] {
        var problems: [String] = []
        var checked = Set<String>()
        func check(_ what: String, _ sha: String?, exported: String?) {
            guard let sha else { return }
            if checked.insert(sha).inserted {
                if !cache.contains(sha) {
                    problems.append("\(what): cache object \(sha.prefix(12))… is missing")
                } else if !cache.verify(sha) {
                    problems.append("\(what): cache object \(sha.prefix(12))… does not match its hash (corrupt)")
                }
            }
            if let exported {
                let path = baseDirectory + "/" + exported
                if FileManager.default.fileExists(atPath: path), (try? DigestCache.hashFile(path)) != sha {
                    problems.append("\(what): \(exported) differs from the locked result")
                }
            }
        }
        for (id, r) in lock.renders.sorted(by: { $0.key < $1.key }) {
            // A cell that shares another's render is checked against that render's result.
            check("render \(id)", lock.render(key: r.key, names: [id])?.sha256, exported: "out/renders/\(id).mp4")
        }
        for (name, o) in lock.outputs.sorted(by: { $0.key < $1.key }) {
            check("output \(name)", o.sha256, exported: "out/\(name).mp4")
        }
        return problems
    }

    /// Removes cache objects referenced neither by the lock nor by the state store.
    public static func gc(lock: Lockfile?, store: StateStore, cache: ResultCache) throws -> (objects: Int, bytes: Int) {
        var keep = Set<String>()
        for r in lock?.renders.values.map(\.sha256) ?? [] { if let r { keep.insert(r) } }
        for o in lock?.outputs.values.map(\.sha256) ?? [] { if let o { keep.insert(o) } }
        for r in try store.records() { if let s = r.resultSHA256 { keep.insert(s) } }
        var removed = 0, bytes = 0
        for sha in cache.objects() where !keep.contains(sha) {
            let path = cache.path(of: sha)
            bytes += (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            try FileManager.default.removeItem(atPath: path)
            removed += 1
        }
        try? FileManager.default.removeItem(atPath: cache.temporaryDirectory)
        return (removed, bytes)
    }
}
