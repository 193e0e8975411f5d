import Foundation
import TroupePlan
import TroupeState

extension Executor {
    /// The campaign as the state store and the team know it.
    var campaignName: String { Campaign.stateName(forManifest: plan.manifest.path) }

    /// The phase a job is in as it starts: a paid job at a remote provider first waits for its
    /// claim and slot; a preview render is the provider's work; uploads move bytes.
    func firstPhase(_ job: Job) -> TimelinePhase {
        switch job.kind {
        case .render, .element: session == nil ? .provider : .slot
        case .upload: .download
        case .prepare, .post, .export: .post
        }
    }

    /// Keeps this run's timeline as the campaign's last, in one write, however the run ended;
    /// a run that started no job leaves the one before. A store that cannot take it costs the
    /// run a warning, nothing more.
    func saveTimeline() async {
        guard let run = self.timeline.timeline(campaign: campaignName) else { return }
        do {
            try await store.saveTimeline(run)
        } catch {
            observer.observe(RunEvent(.warning, at: clock.date, message: "the run's timeline was not saved: \(error)"))
        }
    }
}

extension Finished.End {
    /// How the job ended, in the timeline's words.
    var timelineOutcome: String {
        switch self {
        case .done: "done"
        case .failed: "failed"
        case .interrupted: "stopped"
        // Held by another runner; started again later in the run (its bar reopens) or not.
        case .deferred: "deferred"
        case .lockedRefused, .budgetRefused, .accountStopped: "refused"
        }
    }
}
