import Foundation
import TroupeMedia
import TroupePlan
import TroupeState

extension Executor {
    /// A post-step: its inputs joined in order, then trimmed if the output says so.
    func post(_ job: Job, output o: Int, inputs: JobInputs, record: inout JobRecord) throws -> JobResult {
        let paths = try inputs.all.compactMap { $0?.sha256 }.map { try cache.checkedInput($0, for: job.id) }
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
        return .file(sha256: sha)
    }
}
