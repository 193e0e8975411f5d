import Foundation
import TroupeManifest
public import TroupePlan
import TroupeMedia

public struct RunOptions: Sendable {
    /// Globs over render ids (`mochi/*`) and output names: run those and what they need.
    public var only: [String] = []
    /// Refuse paid jobs whose key troupe.lock does not record.
    public var locked = false
    /// Local jobs (prepare, post, export) at once; the preview renderer counts as local.
    public var localConcurrency = max(1, ProcessInfo.processInfo.activeProcessorCount)
    public init() {}
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

    private let stopLock = NSLock()
    private var stopRequested = false

    public init(plan: Plan, store: StateStore, cache: ResultCache, backend: any RenderBackend,
                observer: any RunObserver, options: RunOptions) {
        self.plan = plan
        self.baseDirectory = plan.manifest.baseDirectory
        self.store = store
        self.cache = cache
        self.backend = backend
        self.observer = observer
        self.options = options
        self.lockPath = Campaign.lockPath(forManifest: plan.manifest.path)
    }

    /// Stop starting jobs; those in flight finish and are recorded.
    public func requestStop() {
        stopLock.withLock { stopRequested = true }
    }

    private var stopping: Bool { stopLock.withLock { stopRequested } }

    /// Which jobs this run covers: everything, or what `--only` names plus its dependencies.
    public func selection() -> [Bool] {
        guard !options.only.isEmpty else { return [Bool](repeating: true, count: plan.jobs.count) }
        var selected = [Bool](repeating: false, count: plan.jobs.count)
        for (i, job) in plan.jobs.enumerated() {
            let subject = job.id.split(separator: ":", maxSplits: 1).last.map(String.init) ?? job.id
            if (job.kind == .render || job.kind == .post) && options.only.contains(where: { Glob.matches($0, subject) }) {
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

    public func run() async throws -> RunSummary {
        var summary = RunSummary()
        let selected = selection()
        let records = try store.records(keys: plan.jobs.map(\.key))
        var done = [Bool](repeating: false, count: plan.jobs.count)
        var result = [String?](repeating: nil, count: plan.jobs.count)
        for (i, job) in plan.jobs.enumerated() {
            guard let r = records[job.key], r.state == .fetched else { continue }
            if job.kind == .export {
                let dest = baseDirectory + "/" + exportPath(job)
                if let sha = r.resultSHA256, FileManager.default.fileExists(atPath: dest),
                   (try? FileManager.default.attributesOfItem(atPath: dest)[.size] as? Int) == (try? FileManager.default.attributesOfItem(atPath: cache.path(of: sha))[.size] as? Int) {
                    done[i] = true
                    result[i] = sha
                }
            } else if job.kind == .element || r.resultSHA256.map(cache.contains) == true {
                done[i] = true
                result[i] = r.resultSHA256
            }
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
        var ready = plan.jobs.indices.filter { selected[$0] && !done[$0] && waiting[$0] == 0 }
        var blocked = [Bool](repeating: false, count: plan.jobs.count)
        var lastLockWrite = Date.distantPast

        // A struct rather than a tuple: Swift 6.3's optimiser mangled the index of a
        // (Int, Result<(String?, Double), any Error>) task result in release builds.
        try await withThrowingTaskGroup(of: Finished.self) { group in
            var running = 0
            while true {
                while running < options.localConcurrency, !ready.isEmpty, !stopping {
                    let i = ready.removeFirst()
                    let inputs = plan.jobs[i].deps.map { result[$0] }
                    running += 1
                    observer.observe(RunEvent(.jobStarted, job: plan.jobs[i].id, jobKind: plan.jobs[i].kind.rawValue))
                    group.addTask { [self] in
                        do {
                            let (sha, units) = try await execute(i, inputs: inputs)
                            return Finished(index: i, sha: sha, units: units, error: nil)
                        } catch {
                            return Finished(index: i, sha: nil, units: 0, error: "\(error)")
                        }
                    }
                }
                guard running > 0, let finished = try await group.next() else { break }
                let i = finished.index
                running -= 1
                let job = plan.jobs[i]
                if let reason = finished.error {
                    summary.failed.append((job.id, reason))
                    observer.observe(RunEvent(.jobFailed, job: job.id, jobKind: job.kind.rawValue, message: reason))
                    var stack = dependents[i]
                    while let d = stack.popLast() {
                        guard !blocked[d] else { continue }
                        blocked[d] = true
                        stack.append(contentsOf: dependents[d])
                    }
                } else {
                    let sha = finished.sha, units = finished.units
                    done[i] = true
                    result[i] = sha
                    summary.done += 1
                    summary.unitsSpent += units
                    if job.kind == .export { summary.exported.append(exportPath(job)) }
                    observer.observe(RunEvent(.jobDone, job: job.id, jobKind: job.kind.rawValue, units: units))
                    for d in dependents[i] {
                        waiting[d] -= 1
                        if waiting[d] == 0 && !blocked[d] { ready.append(d) }
                    }
                    if job.kind.isPaid || job.kind == .post, Date().timeIntervalSince(lastLockWrite) > 1 {
                        try? writeLock()
                        lastLockWrite = Date()
                    }
                }
            }
        }
        summary.interrupted = stopping
        summary.notRun = plan.jobs.indices.filter { selected[$0] && !done[$0] }.count - summary.failed.count
        try writeLock()
        observer.observe(RunEvent(.runFinished, units: summary.unitsSpent,
                                  counts: ["done": summary.done, "failed": summary.failed.count, "not_run": summary.notRun]))
        return summary
    }

    private func exportPath(_ job: Job) -> String {
        if case .export(let path) = job.subject { return path }
        return ""
    }

    /// Runs one job; returns the digest of its result (if it has a file) and units spent.
    private func execute(_ i: Int, inputs: [String?]) async throws -> (String?, Double) {
        let job = plan.jobs[i]
        let now = Date()
        var record = (try store.record(job.key)) ?? JobRecord(key: job.key, id: job.id, kind: job.kind.rawValue,
                                                               units: job.units, now: now)
        record.attempts += 1
        switch job.subject {
        case .prepare(_, let source, let trim, let conform):
            let input = try localPath(source.source)
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
        case .upload:
            throw RunError.unsupported("uploads are needed only by remote providers, which this build cannot drive yet; use provider preview")
        case .element:
            guard backend.name == "preview" else {
                throw RunError.unsupported("creating elements needs the Kling provider, which this build cannot drive yet")
            }
            try finish(&record, sha: nil)
            return (nil, 0)
        case .render(let c, let k, _, let settings):
            let character = plan.manifest.characters[c]
            let image = try localPath(character.image)
            // A trimmed or conformed clip comes from its prepare job; otherwise the source itself.
            let clip: String
            if let d = job.deps.firstIndex(where: { plan.jobs[$0].kind == .prepare }), let prepared = inputs[d] {
                clip = cache.path(of: prepared)
            } else {
                clip = try localPath(plan.manifest.clips[k].video)
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
            let paths = inputs.compactMap { $0 }.map(cache.path(of:))
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
        case .export(let path):
            guard let sha = inputs.first ?? nil else { throw RunError.unsupported("nothing to export for \(path)") }
            try cache.export(sha, to: baseDirectory + "/" + path)
            try finish(&record, sha: sha)
            return (sha, 0)
        }
    }

    private func finish(_ record: inout JobRecord, sha: String?) throws {
        record.state = .fetched
        record.resultSHA256 = sha
        record.lastError = nil
        record.updatedAt = Date()
        try store.save(record)
    }

    private func localPath(_ source: MediaSource) throws -> String {
        switch source {
        case .local(_, let resolved): return resolved
        case .remote(let url):
            throw RunError.unsupported("'\(url)' is a URL; the preview provider renders local files only (download it beside the manifest)")
        }
    }

    /// troupe.lock from the state store: one entry per element, render and output of this plan
    /// that has finished; entries of unfinished jobs are kept from the old lock if their key is unchanged.
    public func writeLock() throws {
        let old = (try? Lockfile.read(lockPath)) ?? nil
        let records = try store.records(keys: plan.jobs.filter { $0.kind == .render || $0.kind == .element || $0.kind == .post }.map(\.key))
        var lock = Lockfile()
        for job in plan.jobs {
            let name = String(job.id.drop { $0 != ":" }.dropFirst())
            let r = records[job.key].flatMap { $0.state == .fetched ? $0 : nil }
            switch job.kind {
            case .render:
                if let r {
                    lock.renders[name] = .init(key: job.key, taskId: r.taskId, sha256: r.resultSHA256,
                                               duration: r.resultDuration, units: r.unitsCharged ?? 0)
                } else if let o = old?.renders[name], o.key == job.key {
                    lock.renders[name] = o
                }
            case .element:
                if let r {
                    lock.elements[name] = .init(key: job.key, elementId: r.elementId, taskId: r.taskId, units: r.unitsCharged ?? 0)
                } else if let o = old?.elements[name], o.key == job.key {
                    lock.elements[name] = o
                }
            case .post:
                if let r {
                    lock.outputs[name] = .init(key: job.key, sha256: r.resultSHA256, duration: r.resultDuration)
                } else if let o = old?.outputs[name], o.key == job.key {
                    lock.outputs[name] = o
                }
            default: break
            }
        }
        if lock != old { try AtomicFile.write(try lock.encoded(), to: lockPath) }
    }
}

/// What a job's task hands back to the scheduler loop.
struct Finished: Sendable {
    let index: Int
    let sha: String?
    let units: Double
    let error: String?
}

public enum RunError: Error, CustomStringConvertible {
    case unsupported(String)
    public var description: String {
        switch self {
        case .unsupported(let m): return m
        }
    }
}
