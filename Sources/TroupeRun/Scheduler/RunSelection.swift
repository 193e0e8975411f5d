import TroupeManifest
import TroupePlan
import TroupeState

/// The rules that decide, before anything runs, what a run covers and what is already done:
/// `--only`, `--reroll`, resuming what an earlier run finished, adopting what the lock records,
/// and what `--locked` refuses. Pure functions of the plan and of facts the executor gathered
/// (rows, cache, lock), so each rule is tested without files.
enum RunSelection {
    /// Which jobs a run covers: everything, or what `--only` names plus what it needs and the
    /// exports of what it makes.
    static func selected(_ jobs: [Job], only: [String]) -> [Bool] {
        guard !only.isEmpty else { return [Bool](repeating: true, count: jobs.count) }
        var selected = [Bool](repeating: false, count: jobs.count)
        for (i, job) in jobs.enumerated() where job.kind == .render || job.kind == .post {
            if job.isNamed(byAnyOf: only) { selected[i] = true }
        }
        // The planner adds every job after the jobs it needs: one backward pass reaches them all.
        for i in jobs.indices.reversed() where selected[i] {
            for d in jobs[i].deps { selected[d] = true }
        }
        for (i, job) in jobs.enumerated() where job.kind == .export && job.deps.contains(where: { selected[$0] }) {
            selected[i] = true
        }
        return selected
    }

    /// `--only` and `--reroll` patterns that match no render id (or, for --only, no output):
    /// a typo must not pass as "nothing to do".
    static func unmatched(_ jobs: [Job], only: [String], reroll: [String]) -> [UnmatchedPatterns.Pattern] {
        guard !only.isEmpty || !reroll.isEmpty else { return [] }
        let renders = jobs.filter { $0.kind == .render }.flatMap(\.names)
        let outputs = jobs.filter { $0.kind == .post }.flatMap(\.names)
        var unmatched: [UnmatchedPatterns.Pattern] = []
        func check(_ option: String, _ patterns: [String], _ names: [String]) {
            for p in patterns where !names.contains(where: { Glob.matches(p, $0) }) {
                unmatched.append(.init(option: option, pattern: p, suggestion: Suggestion.closest(to: p, in: names)))
            }
        }
        check("--only", only, renders + outputs)
        check("--reroll", reroll, renders)
        return unmatched
    }

    /// Only what an unfinished export needs runs: a prepared clip that gc dropped is not made
    /// again while every render made from it is done and exported.
    static func pruned(_ jobs: [Job], selected: [Bool], done: [Bool]) -> [Bool] {
        var needed = [Bool](repeating: false, count: jobs.count)
        var neededBy = [Bool](repeating: false, count: jobs.count)
        for i in jobs.indices.reversed() where selected[i] && !done[i] {
            // Dependents come before the jobs they need in this backward pass.
            needed[i] = jobs[i].kind == .export || neededBy[i]
            if needed[i] { for d in jobs[i].deps { neededBy[d] = true } }
        }
        return jobs.indices.map { selected[$0] && (done[$0] || needed[$0]) }
    }

    /// `--reroll`: the selected renders a pattern names that have been tried (a row past
    /// pending), and every job made from them, which is made again too.
    static func rerolls(_ jobs: [Job], selected: [Bool], patterns: [String],
                        state: (Int) -> JobState?) -> (renders: [Int], stale: [Int]) {
        guard !patterns.isEmpty else { return ([], []) }
        var dependents = [[Int]](repeating: [], count: jobs.count)
        for (i, job) in jobs.enumerated() { for d in job.deps { dependents[d].append(i) } }
        var renders: [Int] = [], stale: [Int] = []
        for (i, job) in jobs.enumerated() where job.kind == .render && selected[i] {
            // A render shared by cells with identical inputs is one job: re-rolling any of them re-rolls it.
            guard job.isNamed(byAnyOf: patterns),
                  let s = state(i), s != .pending else { continue }
            renders.append(i)
            var stack = dependents[i]
            while let d = stack.popLast() {
                stale.append(d)
                stack.append(contentsOf: dependents[d])
            }
        }
        return (renders, stale)
    }

    /// A job whose row says `fetched`: done, with what it hands on, or to be made again
    /// (its result left the cache, its export is missing or was replaced).
    static func resumed(_ job: Job, row: JobRecord, isCached: (String) throws -> Bool,
                        isExported: (String) -> Bool) rethrows -> (done: Bool, result: JobResult?) {
        switch job.kind {
        case .export:
            guard let sha = row.resultSHA256, isExported(sha) else { return (false, nil) }
            return (true, .exported(sha256: sha))
        case .element:
            // The preview provider makes no elements: done, with nothing to hand on.
            return (true, row.elementId.map { .element(id: $0) })
        case .upload:
            // The store is content-addressed: what was uploaded stays there.
            return (true, row.resultSHA256.map { .uploaded(sha256: $0) })
        case .prepare, .render, .post:
            guard let sha = row.resultSHA256, try isCached(sha) else { return (false, nil) }
            return (true, .file(sha256: sha))
        }
    }

    /// What the lock lets a run take for a job the state store does not know.
    enum LockAdoption: Equatable {
        /// An element's pinned id.
        case element(id: Int64, taskID: String?, units: Double?)
        /// A render whose result is in the cache (a fresh clone with a shared cache), with the
        /// task's external id and re-roll as locked (the lock is written back the same).
        case result(sha256: String, taskID: String?, duration: Double?, units: Double?, externalID: String? = nil, reroll: Int = 0)
        /// Rendered before, result not here: ask the provider for the task by its external id
        /// before anything is created (the lifecycle's `submitting`), or follow the locked task
        /// id where the provider finds nothing by external id (fal).
        case askProvider(externalID: String, reroll: Int, taskID: String? = nil)
    }

    static func adoption(_ job: Job, lock: Lockfile, isCached: (String) throws -> Bool, remote: Bool) rethrows -> LockAdoption? {
        switch job.kind {
        case .element:
            guard let e = lock.element(key: job.key, names: job.names), let id = e.elementId else { return nil }
            return .element(id: id, taskID: e.taskId, units: e.units)
        case .render:
            guard let r = lock.render(key: job.key, names: job.names) else { return nil }
            // A later re-roll must not reuse a suffix the provider has seen.
            let reroll = r.externalTaskId?.split(separator: "-").last.flatMap { $0.hasPrefix("r") ? Int($0.dropFirst()) : nil } ?? 0
            if let sha = r.sha256, try isCached(sha) {
                return .result(sha256: sha, taskID: r.taskId, duration: r.duration, units: r.units, externalID: r.externalTaskId, reroll: reroll)
            }
            guard remote, r.taskId != nil else { return nil }
            return .askProvider(externalID: r.externalTaskId ?? RenderLifecycle.externalID(key: job.key), reroll: reroll, taskID: r.taskId)
        case .post:
            // An output the lock records, its object here (pulled from a shared cache): the same
            // bytes as were exported, whichever machine made them.
            for name in job.names {
                guard let o = lock.outputs[name], o.key == job.key, let sha = o.sha256, try isCached(sha) else { continue }
                return .result(sha256: sha, taskID: nil, duration: o.duration, units: nil)
            }
            return nil
        default:
            return nil
        }
    }

    /// `--locked`: the paid jobs this run would have to create — not finished, not in flight
    /// at the provider, not recorded in the lock.
    static func lockedRefusals(_ jobs: [Job], selected: [Bool], done: [Bool], state: (Int) -> JobState?,
                               inLock: (Int) -> Bool, lockName: String) -> [LockedRefusal] {
        var refused: [LockedRefusal] = []
        for (i, job) in jobs.enumerated() where selected[i] && !done[i] && job.kind.isPaid {
            switch state(i) {
            case .submitting?, .submitted?, .succeeded?, .fetched?, .inDoubt?: continue
            case .failed?, .stalled?:
                refused.append(LockedRefusal(job: job.id, units: job.units, reason: "failed in an earlier run; only --reroll renders it again"))
            case .pending?, nil:
                if !inLock(i) { refused.append(LockedRefusal(job: job.id, units: job.units, reason: "not in \(lockName)")) }
            }
        }
        return refused
    }

    /// Paid jobs an earlier run left at the provider: they go first, holding slots there.
    static func isResumed(_ state: JobState?) -> Bool {
        state == .submitting || state == .submitted || state == .succeeded
    }
}
