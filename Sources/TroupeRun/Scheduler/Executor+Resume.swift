import Foundation
import TroupeManifest
import TroupePlan
import TroupeState

/// What a run starts from: the jobs it covers, those already done and their results, the rows
/// and the lock as it found them.
struct RunStart {
    var selected: [Bool]
    var done: [Bool]
    var results: [JobResult?]
    var records: [String: JobRecord]
    var lock: Lockfile?
    var rerolled: [String]
    var alreadyDone: Int
}

extension Executor {
    /// Gathers the facts (rows, the cache, out/, the lock) and applies RunSelection's rules
    /// to them, writing what they decide (re-rolls, adoptions) to the state store.
    func resume() async throws -> RunStart {
        let unmatched = RunSelection.unmatched(plan.jobs, only: options.only, reroll: options.reroll)
        if !unmatched.isEmpty { throw UnmatchedPatterns(patterns: unmatched) }
        if options.locked && !options.reroll.isEmpty {
            throw LockedRunRefused(jobs: plan.jobs.filter { $0.kind == .render && $0.isNamed(byAnyOf: options.reroll) }
                .map { LockedRefusal(job: $0.id, units: $0.units, reason: "--reroll pays again") })
        }
        var selected = selection()
        let rerolled = try await applyRerolls(selected: selected)
        var records = try await store.records(keys: plan.jobs.map(\.key))
        let lock = try Lockfile.read(lockPath)
        var done = [Bool](repeating: false, count: plan.jobs.count)
        var results = [JobResult?](repeating: nil, count: plan.jobs.count)
        for (i, job) in plan.jobs.enumerated() {
            if let row = records[job.key] {
                guard row.state == .fetched else { continue }
                // Exported and unaltered: its cache object's inode (plain stats; FileManager's
                // attributes look up user and group names, slow over 10,000 files). A missing
                // or replaced export is made again from the cache.
                // A result used again is checked first (a damaged object is quarantined, not used).
                let isCached = { (sha: String) in try self.cache.checkedPath(of: sha, for: job.id) != nil }
                (done[i], results[i]) = try RunSelection.resumed(job, row: row, isCached: isCached, isExported: { sha in
                    guard case .export(let path) = job.subject else { return false }
                    return self.cache.isExported(sha, at: self.baseDirectory + "/" + path)
                })
            } else if let lock, let adoption = try RunSelection.adoption(job, lock: lock, isCached: { try self.cache.checkedPath(of: $0, for: job.id) != nil },
                                                                          remote: remote != nil) {
                let record = try await adopt(job, adoption)
                records[job.key] = record
                if record.state == .fetched {
                    done[i] = true
                    results[i] = job.kind == .element ? record.elementId.map { .element(id: $0) } : record.resultSHA256.map { .file(sha256: $0) }
                }
            }
        }
        selected = RunSelection.pruned(plan.jobs, selected: selected, done: done)
        if options.locked {
            let refused = RunSelection.lockedRefusals(
                plan.jobs, selected: selected, done: done, state: { records[self.plan.jobs[$0].key]?.state },
                inLock: { i in
                    let job = self.plan.jobs[i]
                    return job.kind == .render ? lock?.render(key: job.key, names: job.names) != nil
                        : lock?.element(key: job.key, names: job.names) != nil
                },
                lockName: (lockPath as NSString).lastPathComponent)
            if !refused.isEmpty { throw LockedRunRefused(jobs: refused) }
        }
        let alreadyDone = plan.jobs.indices.filter { selected[$0] && done[$0] }.count
        return RunStart(selected: selected, done: done, results: results, records: records, lock: lock,
                        rerolled: rerolled, alreadyDone: alreadyDone)
    }

    /// Records what the lock gave a job the store did not know, so later runs and jobs agree.
    private func adopt(_ job: Job, _ adoption: RunSelection.LockAdoption) async throws -> JobRecord {
        var record = JobRecord(key: job.key, id: job.id, kind: job.kind, state: .fetched, units: job.units, now: clock.date)
        switch adoption {
        case .element(let id, let taskID, let units):
            record.elementId = id
            record.taskId = taskID
            record.unitsCharged = units
        case .result(let sha, let taskID, let duration, let units, let externalID, let reroll):
            record.taskId = taskID
            record.externalTaskId = externalID
            record.reroll = reroll
            record.resultSHA256 = sha
            record.resultDuration = duration
            record.unitsCharged = units
        case .askProvider(let externalID, let reroll, let taskID):
            record.state = .submitting
            record.externalTaskId = externalID
            record.reroll = reroll
            if let taskID, session?.provider.findsTasksByExternalID == false {
                // fal: the locked request id is all there is to follow; asked for as a task
                // that finished, whose result may still be kept.
                record.state = .succeeded
                record.taskId = taskID
            }
        }
        try await store.save(record)
        return record
    }

    /// `--reroll`: renders that match get a new external id (`-rN`) and will be paid for
    /// again; what was made from them (post-steps, exports) is made again too.
    private func applyRerolls(selected: [Bool]) async throws -> [String] {
        guard !options.reroll.isEmpty else { return [] }
        var rows: [Int: JobRecord] = [:]
        for (i, job) in plan.jobs.enumerated() where job.kind == .render && selected[i] {
            if job.isNamed(byAnyOf: options.reroll) { rows[i] = try await store.record(job.key) }
        }
        let (renders, stale) = RunSelection.rerolls(plan.jobs, selected: selected, patterns: options.reroll, state: { rows[$0]?.state })
        for i in renders {
            guard var record = rows[i] else { continue }
            let job = plan.jobs[i]
            record.reroll += 1
            record.unitsRerolled += record.unitsCharged ?? 0
            record.state = .pending
            record.externalTaskId = RenderLifecycle.externalID(key: job.key, reroll: record.reroll)
            record.taskId = nil
            record.resultSHA256 = nil
            record.resultDuration = nil
            record.unitsCharged = nil
            record.lastError = nil
            record.updatedAt = clock.date
            try await store.save(record, ledger: "reroll", detail: "re-roll \(record.reroll) of \(job.id)", at: record.updatedAt)
        }
        try await store.delete(keys: stale.map { plan.jobs[$0].key })
        return renders.map { plan.jobs[$0].id }
    }
}
