import Foundation
import TroupeMedia
import TroupePlan
import TroupeState

extension Executor {
    /// A post-step: its inputs joined in order, then trimmed if the output says so, or
    /// finished as a platform deliverable (trim included); or a still (poster, GIF) of one.
    func post(_ job: Job, output o: Int, inputs: JobInputs, record: inout JobRecord) async throws -> JobResult {
        let paths = try inputs.all.compactMap { $0?.sha256 }.map { try cache.checkedInput($0, for: job.id) }
        var out: String
        if let still = job.still, let source = paths.first {
            out = try cache.temporaryFile(extension: still.fileExtension)
            try still.make(from: source, to: out)
        } else {
            out = try cache.temporaryFile()
            _ = try MediaEditor.concat(paths, to: out)
            let spec = plan.deliverSpec(output: o)
            if let t = plan.outputs[o].trim, spec == nil {
                let trimmed = try cache.temporaryFile()
                _ = try MediaEditor.trim(out, to: trimmed, start: t.lowerBound, end: t.upperBound)
                try? FileManager.default.removeItem(atPath: out)
                out = trimmed
            }
            if let spec {
                let made = try cache.temporaryFile()
                try Deliverable.make(out, spec: spec, to: made)
                try? FileManager.default.removeItem(atPath: out)
                out = made
            }
        }
        let info = job.still == nil ? try? MediaProbe.probe(out) : nil
        let (sha, _) = try cache.ingest(out)
        record.resultDuration = info?.durationSeconds
        try await finish(&record, sha: sha)
        return .file(sha256: sha)
    }
}
