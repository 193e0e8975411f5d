import Foundation
import TroupePlan
import TroupeState

extension Executor {
    /// Runs one job of any kind; returns what it hands on and the units this run spent on it.
    func execute(_ i: Int, inputs: JobInputs, record found: JobRecord?) async throws -> (JobResult?, Double) {
        let job = plan.jobs[i]
        var record = found ?? JobRecord(key: job.key, id: job.id, kind: job.kind, units: job.units, now: clock.date)
        if job.kind.isPaid, session != nil {
            record = try await claim(job, record)
            if let done = try await doneElsewhere(job, record) { return (done, 0) }
        }
        if job.kind.isPaid, record.state == .failed || record.state == .stalled {
            throw RunFailure.failedEarlier(reason: record.lastError ?? "failed", name: job.name)
        }
        // A remote paid job counts its attempts where it commits the intent to create.
        if !(job.kind.isPaid && session != nil) { record.attempts += 1 }
        switch job.subject {
        case .prepare(_, let source, let trim, let conform):
            return (try await prepare(source: source, trim: trim, conform: conform, record: &record), 0)
        case .upload(let input, _):
            return (try await upload(job, input: input, inputs: inputs, record: &record), 0)
        case .element(let e):
            return try await element(job, element: e, inputs: inputs, record: &record)
        case .render(let c, let k, _, let settings):
            return try await render(job, character: c, clip: k, settings: settings, inputs: inputs, record: &record)
        case .post(let o):
            return (try await post(job, output: o, inputs: inputs, record: &record), 0)
        case .export(let path):
            return (try await export(job, path: path, inputs: inputs, record: found), 0)
        }
    }

    /// A paid job's row, taken for this runner (shared state: another runner may hold it, or
    /// may have moved it on since the run began). Held: the job is deferred (JobDeferred).
    private func claim(_ job: Job, _ record: JobRecord) async throws -> JobRecord {
        switch try await store.claim(job.key, fresh: record) {
        case .claimed(let row): return row
        case .held(let runner, _):
            if stopping { throw JobInterrupted() }
            // Not tried again before what is ready now, and each time a little later (50 ms
            // doubling to 200 ms): a lane of jobs all held elsewhere must not ask the database
            // in a loop while their runners work on them (a shared store answers again from
            // what it learned a moment ago), nor wait long once they are done: at the end of a
            // campaign the other runners' last renders are what this one waits for.
            let n = deferrals.withLock { d -> Int in d[job.key, default: 0] += 1; return d[job.key]! }
            try? await databaseClock.sleep(min(0.2, 0.025 * pow(2, Double(min(n, 6)))) * Double.random(in: 0.75...1.25))
            throw JobDeferred(runner: runner)
        }
    }

    /// A row another runner finished (a claim leases no finished row): its result from the shared or local cache
    /// (nothing asked of the provider), or nil to go on (the result is fetched again by a
    /// query, free).
    private func doneElsewhere(_ job: Job, _ record: JobRecord) async throws -> JobResult? {
        guard record.state == .fetched else { return nil }
        if job.kind == .element, let id = record.elementId { return .element(id: id) }
        guard let sha = record.resultSHA256 else { return nil }
        if try cache.checkedPath(of: sha, for: job.id) != nil { return .file(sha256: sha) }
        // The runner that made it pushed it to the shared cache (when there is one).
        timeline.mark(job, .download)
        if await cache.pullShared(sha), try cache.checkedPath(of: sha, for: job.id) != nil { return .file(sha256: sha) }
        return nil
    }

    /// Marks a job's row finished with its result.
    func finish(_ record: inout JobRecord, sha: String?, later: Bool = false) async throws {
        record.state = .fetched
        record.resultSHA256 = sha
        record.lastError = nil
        record.updatedAt = clock.date
        if later { await store.saveLater(record) } else { try await store.save(record) }
    }
}
