import Foundation
import TroupeManifest
public import TroupePlan
import TroupeMedia
public import TroupeNet

public struct RunOptions: Sendable {
    /// Globs over render ids (`mochi/*`) and output names: run those and what they need.
    public var only: [String] = []
    /// `--locked`: never create a paid task. Locked renders are adopted by their task ids or
    /// taken from the cache; a paid job that would need a create is refused (`LockedRunRefused`
    /// before the run starts, `RunSummary.lockedRefused` when the provider turns out not to
    /// know a locked task).
    public var locked = false
    /// Local jobs (prepare, post, export) at once; the preview renderer counts as local.
    public var localConcurrency = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Uploads at once.
    public var networkConcurrency = 4
    /// Re-checked against what the provider actually deducts (nil: no budget).
    public var maxUnits: Double?
    /// Globs over render ids to render again, paying again (a new external_task_id).
    public var reroll: [String] = []
    public init() {}
}

/// A remote provider and what it needs: an upload store for local media and an HTTP client
/// for downloads.
public struct RemoteBackend: Sendable {
    public var provider: any RemoteProvider
    public var uploads: S3Store?
    public var settings: RemoteSettings
    /// The client the provider and the store talk through; downloads share it (one event-loop
    /// thread for the whole run).
    public var http: HTTPClient

    public init(provider: any RemoteProvider, uploads: S3Store?, settings: RemoteSettings, http: HTTPClient) {
        self.provider = provider
        self.uploads = uploads
        self.settings = settings
        self.http = http
    }
}

public struct RunSummary: Sendable {
    public var done = 0
    /// Jobs found finished by an earlier run.
    public var alreadyDone = 0
    public var failed: [(id: String, reason: String)] = []
    /// Jobs not run because something they need failed, or the run was interrupted.
    public var notRun = 0
    public var unitsSpent = 0.0
    public var interrupted = false
    public var exported: [String] = []
    /// Why the run stopped starting paid jobs at run time, when the budget was reached.
    public var budgetRefused: String?
    /// Why the whole run stopped early (credentials, arrears), in the provider's words.
    public var stopReason: String?
    /// Renders re-rolled by this run.
    public var rerolled: [String] = []
    /// Paid jobs `--locked` did not create: the provider no longer knew their locked task.
    public var lockedRefused: [LockedRefusal] = []
}

/// `--only` or `--reroll` patterns that match nothing: a typo must not pass as "nothing to do".
public struct UnmatchedPatterns: Error, CustomStringConvertible {
    public struct Pattern: Sendable {
        public var option: String
        public var pattern: String
        public var suggestion: String?
    }
    public var patterns: [Pattern]
    public var description: String {
        patterns.map { p in
            "\(p.option) '\(p.pattern)' matches no \(p.option == "--reroll" ? "render" : "render or output")"
                + (p.suggestion.map { "; did you mean '\($0)'?" } ?? "")
        }.joined(separator: "\n")
    }
}

/// `--locked` refused the run before it started: these paid jobs would have to be created.
public struct LockedRunRefused: Error, CustomStringConvertible {
    public var jobs: [LockedRefusal]
    public var description: String {
        "--locked: \(jobs.count) paid job(s) would have to be created: " + jobs.prefix(5).map(\.job).joined(separator: ", ")
            + (jobs.count > 5 ? ", …" : "")
    }
}

/// Runs a plan's DAG: each job once its dependencies are done, local work on a bounded pool,
/// results into the content-addressed cache, state committed as each job moves.
public final class Executor: @unchecked Sendable {
    let plan: Plan
    let baseDirectory: String
    let store: StateStore
    let cache: ResultCache
    let backend: any RenderBackend
    let observer: any RunObserver
    let options: RunOptions
    let lockPath: String
    let remote: RemoteBackend?
    let session: RemoteSession?
    let http: HTTPClient

    private let stop = StopFlag()

    public init(plan: Plan, store: StateStore, cache: ResultCache, backend: any RenderBackend,
                remote: RemoteBackend? = nil, observer: any RunObserver, options: RunOptions) {
        self.plan = plan
        self.baseDirectory = plan.manifest.baseDirectory
        self.store = store
        self.cache = cache
        self.backend = backend
        self.observer = observer
        self.options = options
        self.lockPath = Campaign.lockPath(forManifest: plan.manifest.path)
        self.remote = remote
        let http = remote?.http ?? HTTPClient()
        self.http = http
        let stop = stop
        session = remote.map { remote in
            RemoteSession(provider: remote.provider, settings: remote.settings, maxUnits: options.maxUnits,
                          store: store, http: http, mayCreate: !options.locked,
                          isStopping: { stop.isSet }, stopRun: { stop.set(reason: $0) })
        }
        // Jobs waiting for a provider slot or a poll round give up at once when the run stops.
        let limits = session?.limits, poller = session?.poller
        stop.onSet = {
            limits?.close()
            Task { await poller?.stop() }
        }
    }

    /// Stop starting jobs; local jobs in flight finish, remote ones save their state and stop
    /// waiting (the next run resumes them).
    public func requestStop() {
        stop.set(reason: nil)
    }

    var stopping: Bool { stop.isSet }

    /// Which jobs this run covers: everything, or what `--only` names plus its dependencies.
    public func selection() -> [Bool] {
        guard !options.only.isEmpty else { return [Bool](repeating: true, count: plan.jobs.count) }
        var selected = [Bool](repeating: false, count: plan.jobs.count)
        for (i, job) in plan.jobs.enumerated() {
            if (job.kind == .render || job.kind == .post), job.names.contains(where: { name in options.only.contains { Glob.matches($0, name) } }) {
                selected[i] = true
            }
        }
        // Everything they need…
        for i in plan.jobs.indices.reversed() where selected[i] {
            for d in plan.jobs[i].deps { selected[d] = true }
        }
        // …and their exports.
        for (i, job) in plan.jobs.enumerated() where job.kind == .export && job.deps.contains(where: { selected[$0] }) {
            selected[i] = true
        }
        return selected
    }

    /// Where a job runs: on the local pool (cores), as an upload, or at the remote provider
    /// (which has its own gate; more of them than the gate allows would only wait).
    enum Lane: Int, CaseIterable { case local, network, remote }

    func lane(_ job: Job) -> Lane {
        switch job.kind {
        case .upload: .network
        case .render, .element: remote == nil ? .local : .remote
        default: .local
        }
    }

    func capacity(_ lane: Lane) -> Int {
        switch lane {
        case .local: options.localConcurrency
        case .network: options.networkConcurrency
        // Enough to keep every slot busy while finished renders download (a job waiting for a
        // slot takes one the moment it frees); more would only be tasks parked on the gate.
        case .remote: (remote?.settings.concurrency ?? 1) + max(4, (remote?.settings.concurrency ?? 1) / 4)
        }
    }

    public func run() async throws -> RunSummary {
        // Rows saved for later are committed before the run returns, whatever happened.
        defer { try? store.flush() }
        var summary = RunSummary()
        try checkPatterns()
        if options.locked && !options.reroll.isEmpty {
            throw LockedRunRefused(jobs: plan.jobs.filter { $0.kind == .render && $0.names.contains { n in options.reroll.contains { Glob.matches($0, n) } } }
                .map { LockedRefusal(job: $0.id, units: $0.units, reason: "--reroll pays again") })
        }
        var selected = selection()
        summary.rerolled = try applyRerolls(selected: selected)
        var records = try store.records(keys: plan.jobs.map(\.key))
        let oldLock = try Lockfile.read(lockPath)
        var done = [Bool](repeating: false, count: plan.jobs.count)
        var result = [String?](repeating: nil, count: plan.jobs.count)
        for (i, job) in plan.jobs.enumerated() {
            guard let r = records[job.key], r.state == .fetched else {
                if records[job.key] == nil, let token = try adoptFromLock(job, oldLock, records: &records) {
                    done[i] = true
                    result[i] = token
                }
                continue
            }
            switch job.kind {
            case .export:
                // Exported and unaltered (its cache object's inode; plain stats: FileManager's
                // attributes look up user and group names, slow over 10,000 files). A missing or
                // replaced export is made again from the cache.
                if let sha = r.resultSHA256, cache.isExported(sha, at: baseDirectory + "/" + exportPath(job)) {
                    done[i] = true
                    result[i] = sha
                }
            case .element:
                done[i] = true
                result[i] = r.elementId.map(String.init)
            case .upload:
                // The store is content-addressed: what was uploaded stays there.
                done[i] = true
                result[i] = r.resultSHA256
            default:
                if let sha = r.resultSHA256, try cache.checkedPath(of: sha, for: job.id) != nil {
                    done[i] = true
                    result[i] = r.resultSHA256
                }
            }
        }
        // Only what an unfinished export needs runs: a prepared clip that gc dropped is not made
        // again while every render made from it is done and exported.
        var needed = [Bool](repeating: false, count: plan.jobs.count)
        var neededBy = [Bool](repeating: false, count: plan.jobs.count)
        for i in plan.jobs.indices.reversed() where selected[i] && !done[i] {
            // The planner adds every job after the jobs it needs, so dependents come first here.
            assert(plan.jobs[i].deps.allSatisfy { $0 < i })
            needed[i] = plan.jobs[i].kind == .export || neededBy[i]
            if needed[i] { for d in plan.jobs[i].deps { neededBy[d] = true } }
        }
        for i in plan.jobs.indices where selected[i] && !done[i] && !needed[i] { selected[i] = false }
        if options.locked {
            let refused = lockedRefusals(selected: selected, done: done, records: records, lock: oldLock)
            if !refused.isEmpty { throw LockedRunRefused(jobs: refused) }
        }
        let total = plan.jobs.indices.filter { selected[$0] }.count
        summary.alreadyDone = plan.jobs.indices.filter { selected[$0] && done[$0] }.count
        observer.observe(RunEvent(.runStarted, counts: ["jobs": total, "already_done": summary.alreadyDone]))

        var dependents = [[Int]](repeating: [], count: plan.jobs.count)
        var waiting = [Int](repeating: 0, count: plan.jobs.count)
        for (i, job) in plan.jobs.enumerated() where selected[i] && !done[i] {
            for d in job.deps where !done[d] {
                dependents[d].append(i)
                waiting[i] += 1
            }
        }
        var ready = [ReadyQueue](repeating: ReadyQueue(), count: Lane.allCases.count)
        // Tasks a crash left at the provider go first: they already hold slots there.
        let resumed = { (i: Int) -> Bool in
            guard let state = records[self.plan.jobs[i].key]?.state else { return false }
            return state == .submitting || state == .submitted || state == .succeeded
        }
        for i in plan.jobs.indices where selected[i] && !done[i] && waiting[i] == 0 {
            ready[lane(plan.jobs[i]).rawValue].append(i)
        }
        ready[Lane.remote.rawValue].prioritize(resumed)
        var running = [Int](repeating: 0, count: Lane.allCases.count)
        var blocked = [Bool](repeating: false, count: plan.jobs.count)
        var lastLockWrite = Date.distantPast
        var lockWriteCost = 0.0

        // What a finished job means for the rest: its dependents, the summary, the lock.
        func complete(_ finished: Finished) {
            let i = finished.index
            let job = plan.jobs[i]
            if finished.interrupted { return }
            if let refusal = finished.locked {
                summary.lockedRefused.append(refusal)
                return
            }
            if let refused = finished.budget {
                // Stop starting paid work; what is in flight finishes.
                if summary.budgetRefused == nil { summary.budgetRefused = refused }
                ready[Lane.remote.rawValue].removeAll()
                return
            }
            if let reason = finished.error {
                summary.failed.append((job.id, reason))
                observer.observe(RunEvent(.jobFailed, job: job.id, jobKind: job.kind.rawValue, message: reason))
                var stack = dependents[i]
                while let d = stack.popLast() {
                    guard !blocked[d] else { continue }
                    blocked[d] = true
                    stack.append(contentsOf: dependents[d])
                }
                return
            }
            let sha = finished.sha, units = finished.units
            done[i] = true
            result[i] = sha
            summary.done += 1
            summary.unitsSpent += units
            if job.kind == .export { summary.exported.append(exportPath(job)) }
            observer.observe(RunEvent(.jobDone, job: job.id, jobKind: job.kind.rawValue, units: units))
            for d in dependents[i] {
                waiting[d] -= 1
                if waiting[d] == 0 && !blocked[d] {
                    if summary.budgetRefused != nil && lane(plan.jobs[d]) == .remote { continue }
                    ready[lane(plan.jobs[d]).rawValue].append(d)
                }
            }
            // The lock is derived from the state store; rewriting it now and then (not per
            // job) keeps a 10,000-job run cheap, and the end of the run writes it whole.
            // Every 10 s, or less often when it is big: at most 0.5 % of the run's time.
            if job.kind.isPaid || job.kind == .post, Date().timeIntervalSince(lastLockWrite) > max(10, 200 * lockWriteCost) {
                let start = Date()
                try? writeLock(old: oldLock)
                lastLockWrite = Date()
                lockWriteCost = lastLockWrite.timeIntervalSince(start)
            }
        }
        // An export is a hard link when out/ and the cache share a file system: done right
        // here instead of in a task of its own (half of a campaign's jobs; a task each cost
        // more than the link). A copy to another file system takes a task, as other jobs do.
        let outDevice = (FileStats.statNow(baseDirectory + "/" + plan.outputFolder) ?? FileStats.statNow(baseDirectory + "/out")
                         ?? FileStats.statNow(baseDirectory))?.device
        let exportsLink = outDevice != nil && outDevice == FileStats.statNow((store.path as NSString).deletingLastPathComponent)?.device

        // A struct rather than a tuple: Swift 6.3's optimiser mangled the index of a
        // (Int, Result<(String?, Double), any Error>) task result in release builds.
        try await withThrowingTaskGroup(of: Finished.self) { group in
            var inFlight = 0
            while true {
                for lane in Lane.allCases {
                    while running[lane.rawValue] < capacity(lane), !stopping, let i = ready[lane.rawValue].popFirst() {
                        let inputs = plan.jobs[i].deps.map { result[$0] }
                        // The row as the run found it: nothing else writes it before the job runs.
                        let found = records[plan.jobs[i].key]
                        observer.observe(RunEvent(.jobStarted, job: plan.jobs[i].id, jobKind: plan.jobs[i].kind.rawValue))
                        if exportsLink, plan.jobs[i].kind == .export {
                            do {
                                complete(Finished(index: i, sha: try export(i, inputs: inputs, record: found), units: 0, error: nil))
                            } catch {
                                complete(Finished(index: i, sha: nil, units: 0, error: "\(error)"))
                            }
                            continue
                        }
                        running[lane.rawValue] += 1
                        inFlight += 1
                        group.addTask { [self] in
                            do {
                                let (sha, units) = try await execute(i, inputs: inputs, record: found)
                                return Finished(index: i, sha: sha, units: units, error: nil)
                            } catch is JobInterrupted {
                                return Finished(index: i, sha: nil, units: 0, error: nil, interrupted: true)
                            } catch let refusal as LockedRefusal {
                                return Finished(index: i, sha: nil, units: 0, error: nil, locked: refusal)
                            } catch let refused as BudgetGuard.Refused {
                                return Finished(index: i, sha: nil, units: 0, error: nil, budget: refused.description)
                            } catch {
                                return Finished(index: i, sha: nil, units: 0, error: "\(error)")
                            }
                        }
                    }
                }
                guard inFlight > 0, let finished = try await group.next() else { break }
                inFlight -= 1
                running[lane(plan.jobs[finished.index]).rawValue] -= 1
                complete(finished)
            }
        }
        summary.stopReason = stop.reason
        summary.interrupted = stopping && summary.stopReason == nil
        summary.notRun = plan.jobs.indices.filter { selected[$0] && !done[$0] }.count - summary.failed.count
        // Always derived again: a lock that lost entries (or never had them) is restored from
        // the state store; it is written only when it differs.
        try writeLock(old: oldLock)
        observer.observe(RunEvent(.runFinished, units: summary.unitsSpent,
                                  counts: ["done": summary.done, "failed": summary.failed.count, "not_run": summary.notRun]))
        return summary
    }

    /// Every `--only` and `--reroll` pattern must match a render id (or, for --only, an output).
    func checkPatterns() throws {
        guard !options.only.isEmpty || !options.reroll.isEmpty else { return }
        let renders = plan.jobs.filter { $0.kind == .render }.flatMap(\.names)
        let outputs = plan.jobs.filter { $0.kind == .post }.flatMap(\.names)
        var unmatched: [UnmatchedPatterns.Pattern] = []
        func check(_ option: String, _ patterns: [String], _ names: [String]) {
            for p in patterns where !names.contains(where: { Glob.matches(p, $0) }) {
                unmatched.append(.init(option: option, pattern: p, suggestion: Suggestion.closest(to: p, in: names)))
            }
        }
        check("--only", options.only, renders + outputs)
        check("--reroll", options.reroll, renders)
        if !unmatched.isEmpty { throw UnmatchedPatterns(patterns: unmatched) }
    }

    /// `--locked`: the paid jobs this run would have to create — not finished, not in flight at
    /// the provider, not recorded in the lock.
    private func lockedRefusals(selected: [Bool], done: [Bool], records: [String: JobRecord], lock: Lockfile?) -> [LockedRefusal] {
        var refused: [LockedRefusal] = []
        let lockName = (lockPath as NSString).lastPathComponent
        for (i, job) in plan.jobs.enumerated() where selected[i] && !done[i] && job.kind.isPaid {
            switch records[job.key]?.state {
            case .submitting?, .submitted?, .succeeded?, .fetched?: continue
            case .failed?, .stalled?:
                refused.append(LockedRefusal(job: job.id, units: job.units, reason: "failed in an earlier run; only --reroll renders it again"))
                continue
            case .pending?, nil: break
            }
            let inLock = job.kind == .render ? lock?.render(key: job.key, names: job.names) != nil
                : lock?.element(key: job.key, names: job.names) != nil
            if !inLock { refused.append(LockedRefusal(job: job.id, units: job.units, reason: "not in \(lockName)")) }
        }
        return refused
    }

    /// A job the state store does not know but troupe.lock records with the same key: an
    /// element's pinned id, or a render or output whose result is in the cache (a fresh clone
    /// with a shared cache). Recorded in the store (and `records`) so later runs and jobs agree.
    /// Returns the result.
    private func adoptFromLock(_ job: Job, _ lock: Lockfile?, records: inout [String: JobRecord]) throws -> String? {
        guard let lock else { return nil }
        var record = JobRecord(key: job.key, id: job.id, kind: job.kind.rawValue, state: .fetched, units: job.units, now: Date())
        switch job.kind {
        case .element:
            guard let e = lock.element(key: job.key, names: job.names), let id = e.elementId else { return nil }
            record.elementId = id
            record.taskId = e.taskId
            record.unitsCharged = e.units
            try store.save(record)
            records[job.key] = record
            return String(id)
        case .render:
            guard let r = lock.render(key: job.key, names: job.names) else { return nil }
            guard let sha = r.sha256, try cache.checkedPath(of: sha, for: job.id) != nil else {
                // Rendered before, result not here: a remote provider is asked by the task's
                // external id before anything is created (the lifecycle's `submitting`).
                if remote != nil, r.taskId != nil {
                    record.state = .submitting
                    record.externalTaskId = r.externalTaskId ?? RenderLifecycle.externalID(key: job.key)
                    // A later re-roll must not reuse a suffix the provider has seen.
                    if let n = r.externalTaskId?.split(separator: "-").last.flatMap({ $0.hasPrefix("r") ? Int($0.dropFirst()) : nil }) {
                        record.reroll = n
                    }
                    try store.save(record)
                    records[job.key] = record
                }
                return nil
            }
            record.taskId = r.taskId
            record.resultSHA256 = sha
            record.resultDuration = r.duration
            record.unitsCharged = r.units
            try store.save(record)
            records[job.key] = record
            return sha
        default:
            return nil
        }
    }

    /// `--reroll`: renders that match get a new external id (`-rN`) and will be paid for
    /// again; what was made from them (post-steps, exports) is made again too.
    private func applyRerolls(selected: [Bool]) throws -> [String] {
        guard !options.reroll.isEmpty else { return [] }
        var dependents = [[Int]](repeating: [], count: plan.jobs.count)
        for (i, job) in plan.jobs.enumerated() { for d in job.deps { dependents[d].append(i) } }
        var rerolled: [String] = []
        var stale: [String] = []
        for (i, job) in plan.jobs.enumerated() where job.kind == .render && selected[i] {
            // A render shared by cells with identical inputs is one job: re-rolling any of them re-rolls it.
            guard job.names.contains(where: { name in options.reroll.contains { Glob.matches($0, name) } }), var record = try store.record(job.key),
                  record.state != .pending else { continue }
            record.reroll += 1
            record.unitsRerolled += record.unitsCharged ?? 0
            record.state = .pending
            record.externalTaskId = RenderLifecycle.externalID(key: job.key, reroll: record.reroll)
            record.taskId = nil
            record.resultSHA256 = nil
            record.resultDuration = nil
            record.unitsCharged = nil
            record.lastError = nil
            record.updatedAt = Date()
            try store.save(record, ledger: "reroll", detail: "re-roll \(record.reroll) of \(job.id)", at: record.updatedAt)
            rerolled.append(job.id)
            var stack = dependents[i]
            while let d = stack.popLast() {
                stale.append(plan.jobs[d].key)
                stack.append(contentsOf: dependents[d])
            }
        }
        try store.delete(keys: stale)
        return rerolled
    }

    private func exportPath(_ job: Job) -> String {
        if case .export(let path) = job.subject { return path }
        return ""
    }

    /// Runs one job; returns its result (a file digest, an element id) and units spent.
    private func execute(_ i: Int, inputs: [String?], record found: JobRecord?) async throws -> (String?, Double) {
        let job = plan.jobs[i]
        let now = Date()
        var record = found ?? JobRecord(key: job.key, id: job.id, kind: job.kind.rawValue,
                                                               units: job.units, now: now)
        if job.kind.isPaid, record.state == .failed || record.state == .stalled {
            let name = job.name
            throw RunError.provider("\(record.lastError ?? "failed") — in an earlier run; `troupe run --reroll '\(name)'` tries again")
        }
        // A remote paid job counts its attempts where it commits the intent to create.
        if !(job.kind.isPaid && session != nil) { record.attempts += 1 }
        switch job.subject {
        case .prepare(_, let source, let trim, let conform):
            let input = try await localPath(source)
            var current = input
            if let t = trim {
                let out = try cache.temporaryFile()
                _ = try MediaEditor.trim(current, to: out, start: t.lowerBound, end: t.upperBound)
                current = out
            }
            if conform {
                let out = try cache.temporaryFile()
                _ = try MediaEditor.conform(current, to: out)
                if current != input { try? FileManager.default.removeItem(atPath: current) }
                current = out
            }
            let (sha, _) = try cache.ingest(current)
            try finish(&record, sha: sha)
            return (sha, 0)
        case .upload(let input, _):
            guard let uploads = remote?.uploads else {
                throw RunError.unsupported("local media must be uploaded for provider '\(plan.provider.use.rawValue)': add `uploads: {s3: …}` to the manifest")
            }
            let file: String
            if let input { file = try await localPath(input) } else if let prepared = inputs.first ?? nil {
                file = try cache.checkedInput(prepared, for: job.id)
            } else {
                throw RunError.unsupported("\(job.id): the prepared clip is missing")
            }
            let upload = try await uploads.upload(file: file)
            try finish(&record, sha: upload.sha256)
            return (upload.sha256, 0)
        case .element(let e):
            guard let session else {
                // The preview provider needs no elements: identity comes from the image.
                try finish(&record, sha: nil)
                return (nil, 0)
            }
            let element = plan.manifest.elements[e]
            guard case .fromVideo(let source, _, _) = element.source else { return (nil, 0) }
            let video = try url(of: source, upload: inputs.first ?? nil)
            let work = RemoteSession.Work.element(RemoteElementRequest(
                externalID: RenderLifecycle.externalID(key: job.key, reroll: record.reroll),
                name: element.name, description: element.description, videoURL: video))
            let outcome = try await session.run(job, record: &record, work: work, downloadTo: { try self.cache.temporaryFile() })
            guard let id = outcome.elementID ?? record.elementId else { throw RunError.provider("the element task gave no element_id") }
            record.elementId = id
            try finish(&record, sha: nil)
            return (String(id), outcome.paidNow ? outcome.units : 0)
        case .render(let c, let k, _, let settings):
            if let session { return try await renderRemotely(job, &record, session: session, character: c, clip: k, settings: settings, inputs: inputs) }
            let character = plan.manifest.characters[c]
            let image = try await localPath(MediaInput(source: character.image, sha256: character.sha256 ?? ""))
            // A trimmed or conformed clip comes from its prepare job; otherwise the source itself.
            let clip: String
            if let d = job.deps.firstIndex(where: { plan.jobs[$0].kind == .prepare }), let prepared = inputs[d] {
                clip = try cache.checkedInput(prepared, for: job.id)
            } else {
                let source = plan.manifest.clips[k]
                clip = try await localPath(MediaInput(source: source.video, sha256: source.sha256 ?? ""))
            }
            let out = try cache.temporaryFile()
            let outcome = try await backend.render(job, inputs: RenderInputs(imagePath: image, clipPath: clip, settings: settings,
                                                                                seconds: job.seconds ?? 1), to: out)
            let info = try? MediaProbe.probe(out)
            let (sha, _) = try cache.ingest(out)
            record.taskId = outcome.taskId
            record.unitsCharged = outcome.unitsCharged
            record.resultDuration = info?.durationSeconds
            try finish(&record, sha: sha)
            return (sha, outcome.unitsCharged)
        case .post(let o):
            let paths = try inputs.compactMap { $0 }.map { try cache.checkedInput($0, for: job.id) }
            var out = try cache.temporaryFile()
            _ = try MediaEditor.concat(paths, to: out)
            if let t = plan.outputs[o].trim {
                let trimmed = try cache.temporaryFile()
                _ = try MediaEditor.trim(out, to: trimmed, start: t.lowerBound, end: t.upperBound)
                try? FileManager.default.removeItem(atPath: out)
                out = trimmed
            }
            let info = try? MediaProbe.probe(out)
            let (sha, _) = try cache.ingest(out)
            record.resultDuration = info?.durationSeconds
            try finish(&record, sha: sha)
            return (sha, 0)
        case .export:
            return (try export(i, inputs: inputs, record: found), 0)
        }
    }

    /// An export job: its input's cache object under its out/ name.
    private func export(_ i: Int, inputs: [String?], record found: JobRecord?) throws -> String {
        let job = plan.jobs[i]
        var record = found ?? JobRecord(key: job.key, id: job.id, kind: job.kind.rawValue, units: job.units, now: Date())
        record.attempts += 1
        let path = exportPath(job)
        guard let sha = inputs.first ?? nil else { throw RunError.unsupported("nothing to export for \(path)") }
        try cache.export(sha, to: baseDirectory + "/" + path)
        // Lost in a crash, an export is linked again: its row waits for the next commit.
        try finish(&record, sha: sha, later: true)
        return sha
    }

    /// A paid render at the remote provider: URLs of its (uploaded) inputs, the element id
    /// if its character names one, then the lifecycle; the result lands in the cache.
    private func renderRemotely(_ job: Job, _ record: inout JobRecord, session: RemoteSession, character c: Int, clip k: Int,
                                settings: RenderSettings, inputs: [String?]) async throws -> (String?, Double) {
        let character = plan.manifest.characters[c], clip = plan.manifest.clips[k]
        // Fetched once, its result since lost from the cache (deleted, found corrupt): ask for
        // the task again and download a fresh copy; the task is not created or paid again.
        if record.state == .fetched {
            record.state = .succeeded
            record.resultSHA256 = nil
        }
        func dep(_ prefix: String) -> String? {
            job.deps.firstIndex { plan.jobs[$0].id.hasPrefix(prefix) }.flatMap { inputs[$0] }
        }
        let imageURL = try url(of: character.image, upload: dep("upload:image/"))
        let videoURL = try url(of: clip.video, upload: dep("upload:clip/"))
        var elementID: Int64?
        if let name = character.element?.value, let element = plan.manifest.elements.first(where: { $0.name == name }) {
            switch element.source {
            case .existing(let id): elementID = id
            case .fromVideo: elementID = dep("element:").flatMap { Int64($0) }
            }
        }
        let work = RemoteSession.Work.render(RemoteRenderRequest(
            externalID: RenderLifecycle.externalID(key: job.key, reroll: record.reroll),
            imageURL: imageURL, videoURL: videoURL, settings: settings, elementID: elementID))
        let outcome = try await session.run(job, record: &record, work: work, downloadTo: { try self.cache.temporaryFile() })
        guard let file = outcome.downloaded, let sha = outcome.sha256 else {
            throw RunError.provider("the task finished without a result to download")
        }
        let info = try? MediaProbe.probeMP4(file)
        try cache.adopt(file, sha256: sha)
        record.resultDuration = info?.durationSeconds ?? outcome.seconds
        record.unitsCharged = outcome.units
        try finish(&record, sha: sha)
        // Spent by this run only when this run sent the create.
        return (sha, outcome.paidNow ? outcome.units : 0)
    }

    /// The URL a remote provider fetches a medium from: its own URL, or a presigned GET of
    /// the uploaded copy (signed now, so it is fresh even when the upload was days ago).
    private func url(of source: MediaSource, upload sha: String?) throws -> String {
        if case .remote(let url) = source, sha == nil { return url }
        guard let sha, let uploads = remote?.uploads else {
            throw RunError.unsupported("'\(source.written)' is a local file and no upload store is configured; add `uploads: {s3: …}` to the manifest")
        }
        return uploads.presignedURL(method: "GET", key: uploads.configuration.prefix + sha)
    }

    private func finish(_ record: inout JobRecord, sha: String?, later: Bool = false) throws {
        record.state = .fetched
        record.resultSHA256 = sha
        record.lastError = nil
        record.updatedAt = Date()
        if later { store.saveLater(record) } else { try store.save(record) }
    }

    /// A medium as a local file: the file itself, or a URL medium downloaded once into the
    /// cache and checked against its declared sha256.
    private func localPath(_ input: MediaInput) async throws -> String {
        switch input.source {
        case .local(_, let resolved): return resolved
        case .remote(let url):
            if let path = try cache.checkedPath(of: input.sha256, for: HTTPRequest.redact(url)) { return path }
            let temp = try cache.temporaryFile(extension: (url as NSString).pathExtension.isEmpty ? "bin" : (url as NSString).pathExtension)
            let (sha, _) = try await http.download(url, toNew: temp)
            guard sha == input.sha256 else {
                try? FileManager.default.removeItem(atPath: temp)
                throw RunError.provider("'\(HTTPRequest.redact(url))' has sha256 \(sha), but the manifest says \(input.sha256); fix the manifest's sha256 or the file")
            }
            try cache.adopt(temp, sha256: sha)
            return cache.path(of: sha)
        }
    }

    /// troupe.lock from the state store: one entry per element, render and output of this plan
    /// that has finished; entries of unfinished jobs are kept from the old lock if their key is
    /// unchanged. A job shared by several names records its task once, under its own name; the
    /// others point at it (`same_as`), so the lock's units add up to what was charged.
    public func writeLock(old: Lockfile?? = nil) throws {
        let old = try old ?? Lockfile.read(lockPath)
        let records = try store.records(keys: plan.jobs.filter { $0.kind == .render || $0.kind == .element || $0.kind == .post }.map(\.key))
        var lock = Lockfile()
        for job in plan.jobs {
            let name = job.name
            let r = records[job.key].flatMap { $0.state == .fetched ? $0 : nil }
            switch job.kind {
            case .render:
                if let r {
                    lock.renders[name] = .init(key: job.key, taskId: r.taskId, externalTaskId: r.externalTaskId,
                                               sha256: r.resultSHA256, duration: r.resultDuration, units: r.unitsCharged ?? 0)
                } else if var o = old?.render(key: job.key, names: job.names) {
                    o.sameAs = nil
                    lock.renders[name] = o
                } else {
                    continue
                }
                for cell in job.names.dropFirst() { lock.renders[cell] = .init(key: job.key, sameAs: name) }
            case .element:
                if let r {
                    lock.elements[name] = .init(key: job.key, elementId: r.elementId, taskId: r.taskId, units: r.unitsCharged ?? 0)
                } else if var o = old?.element(key: job.key, names: job.names) {
                    o.sameAs = nil
                    lock.elements[name] = o
                } else {
                    continue
                }
                for other in job.names.dropFirst() {
                    lock.elements[other] = .init(key: job.key, elementId: lock.elements[name]?.elementId, sameAs: name)
                }
            case .post:
                // Outputs cost nothing: each name keeps a whole entry.
                for output in job.names {
                    if let r {
                        // Listed once its export is there (a stopped run may not have made it).
                        if outputExported(output, sha: r.resultSHA256) {
                            lock.outputs[output] = .init(key: job.key, sha256: r.resultSHA256, duration: r.resultDuration)
                        }
                    } else if let o = old?.outputs[output], o.key == job.key {
                        lock.outputs[output] = o
                    }
                }
            default: break
            }
        }
        if lock != old { try AtomicFile.write(try lock.encoded(), to: cache.project.checkWritable(lockPath)) }
    }
}

/// What a job's task hands back to the scheduler loop.
struct Finished: Sendable {
    let index: Int
    let sha: String?
    let units: Double
    let error: String?
    var interrupted = false
    var budget: String?
    var locked: LockedRefusal?
}

public enum RunError: Error, CustomStringConvertible {
    case unsupported(String)
    /// The provider failed the job, or its answer cannot be used; its words.
    case provider(String)
    public var description: String {
        switch self {
        case .unsupported(let m), .provider(let m): return m
        }
    }
}

/// Set once to stop the run: by a signal (no reason) or by a provider answer no job can get
/// past (its words kept for the summary).
final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false
    private var why: String?

    var isSet: Bool { lock.withLock { stopped } }
    var reason: String? { lock.withLock { why } }

    /// Called once, when the flag is first set.
    var onSet: (@Sendable () -> Void)?

    func set(reason: String?) {
        let first = lock.withLock {
            defer { stopped = true }
            if why == nil { why = reason }
            return !stopped
        }
        if first { onSet?() }
    }
}
