import Foundation
import TroupePlan
import TroupeCache

/// The shared cache in a run: results the rows or the lock name are pulled before the run
/// decides what is done (so a fresh clone adopts them instead of asking the provider), and
/// every result made is pushed as it is made, beside the jobs that follow.
extension Executor {
    /// Digests the local cache lacks that this run's jobs would take as done: a finished row's
    /// result, else what the lock records for the job (as resume() adopts it). Lock entries of
    /// edited cells, and jobs `--only` leaves out, are not pulled.
    func sharedWanted() async throws -> [String] {
        let records = try await store.records(keys: plan.jobs.map(\.key))
        let lock = try Lockfile.read(lockPath)
        let selected = selection()
        var wanted = Set<String>()
        for (i, job) in plan.jobs.enumerated() where selected[i] && (job.kind == .render || job.kind == .prepare || job.kind == .post) {
            if let row = records[job.key] {
                if row.state == .fetched, let sha = row.resultSHA256 { wanted.insert(sha) }
            } else if job.kind == .render, let sha = lock?.render(key: job.key, names: job.names)?.sha256 {
                wanted.insert(sha)
            } else if job.kind == .post, let lock {
                for name in job.names { if let o = lock.outputs[name], o.key == job.key, let sha = o.sha256 { wanted.insert(sha) } }
            }
        }
        return wanted.filter { !cache.contains($0) }.sorted()
    }

    /// Pulls what `sharedWanted` names, eight at a time; what is missing or fails is left to
    /// the run (fetched from the provider or made), a failure noted as a warning.
    func prefetchShared() async throws {
        guard cache.shared != nil else { return }
        let cache = cache
        let wanted = try await sharedWanted()
        let failures = await SharedCache.each(wanted) { sha in _ = await cache.pullShared(sha) }
        for f in failures { cache.shared?.log.warn("could not pull \(f.sha256.prefix(12))…: \(f.error)") }
    }

    /// The digest a finished job made that the shared cache should get: renders, prepared
    /// clips and post-step outputs (exports and uploads are the same bytes or elsewhere).
    func sharedResult(_ job: Job, _ result: JobResult?) -> String? {
        guard cache.shared != nil, job.kind == .render || job.kind == .prepare || job.kind == .post,
              case .file(let sha)? = result else { return nil }
        return sha
    }
}

/// Pushes run beside the jobs, eight at a time; `finish` waits for the last of them.
final class SharedPushes: @unchecked Sendable {
    private let cache: ResultCache
    private let lock = NSLock()
    private var queued: [String] = []
    private var seen = Set<String>()
    private var running = 0
    private var waiters: [CheckedContinuation<Void, Never>] = []
    private let width = 8

    init(cache: ResultCache) { self.cache = cache }

    func push(_ sha: String) {
        let start: Bool = lock.withLock {
            guard seen.insert(sha).inserted else { return false }
            if running < width { running += 1; return true }
            queued.append(sha)
            return false
        }
        if start { launch(sha) }
    }

    private func launch(_ sha: String) {
        Task { [self] in
            var next: String? = sha
            while let current = next {
                await cache.pushShared(current)
                next = lock.withLock {
                    if !queued.isEmpty { return queued.removeFirst() }
                    running -= 1
                    return nil
                }
            }
            let done: [CheckedContinuation<Void, Never>] = lock.withLock {
                guard running == 0 else { return [] }
                defer { waiters = [] }
                return waiters
            }
            for w in done { w.resume() }
        }
    }

    /// Returns once every push asked for has ended (uploaded, found there, or failed).
    func finish() async {
        await withCheckedContinuation { (continuation: CheckedContinuation<Void, Never>) in
            let now: Bool = lock.withLock {
                if running == 0 { return true }
                waiters.append(continuation)
                return false
            }
            if now { continuation.resume() }
        }
    }
}
