import Foundation
import Testing
import TroupeCache
import TroupeManifest
import TroupeMedia
import TroupePlan
import TroupeProviders
import TroupeReport
import TroupeRun
import TroupeState

/// The campaign page's Deliverables section: grouped by platform (presets in the table's order,
/// then sizes), each with its player, its poster (its own `poster:` JPEG, else a frame of the
/// MP4), size, length and GIF — read from the page model, made by the real executor on preview.
@Suite(.serialized) struct DeliverablesReportTests {
    static let manifest = """
    troupe: 1
    name: deliver-report
    provider: {use: preview, model: kling-v3, mode: std}
    characters:
      pip: {image: media/pip.png}
    clips:
      hop: {video: media/hop.mp4}
    renders:
      - characters: ["*"]
        clips: ["*"]
    outputs:
      - name: "{character}-small"
        from: "{character}/hop"
        size: 320x180
        gif: {width: 160, fps: 6, from: 0, to: 1}
      - name: "{character}-{platform}"
        from: "{character}/hop"
        platform: [square]
        poster: 1.0
        gif: {width: 160, fps: 6, from: 0, to: 1}
      - name: "{character}-boxed"
        from: "{character}/hop"
        size: 320x180
        fit: pad

    """

    final class Project: @unchecked Sendable {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-report-deliver-\(UUID().uuidString)").path
        var manifest: String { dir + "/troupe.yaml" }
        var state: String { dir + "/.troupe" }
        var reportDir: String { dir + "/out/report" }

        init() throws {
            try FileManager.default.createDirectory(atPath: dir + "/media", withIntermediateDirectories: true)
            let demo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("manifests/demo/media").path
            for file in ["pip.png", "hop.mp4"] { try FileManager.default.copyItem(atPath: demo + "/" + file, toPath: dir + "/media/" + file) }
            try DeliverablesReportTests.manifest.write(toFile: manifest, atomically: true, encoding: .utf8)
        }

        deinit { try? FileManager.default.removeItem(atPath: dir) }

        func plan(store: StateStore?) throws -> Plan {
            let lock = try Lockfile.read(Campaign.lockPath(forManifest: manifest))
            let status: any JobStatusSource = try store.map { StoreStatus(lock: lock, rows: try $0.states(), cache: ResultCache(stateDirectory: state)) }
                ?? LockStatus(lock)
            let c = Campaign.open(manifest: manifest, status: status)
            guard let p = c.plan else { throw CampaignError(message: c.diagnostics.map(\.message).joined(separator: "\n")) }
            return p
        }

        func report(store: StateStore?) async throws -> CampaignReport.Result {
            try await CampaignReport.write(plan: try plan(store: store), store: store,
                                           lock: try Lockfile.read(Campaign.lockPath(forManifest: manifest)),
                                           stateDirectory: state, to: reportDir)
        }

        func run() async throws -> StateStore {
            let store = try StateStore(path: state + "/state.sqlite")
            let executor = Executor(plan: try plan(store: store), store: store, cache: ResultCache(stateDirectory: state),
                                     backend: PreviewProvider(), observer: Observers([]), options: RunOptions())
            let summary = try await executor.run()
            guard summary.failed.isEmpty else { throw CampaignError(message: "\(summary.failed)") }
            return store
        }
    }

    @Test func deliverablesAreGroupedByPlatformWithPlayerPosterAndGIF() async throws {
        let project = try Project()
        try FileManager.default.createDirectory(atPath: project.state, withIntermediateDirectories: true)

        // Planned only: every deliverable listed under its platform, none playable yet.
        let before = try await project.report(store: nil).page
        #expect(before.deliverables.map(\.platform) == ["square", "320x180"])
        #expect(before.deliverables.map { $0.items.map(\.name) } == [["pip-square"], ["pip-small", "pip-boxed"]])
        #expect(before.allDeliverables.allSatisfy { $0.status == .new && $0.video == nil && $0.poster == nil })
        #expect(before.deliverables[0].width == 1080 && before.deliverables[0].height == 1080)
        #expect(abs((before.allDeliverables.first?.seconds ?? 0) - 5) < 0.1)  // planned: hop's 5 s

        let store = try await project.run()
        let result = try await project.report(store: store)
        let page = result.page
        #expect(page.deliverables.map(\.platform) == ["square", "320x180"])
        // The Outputs section keeps plain outputs only: deliverables are shown here.
        #expect(page.reels.isEmpty)

        let square = try #require(page.allDeliverables.first { $0.name == "pip-square" })
        #expect(square.status == .done && square.width == 1080 && square.height == 1080)
        #expect(square.video == "../pip-square.mp4" && square.posterFile == "../pip-square.jpg" && square.gif == "../pip-square.gif")
        let mp4 = project.dir + "/out/pip-square.mp4"
        #expect(square.bytes == (try FileManager.default.attributesOfItem(atPath: mp4)[.size] as? Int))
        #expect(abs((square.seconds ?? 0) - (try MediaProbe.probe(mp4).durationSeconds)) < 0.05)
        // Its picture on the page is made from its own poster file (keyed by that still's job).
        let plan = try project.plan(store: store)
        let stillKey = try #require(plan.jobs.first { $0.id == "post:pip-square.jpg" }).key
        #expect(square.poster == "posters/deliverable-\(stillKey)-320.jpg")

        let small = try #require(page.allDeliverables.first { $0.name == "pip-small" })
        let boxed = try #require(page.allDeliverables.first { $0.name == "pip-boxed" })
        // No `poster:`: a frame of the MP4, as the page makes every poster; no GIF asked, none shown.
        let smallKey = try #require(plan.jobs.first { $0.id == "post:pip-small" }).key
        #expect(small.poster == "posters/deliverable-\(smallKey)-320.jpg" && small.posterFile == nil && small.gif == "../pip-small.gif")
        #expect(boxed.gif == nil && boxed.posterFile == nil && boxed.poster != nil && boxed.status == .done)

        // Every link resolves from the report folder; the pictures decode at the page's width.
        for d in page.allDeliverables {
            for href in [d.video, d.poster, d.posterFile, d.gif].compactMap({ $0 }) {
                #expect(FileManager.default.fileExists(atPath: result.directory + "/" + href), "\(d.name): \(href)")
            }
            let picture = try MediaProbe.probe(result.directory + "/" + (d.poster ?? ""))
            #expect(picture.width == 320, "\(d.name)")
        }

        let html = try String(contentsOfFile: result.indexPath, encoding: .utf8)
        #expect(html.contains("<section id=\"deliverables\""))
        #expect(html.contains("<section class=\"platform\" data-platform=\"square\""))
        #expect(html.contains("<video controls preload=\"none\" src=\"../pip-square.mp4\" poster=\"posters/deliverable-\(stillKey)-320.jpg\" width=\"1080\" height=\"1080\""))
        #expect(html.contains("<a href=\"../pip-square.gif\" data-file=\"gif\">GIF</a>"))
        #expect(html.range(of: "data-platform=\"square\"")!.lowerBound < html.range(of: "data-platform=\"320x180\"")!.lowerBound)

        // What a person sees in Chromium: each under its platform, posters decoding, one playing.
        let expectPath = project.dir + "/expect.json"
        try JSONEncoder().encode(BrowserExpectations(page: page)).write(to: URL(fileURLWithPath: expectPath))
        let (status, output) = try BrowserTests().runScript(["Tests/Browser/report_page.py", result.indexPath, "--expect", expectPath])
        #expect(status == 0, "\(output)")
        #expect(output.contains("ok    3 deliverables on the page") && output.contains("ok    deliverable pip-square plays in the page"), "\(output)")
        #expect(output.contains("ok    deliverable pip-small: its GIF decodes once opened"), "\(output)")
    }

    /// The browser script's expectations, deliverables included.
    struct BrowserExpectations: Encodable {
        struct Deliverable: Encodable {
            var name: String, platform: String, video: Bool, gif: Bool
        }
        var cells: [BrowserTests.Expectations.Cell]
        var reels: [BrowserTests.Expectations.Reel]
        var deliverables: [Deliverable]

        init(page: ReportPage) {
            let base = BrowserTests.Expectations(page: page)
            cells = base.cells
            reels = base.reels
            deliverables = page.deliverables.flatMap { group in
                group.items.map { Deliverable(name: $0.name, platform: group.platform, video: $0.video != nil, gif: $0.gif != nil) }
            }
        }
    }
}
