import Foundation
import TroupeManifest
import TroupeMedia
import TroupePlan
import TroupeProviders
import TroupeState

extension Executor {
    /// One cell: rendered by the local backend (preview), or submitted to the remote provider.
    func render(_ job: Job, character c: Int, clip k: Int, settings: RenderSettings, inputs: JobInputs,
                record: inout JobRecord) async throws -> (JobResult?, Double) {
        if let session { return try await renderRemotely(job, &record, session: session, character: c, clip: k, settings: settings, inputs: inputs) }
        let character = plan.manifest.characters[c]
        let image = try await localPath(MediaInput(source: character.image, sha256: character.sha256 ?? ""))
        // A trimmed or conformed clip comes from its prepare job; otherwise the source itself.
        let clip: String
        if let prepared = inputs[.clip]?.sha256 {
            clip = try cache.checkedInput(prepared, for: job.id)
        } else {
            let source = plan.manifest.clips[k]
            clip = try await localPath(MediaInput(source: source.video, sha256: source.sha256 ?? ""))
        }
        let out = try cache.temporaryFile()
        let outcome = try await backend.render(RenderInputs(imagePath: image, clipPath: clip, settings: settings,
                                                                            seconds: job.seconds ?? 1), to: out)
        if let notice = outcome.notice { observer.observe(RunEvent(.warning, at: clock.date, job: job.id, message: notice)) }
        timeline.mark(job, .download)  // into the cache
        let info = try? MediaProbe.probe(out)
        let (sha, _) = try cache.ingest(out)
        record.taskId = outcome.taskId
        record.unitsCharged = outcome.unitsCharged
        record.resultDuration = info?.durationSeconds
        try await finish(&record, sha: sha)
        return (.file(sha256: sha), outcome.unitsCharged)
    }

    /// A paid render at the remote provider: URLs of its (uploaded) inputs, the element id
    /// if its character names one, then the lifecycle; the result lands in the cache.
    private func renderRemotely(_ job: Job, _ record: inout JobRecord, session: RemoteSession, character c: Int, clip k: Int,
                                settings: RenderSettings, inputs: JobInputs) async throws -> (JobResult?, Double) {
        let character = plan.manifest.characters[c], clip = plan.manifest.clips[k]
        // Fetched once, its result since lost from the cache (deleted, found corrupt): ask for
        // the task again and download a fresh copy; the task is not created or paid again.
        // With shared state the row stays as the runner that made it left it: this runner only
        // needs the file (a download, free), not a row rewritten twice for it.
        let sharedRow = record.state == .fetched && store.team != nil ? record.resultSHA256 : nil
        if record.state == .fetched {
            record.state = .succeeded
            record.resultSHA256 = nil
        }
        let imageURL = try url(of: character.image, upload: inputs[.image]?.sha256)
        let videoURL = try url(of: clip.video, upload: inputs[.clip]?.sha256)
        var elementID: Int64?
        if let name = character.element?.value, let element = plan.manifest.elements.first(where: { $0.name == name }) {
            switch element.source {
            case .existing(let id): elementID = id
            case .fromVideo: elementID = inputs[.element]?.elementID
            }
        }
        let work = RemoteSession.Work.render(RemoteRenderRequest(
            externalID: RenderLifecycle.externalID(key: job.key, reroll: record.reroll),
            imageURL: imageURL, videoURL: videoURL, settings: settings, elementID: elementID))
        // The remote job owns the row until it is fetched, the file in the cache.
        let outcome = try await session.run(job, record: &record, work: work, rowResult: sharedRow, results: cache,
                                             marks: timeline.marks(for: job))
        guard let sha = outcome.sha256 else { throw RunFailure.unusableAnswer("the task finished without a result to download") }
        if sha == sharedRow { return (.file(sha256: sha), 0) }
        // Spent by this run only when this run sent the create.
        return (.file(sha256: sha), outcome.paidNow ? outcome.units : 0)
    }
}
