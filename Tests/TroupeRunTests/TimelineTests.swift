import Foundation
import Testing
import KlingSim
import TroupeTestSupport
import TroupePlan
@testable import TroupeRun
import TroupeState

/// The last run's timeline as the executor records it and the state store keeps it: a bar
/// per job, its phases adding up to its span, the bars covering the run's length.
@Suite(.serialized) struct TimelineTests {
    /// What every timeline must be: each bar's phases sum to its span; the bars start at the
    /// run's start and the last ends with it, within 5 % of the run's length.
    static func expectCoherent(_ t: RunTimeline, sourceLocation: SourceLocation = #_sourceLocation) {
        #expect(t.length > 0, sourceLocation: sourceLocation)
        for job in t.jobs {
            #expect(job.start >= 0 && job.end >= job.start, "\(job)", sourceLocation: sourceLocation)
            #expect(job.phases.allSatisfy { $0 >= 0 }, "\(job)", sourceLocation: sourceLocation)
            #expect(abs(job.phases.reduce(0, +) - job.span) <= 0.002, "\(job.id): \(job.phases) vs \(job.span)", sourceLocation: sourceLocation)
        }
        let first = t.jobs.map(\.start).min() ?? .infinity, last = t.jobs.map(\.end).max() ?? 0
        #expect(abs((last - first) - t.length) <= 0.05 * t.length,
                "the bars cover \(last - first) s of a \(t.length) s run", sourceLocation: sourceLocation)
    }

    @Test func aPreviewRunKeepsABarPerJobThatAddsUpToTheRun() async throws {
        let p = try Project()
        let summary = try await p.run()
        #expect(summary.failed.isEmpty && summary.done == 16, "\(summary.failed)")
        let t = try #require(try p.store.lastTimeline(campaign: "troupe.yaml"))
        Self.expectCoherent(t)
        let plan = try await p.plan()
        #expect(Set(t.jobs.map(\.id)) == Set(plan.jobs.map(\.id)), "every job of the run has its bar")
        #expect(t.jobs.allSatisfy { $0.outcome == "done" })
        // The preview's renders are the provider's work; exports and post-steps are local.
        for job in t.jobs where job.kind == .render { #expect(job.seconds(.provider) > 0, "\(job)") }
        for job in t.jobs where job.kind == .post || job.kind == .export {
            #expect(job.seconds(.provider) == 0 && job.seconds(.download) == 0, "\(job)")
        }
        // A concat takes time; an export is a hard link, made at once.
        for job in t.jobs where job.kind == .post { #expect(job.seconds(.post) > 0, "\(job)") }
        // The showreel waits for every render: it starts after them.
        let renders = t.jobs.filter { $0.kind == .render }
        let showreel = try #require(t.jobs.first { $0.id == "post:showreel" })
        #expect(showreel.start >= renders.map(\.end).max()! - 0.001)
        #expect(t.slowest().count == 10 && t.slowest()[0].span == t.jobs.map(\.span).max())

        // A run with nothing to do leaves the timeline of the run that did something.
        let again = try await p.run()
        #expect(again.done == 0)
        #expect(try p.store.lastTimeline(campaign: "troupe.yaml") == t)
    }

    /// Against the simulator with one slot: the renders wait for it, then spend their time at
    /// the provider, then download their results; the phases still add up.
    @Test func remoteRendersWaitForTheSlotThenTheProviderThenTheDownload() async throws {
        let sim = try await SimCampaign.simulator()
        defer { Task { await sim.stop() } }
        let p = try SimCampaign(RemoteManifest.text(characters: 2, clips: 2, concurrency: 1), sim: sim)
        let summary = try await p.run()
        #expect(summary.failed.isEmpty && summary.done == 8, "\(summary.failed)")
        let t = try #require(try p.store.lastTimeline(campaign: "troupe.yaml"))
        Self.expectCoherent(t)
        let renders = t.jobs.filter { $0.kind == .render }
        #expect(renders.count == 4)
        for r in renders { #expect(r.seconds(.provider) > 0 && r.seconds(.download) > 0 && r.seconds(.post) == 0, "\(r)") }
        // One slot, four renders: the last to get it waited for at least two renders' time at
        // the provider (the simulator takes 5 to 10 of its seconds each).
        let waited = renders.map { $0.seconds(.slot) }.max() ?? 0
        #expect(waited >= 2 * 5 * 0.9, "\(renders)")
        // No two renders were at the provider at once.
        let providerIntervals = renders.map { r in (r.start + r.seconds(.slot), r.start + r.seconds(.slot) + r.seconds(.provider)) }.sorted { $0.0 < $1.0 }
        for (a, b) in zip(providerIntervals, providerIntervals.dropFirst()) { #expect(b.0 >= a.1 - 0.5, "\(providerIntervals)") }
    }

    /// A run stopped halfway keeps its timeline too: the job at the provider and the one
    /// waiting for the slot, both `stopped`, their bars ending with the run.
    @Test func aStoppedRunKeepsItsTimeline() async throws {
        let sim = try await SimCampaign.simulator {
            $0.latencyMin = 600
            $0.latencyMax = 600
        }
        defer { Task { await sim.stop() } }
        let p = try SimCampaign(RemoteManifest.text(characters: 1, clips: 2, concurrency: 1), sim: sim)
        do {
            _ = try await p.run(timeout: .milliseconds(1500))
            Issue.record("a task of 600 simulated seconds (12 s) cannot finish before the stop")
        } catch let stopped as SimCampaignTimeout {
            #expect(stopped.summary.interrupted && stopped.summary.done == 0)
        }
        let t = try #require(try p.store.lastTimeline(campaign: "troupe.yaml"))
        Self.expectCoherent(t)
        let renders = t.jobs.filter { $0.kind == .render }
        #expect(renders.count == 2 && renders.allSatisfy { $0.outcome == "stopped" }, "\(t.jobs)")
        #expect(renders.filter { $0.seconds(.provider) > 0 }.count == 1, "one task was created: \(renders)")
        #expect(renders.contains { $0.seconds(.provider) == 0 && $0.seconds(.slot) > 0 }, "the other waited for the slot: \(renders)")
    }
}
