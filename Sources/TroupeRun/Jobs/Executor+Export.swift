import Foundation
import TroupePlan
import TroupeState

extension Executor {
    /// An export: its input's cache object under its out/ name.
    func export(_ job: Job, path: String, inputs: JobInputs, record found: JobRecord?) async throws -> JobResult {
        var record = found ?? JobRecord(key: job.key, id: job.id, kind: job.kind, units: job.units, now: clock.date)
        record.attempts += 1
        guard let sha = inputs[.source]?.sha256 else { throw RunError.unsupported("nothing to export for \(path)") }
        try cache.export(sha, to: baseDirectory + "/" + path)
        // The row says so already (a file made again, or another runner's row in shared state).
        if found?.state == .fetched && found?.resultSHA256 == sha { return .exported(sha256: sha) }
        // Lost in a crash, an export is linked again: its row waits for the next commit.
        try await finish(&record, sha: sha, later: true)
        return .exported(sha256: sha)
    }
}
