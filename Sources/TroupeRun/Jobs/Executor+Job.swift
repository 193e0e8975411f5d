import Foundation
import TroupePlan

extension Executor {
    /// Runs one job of any kind; returns what it hands on and the units this run spent on it.
    func execute(_ i: Int, inputs: JobInputs, record found: JobRecord?) async throws -> (JobResult?, Double) {
        let job = plan.jobs[i]
        var record = found ?? JobRecord(key: job.key, id: job.id, kind: job.kind, units: job.units, now: clock.date)
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
            return (try post(job, output: o, inputs: inputs, record: &record), 0)
        case .export(let path):
            return (try export(job, path: path, inputs: inputs, record: found), 0)
        }
    }

    /// Marks a job's row finished with its result.
    func finish(_ record: inout JobRecord, sha: String?, later: Bool = false) throws {
        record.state = .fetched
        record.resultSHA256 = sha
        record.lastError = nil
        record.updatedAt = clock.date
        if later { store.saveLater(record) } else { try store.save(record) }
    }
}
