import TroupePlan
import TroupeState

extension Executor {
    /// A local medium (or a prepared clip) into the upload store, under its digest, so a
    /// remote provider can fetch it by a presigned URL.
    func upload(_ job: Job, input: MediaInput?, inputs: JobInputs, record: inout JobRecord) async throws -> JobResult {
        guard let uploads = remote?.uploads else {
            throw RunError.unsupported("local media must be uploaded for provider '\(plan.provider.use.rawValue)': add `uploads: {s3: …}` to the manifest")
        }
        let file: String
        if let input {
            file = try await localPath(input)
        } else if let prepared = inputs[.source]?.sha256 {
            file = try cache.checkedInput(prepared, for: job.id)
        } else {
            throw RunError.unsupported("\(job.id): the prepared clip is missing")
        }
        let upload = try await uploads.upload(file: file)
        try await finish(&record, sha: upload.sha256)
        return .uploaded(sha256: upload.sha256)
    }
}
