import Foundation
import Testing
import TroupePlan
@testable import TroupeReport
import TroupeRun
import TroupeState

/// The page model and its HTML, without a browser, on real campaigns.
@Suite struct ReportPageTests {
    @Test func aCampaignThatHasNeverRunShowsWhatItWouldPay() async throws {
        let demo = try DemoCampaign()
        let result = try await demo.report(store: nil)
        let page = result.page
        #expect(page.title == "demo-mascots")
        #expect(page.cells.count == 4)
        #expect(page.countByStatus == [.new: 4])
        #expect(page.cells.allSatisfy { $0.poster == nil && $0.video == nil })
        // Preview is free; the page shows what Kling would charge: 0.9 per second of kling-v3 std.
        let wave = try #require(page.cell(character: "mochi", clip: "wave"))
        #expect(wave.seconds == 4 && wave.units == 0 && abs(wave.klingUnits - 3.6) < 1e-9)
        #expect(wave.element == "mochi")
        let plan = try await demo.plan(store: nil)
        let kling = plan.jobs.filter { $0.kind.isPaid }.reduce(0) { $0 + $1.klingUnits }
        #expect(page.spend.klingPlanned.map { abs($0 - kling) < 1e-9 } == true)
        #expect(page.jobs.total == plan.jobs.count && page.jobs.pending == plan.jobs.count)
        #expect(page.lastRun == nil)
        #expect(!page.lock.exists)
        // Character and clip heads still get their pictures.
        #expect(page.characters.allSatisfy { $0.image != nil } && page.clips.allSatisfy { $0.poster != nil })
        #expect(page.clips[0].seconds == 4 && abs((page.clips[1].seconds ?? 0) - 5) < 0.1)
        #expect(result.posters.failed.isEmpty)
        #expect(!FileManager.default.fileExists(atPath: demo.state + "/state.sqlite"))
    }

    @Test func aHalfDoneCampaignWithAFailureAndAnExcludedCell() async throws {
        let (demo, store) = try await SharedDemo.shared.halfRendered()
        let result = try await demo.report(store: store)
        let page = result.page
        #expect(page.cells.map(\.id) == ["mochi/wave", "mochi/hop", "pip/wave", "pip/hop"])
        #expect(page.cells.map(\.status) == [.done, .done, .failed, .excluded])
        #expect(page.cell(character: "pip", clip: "wave")?.reason == DemoCampaign.failureReason)
        // Done cells link to their exports from the report folder, and their posters exist there.
        let wave = try #require(page.cell(character: "mochi", clip: "wave"))
        #expect(wave.video == "../renders/mochi/wave.mp4")
        let poster = try #require(wave.poster)
        #expect(FileManager.default.fileExists(atPath: demo.reportDir + "/" + poster))
        #expect(FileManager.default.fileExists(atPath: demo.state + "/posters/" + (wave.renderKey ?? "") + ".jpg"))
        // Reels: mochi-reel was rendered (player + filmstrip); the others were not.
        let mochiReel = try #require(page.reels.first { $0.name == "mochi-reel" })
        #expect(mochiReel.video == "../mochi-reel.mp4" && mochiReel.filmstrip != nil)
        #expect(mochiReel.renders == ["mochi/wave", "mochi/hop"])
        #expect(page.reels.first { $0.name == "pip-reel" }?.renders == ["pip/wave"])
        #expect(page.reels.first { $0.name == "showreel" }?.video == nil)
        #expect(page.lastRun != nil)
        #expect(page.jobs.failed == 1 && page.jobs.done > 0 && page.jobs.pending > 0)
        // Bars: mochi's row is done, pip's still to render (what Kling would charge: 0.9/s).
        let bars = Dictionary(uniqueKeysWithValues: page.spendByCharacter.map { ($0.name, $0) })
        #expect(abs((bars["mochi"]?.spent ?? 0) - 0.9 * 9) < 1e-9 && bars["mochi"]?.toSpend == 0)
        #expect(bars["pip"]?.spent == 0 && abs((bars["pip"]?.toSpend ?? 0) - 0.9 * 4) < 1e-9)
    }

    @Test func theHTMLCarriesEveryCellAndEscapesWhatTheProviderSaid() async throws {
        let (demo, store) = try await SharedDemo.shared.halfRendered()
        let result = try await demo.report(store: store)
        let html = try String(contentsOfFile: result.indexPath, encoding: .utf8)
        #expect(html.components(separatedBy: " data-cell=\"").count - 1 == result.page.cells.count)
        #expect(html.contains("data-cell=\"pip/wave\" data-status=\"failed\""))
        #expect(html.contains("data-cell=\"pip/hop\" data-status=\"excluded\""))
        #expect(html.contains("1301: the image &lt;b&gt;violates&lt;/b&gt; the content policy &amp; was refused"))
        #expect(!html.contains("<b>violates</b>"))
        // Self-contained: nothing is fetched from anywhere.
        for external in ["http://", "https://", "<link ", "src=\"//"] { #expect(!html.contains(external), "\(external)") }
    }

    @Test func aSecondReportMakesNoPoster() async throws {
        let (demo, store) = try await SharedDemo.shared.halfRendered()
        _ = try await demo.report(store: store)
        let again = try await demo.report(store: store)
        #expect(again.posters.made == 0 && again.posters.reused > 0 && again.posters.failed.isEmpty)
    }

    @Test func aKlingCampaignShowsPricesOverridesAndExclusions() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-report-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let manifest = dir + "/campaign.yaml"
        try FileManager.default.copyItem(atPath: repoRoot.appendingPathComponent("manifests/campaign.yaml").path, toPath: manifest)
        let plan = try #require(Campaign.open(manifest: manifest).plan)
        let result = try await CampaignReport.write(plan: plan, store: nil, lock: nil, stateDirectory: dir + "/.troupe",
                                              to: dir + "/out/report")
        let page = result.page
        #expect(page.cells.count == 4 * 4)
        let excluded = page.cells.filter { $0.status == .excluded }.map(\.id)
        #expect(Set(excluded) == ["pip-spring/finale", "bear/finale", "bear/spin", "poster/spin", "poster/finale"])
        let finale = try #require(page.cell(character: "pip", clip: "finale"))
        #expect(finale.differences == ["mode pro"] && finale.status == .new)
        // kling-v3: std 0.9 and pro 1.2 units per billed second.
        #expect(abs(finale.units - 1.2 * 25) < 1e-9 && finale.seconds == 25)
        #expect(page.cell(character: "pip", clip: "hop")?.units == 0.9 * 6)
        #expect(page.spend.klingPlanned == nil && page.spend.usdPerUnit == 0.14)
        let renders = plan.jobs.filter { $0.kind.isPaid }.reduce(0) { $0 + $1.units }
        #expect(abs(page.spend.planned - renders) < 1e-9 && abs(page.spend.toSpend - renders) < 1e-9)
        #expect(page.clips.first { $0.name == "spin" }?.seconds == 7.5)
        // URL media: no pictures, nothing fetched.
        #expect(page.characters.allSatisfy { $0.image == nil } && result.posters.made == 0)
        let html = try String(contentsOfFile: result.indexPath, encoding: .utf8)
        #expect(html.contains("would cost 30 units"))
    }

    @Test func statusesFromTheStateStoreAndTheLock() async throws {
        let demo = try DemoCampaign()
        var plan = try await demo.plan(store: nil)
        let wave = try demo.renderKey(plan, "mochi/wave"), hop = try demo.renderKey(plan, "mochi/hop")
        let pipWave = try demo.renderKey(plan, "pip/wave")
        // pip/wave is in the lock (a fresh clone): rendered and paid, but its export is not on disk.
        for i in plan.jobs.indices where plan.jobs[i].key == pipWave { plan.jobs[i].status = .locked }
        let now = Date()
        let records = [
            wave: JobRecord(key: wave, id: "render:mochi/wave", kind: .render, state: .submitted, now: now),
            hop: JobRecord(key: hop, id: "render:mochi/hop", kind: .render, state: .stalled, now: now),
        ]
        let builder = ReportBuilder(plan: plan, records: records, lock: nil, reportDirectory: demo.reportDir,
                                    digest: { _ in nil }, probeSeconds: { _ in nil })
        let (page, posters) = builder.build()
        #expect(page.cells.map(\.status) == [.inFlight, .failed, .new, .new])
        #expect(page.cell(character: "mochi", clip: "hop")?.reason?.contains("deadline") == true)
        #expect(page.cell(character: "pip", clip: "wave")?.reason?.contains("without paying") == true)
        #expect(page.jobs.inFlight == 1 && page.jobs.failed == 1)
        #expect(page.lastRun == now)
        #expect(posters.isEmpty)  // nothing done, and no digests: no pictures asked for
    }

    @Test func exportsAreFoundByWhatTheyExport() async throws {
        let demo = try DemoCampaign()
        let plan = try await demo.plan(store: nil)
        let exports = ExportIndex(plan)
        #expect(exports.folder == "out")
        #expect(exports.cell.keys.sorted() == ["mochi/hop", "mochi/wave", "pip/hop", "pip/wave"])
        #expect(exports.post.count == plan.outputs.count)
        #expect(CampaignReport.defaultDirectory(for: plan) == plan.manifest.baseDirectory + "/out/report")
        for (cell, e) in exports.cell { #expect(plan.jobs[e].id == "export:out/renders/\(cell).mp4") }
    }

    @Test func escapingCoversTextAndLinks() {
        #expect(HTML.escape("<a href=\"x\">'&'</a>") == "&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;")
        #expect(HTML.href("../my renders/a#1.mp4") == "../my%20renders/a%231.mp4")
        #expect(RelativePath.from("/p/out/report", to: "/p/out/renders/a/b.mp4") == "../renders/a/b.mp4")
        #expect(RelativePath.from("/tmp/site", to: "/p/out/x.mp4") == "../../p/out/x.mp4")
    }

    @Test func figuresReadLikeThePlanTable() {
        #expect(Units.format(6.6) == "6.6" && Units.format(12) == "12" && Units.format(0.84) == "0.84")
        #expect(Units.format(0.05) == "0.05" && Units.format(3.6000000001) == "3.6")
        #expect(Figures.usd(1.5) == "$1.50")
    }
}
