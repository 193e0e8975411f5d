import Foundation
import Testing
@testable import TroupeReport
import TroupeState

/// The report's "Timeline of the last run": the run the executor recorded, a bar per job with
/// its phases, and the slowest jobs.
@Suite struct TimelineReportTests {
    @Test func thePageShowsTheLastRunAsBarsAndItsSlowestJobs() async throws {
        let (demo, store) = try await SharedDemo.shared.halfRendered()
        let result = try await demo.report(store: store)
        let t = try #require(result.page.timeline, "the half-rendered demo's run was recorded")
        #expect(t == (try store.lastTimeline(campaign: "troupe.yaml")))
        #expect(!t.jobs.isEmpty && t.jobs.contains { $0.id == "render:mochi/wave" })
        let html = try String(contentsOfFile: result.indexPath, encoding: .utf8)
        #expect(html.contains("<h2 id=\"timeline-h\">Timeline of the last run"))
        // A bar per job, each with its figures in words, and the legend names every phase.
        #expect(html.components(separatedBy: "<li data-job=").count - 1 == t.jobs.count)
        #expect(html.components(separatedBy: "<span class=\"tl-words\">").count - 1 == t.jobs.count)
        for phase in TimelinePhase.allCases { #expect(html.contains("<span class=\"swatch tl-\(phase.rawValue)\"></span> \(phase.label)")) }
        // Bars are placed on the run's length: none starts before it or runs past its end.
        let wave = try #require(t.jobs.first { $0.id == "render:mochi/wave" })
        let row = try #require(html.components(separatedBy: "<li data-job=\"render:mochi/wave\">").dropFirst().first?.components(separatedBy: "</li>").first)
        #expect(row.contains("class=\"tl-provider\""), "a preview render is the provider's work: \(row)")
        #expect(row.contains("<span class=\"tl-words\">\(wave.outcome): "), "\(row)")
        let slow = html.components(separatedBy: "<tr data-slow=").count - 1
        #expect(slow == min(10, t.jobs.count))
    }

    /// A thousand bars stay a light page: a few hundred bytes each, no script per bar.
    @Test func aThousandBarsStayLight() throws {
        let jobs = (0..<1_000).map { n in
            JobTimeline(id: "render:c\(n / 40)/k\(n % 40)", kind: .render, outcome: "done", start: Double(n), end: Double(n) + 30,
                        phases: [2, 25, 2.5, 0.5])
        }
        let start = Date(timeIntervalSince1970: 1_795_000_000)
        let t = RunTimeline(campaign: "troupe.yaml", start: start, end: start.addingTimeInterval(1_030), jobs: jobs)
        let html = ReportHTML.timeline(ReportPage.withTimeline(t))
        #expect(html.components(separatedBy: "<li data-job=").count - 1 == 1_000)
        #expect(html.utf8.count < 1_000 * 500, "\(html.utf8.count) bytes")
        #expect(!html.contains("<script"))
        // The last bar ends at the run's end: placed at 999/1030 of the width, 30/1030 wide.
        #expect(html.contains("style=\"margin-left:96.99%;width:2.91%\""))
    }
}

extension ReportPage {
    /// An empty page that shows `timeline`.
    static func withTimeline(_ timeline: RunTimeline) -> ReportPage {
        var page = ReportPage(title: "t", provider: "preview", model: "kling-v3", mode: "std", unit: "units", spend: Spend(),
                              jobs: JobCounts(), lastRun: nil, lock: LockState(exists: false, lockedRenders: 0, plannedRenders: 0),
                              characters: [], clips: [], cells: [], reels: [], spendByCharacter: [], spendByClip: [],
                              chartUnit: "units", generated: timeline.end, diff: nil)
        page.timeline = timeline
        return page
    }
}
