import Foundation
import TroupeMedia
import TroupePlan
import TroupeState

extension Executor {
    /// A clip trimmed and/or conformed once, into the cache, for every render that follows it.
    func prepare(source: MediaInput, trim: ClosedRange<Double>?, conform: Bool, record: inout JobRecord) async throws -> JobResult {
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
        try await finish(&record, sha: sha)
        return .file(sha256: sha)
    }
}
