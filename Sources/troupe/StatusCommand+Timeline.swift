import ArgumentParser
import Foundation
import TroupePlan
import TroupeState
import TroupeSupport

extension StatusCommand {
    /// The campaign as the state store keeps its timeline.
    var campaignName: String { Campaign.stateName(forManifest: manifest) }

    /// `--timeline --json`: the document alone on stdout (schemas/timeline.schema.json).
    func printTimelineJSON(_ store: any StateStoring) async throws {
        print(RunTimeline.json(campaign: campaignName, try await store.lastTimeline(campaign: campaignName)), terminator: "")
    }

    /// `--timeline`: where the last run's time went, per phase, and its slowest jobs.
    func printTimeline(_ store: any StateStoring) async throws {
        guard let t = try await store.lastTimeline(campaign: campaignName) else {
            print("last run: no timeline recorded yet (`troupe run` records one)")
            return
        }
        print("last run: started \(UTCStamp.iso(t.start)), \(NumberText.duration(t.length)) long, \(t.jobs.count) jobs; their time by phase:")
        let width = TimelinePhase.allCases.map(\.label.count).max() ?? 0
        for (phase, seconds) in zip(TimelinePhase.allCases, t.totals) {
            print("  \(phase.label.padding(toLength: width, withPad: " ", startingAt: 0))  \(NumberText.duration(seconds))")
        }
        print("  slowest jobs:")
        let idWidth = min(48, t.slowest().map(\.id.count).max() ?? 0)
        for job in t.slowest() {
            let parts = zip(TimelinePhase.allCases, job.phases).filter { $0.1 >= 0.05 }.map { "\($0.0.label) \(NumberText.duration($0.1))" }
            print("    \(job.id.padding(toLength: max(idWidth, job.id.count), withPad: " ", startingAt: 0))  \(NumberText.duration(job.span))"
                  + "  \(job.outcome) (\(parts.joined(separator: ", ")))")
        }
    }
}
