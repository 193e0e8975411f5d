import TroupeManifest
import TroupePlan
import TroupeProviders
import TroupeState

extension Executor {
    /// An element (a character's identity) made at the provider from a reference video.
    func element(_ job: Job, element e: Int, inputs: JobInputs, record: inout JobRecord) async throws -> (JobResult?, Double) {
        guard let session else {
            // The preview provider needs no elements: identity comes from the image.
            try await finish(&record, sha: nil)
            return (nil, 0)
        }
        let element = plan.manifest.elements[e]
        guard case .fromVideo(let source, _, _) = element.source else { return (nil, 0) }
        let video = try url(of: source, upload: inputs[.video]?.sha256)
        let work = RemoteSession.Work.element(RemoteElementRequest(
            externalID: RenderLifecycle.externalID(key: job.key, reroll: record.reroll),
            name: element.name, description: element.description, videoURL: video))
        // The remote job saves the row fetched with its element id, once: nothing more to write.
        let outcome = try await session.run(job, record: &record, work: work, results: cache, marks: timeline.marks(for: job))
        guard let id = outcome.elementID ?? record.elementId else { throw RunFailure.unusableAnswer("the element task gave no element_id") }
        return (.element(id: id), outcome.paidNow ? outcome.units : 0)
    }
}
