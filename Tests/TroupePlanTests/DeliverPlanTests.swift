import Foundation
import Testing
import TroupeManifest
import TroupeMedia
@testable import TroupePlan

/// Deliverables in the plan: one post job per platform, keyed by every finishing parameter and
/// the digests of the files it reads, with posters and GIFs exported beside them.
@Suite struct DeliverPlanTests {
    func project(_ dir: TempDir, logo: String = "logo bytes", deliver: String? = nil) -> String {
        dir.write("media/a.png", "image bytes")
        dir.write("media/c.mp4", "5\nclip bytes")
        dir.write("media/d.mp4", "4\nother clip bytes")
        dir.write("media/logo.png", logo)
        dir.write("media/card.png", "card bytes")
        dir.write("media/bed.m4a", "music bytes")
        dir.write("media/captions.srt", "1\n00:00:00,000 --> 00:00:01,000\nhi\n")
        return """
        troupe: 1
        name: deliver
        characters:
          a: {image: media/a.png}
        clips:
          c: {video: media/c.mp4}
          d: {video: media/d.mp4}
        renders: [{characters: ["*"], clips: ["*"]}]
        outputs:
          - {name: "{character}-reel", concat: ["{character}/*"]}
          - name: "{character}-{platform}"
            from: "{character}-reel"
        \(deliver ?? """
            platform: [reels, youtube]
            overlay: {image: media/logo.png}
            end_card: {image: media/card.png, seconds: 2}
            audio: {music: media/bed.m4a}
            captions: media/captions.srt
            poster: 1
            gif: {from: 0, to: 2}
        """)
        """
    }

    @Test func eachPlatformIsAFreePostJobWithItsLengthAndStills() throws {
        let dir = TempDir()
        let p = try plan(project(dir), in: dir)
        let reels = try #require(p.job("post:a-reels")), youtube = try #require(p.job("post:a-youtube"))
        #expect(reels.platform == "reels" && youtube.platform == "youtube")
        #expect(reels.duration == 11 && reels.units == 0)  // 5 + 4 s of renders, 2 s of card
        #expect(reels.key != youtube.key)
        #expect(reels.deps == [p.jobs.firstIndex { $0.id == "post:a-reel" }!])
        let poster = try #require(p.job("post:a-reels.jpg")), gif = try #require(p.job("post:a-reels.gif"))
        #expect(poster.still == .poster(seconds: 1) && gif.still == .gif(width: 480, fps: 12, from: 0, to: 2))
        for file in ["a-reels.mp4", "a-reels.jpg", "a-reels.gif", "a-youtube.mp4", "a-youtube.jpg", "a-youtube.gif"] {
            #expect(p.job("export:out/\(file)") != nil, "\(file)")
        }
        let spec = try #require(p.deliverSpec(output: p.outputs.firstIndex { $0.name == "a-youtube" }!))
        #expect(spec.preset.width == 1920 && spec.loudness == -14 && spec.endCard?.seconds == 2)
        #expect(spec.overlay?.image == dir.path + "/media/logo.png")
        #expect(p.deliverSpec(output: 0) == nil)
        let json = PlanJSON.render(p, manifestPath: "troupe.yaml")
        #expect(json.contains("\"id\":\"post:a-reels\"") && json.contains("\"platform\":\"reels\",\"duration\":11"))
        let table = PlanTable.render(p, manifestPath: "troupe.yaml")
        #expect(table.contains("deliverables (local, no units):"))
    }

    /// A new logo makes the deliverables (and their stills) again, not the renders or the reel.
    @Test func changingTheLogoRedoesOnlyWhatUsesIt() throws {
        let a = TempDir(), b = TempDir()
        let before = try plan(project(a), in: a).keysByID
        let after = try plan(project(b, logo: "a new logo"), in: b).keysByID
        let changed = Set(before.keys.filter { before[$0] != after[$0] })
        #expect(changed == ["post:a-reels", "post:a-youtube", "post:a-reels.jpg", "post:a-reels.gif", "post:a-youtube.jpg",
                            "post:a-youtube.gif", "export:out/a-reels.mp4", "export:out/a-youtube.mp4", "export:out/a-reels.jpg",
                            "export:out/a-reels.gif", "export:out/a-youtube.jpg", "export:out/a-youtube.gif"])
    }

    /// Every finishing parameter moves the key; a file renamed (same bytes) does not.
    @Test(arguments: ["fit: pad", "fade: {in: 0.5}", "loudness: -16", "true_peak: -2", "audio: {music: media/bed.m4a, music_level: -6}",
                      "overlay: {image: media/logo.png, opacity: 0.5}", "overlay: {image: media/logo.png, at: top-left}",
                      "end_card: {image: media/card.png, seconds: 3}", "platform: square", "captions: media/captions.srt"])
    func eachParameterIsPartOfTheKey(change: String) throws {
        let base = ["platform: reels", "fit: crop", "overlay: {image: media/logo.png}", "end_card: {image: media/card.png, seconds: 2}"]
        let name = String(change.prefix { $0 != ":" })
        let edited = base.filter { !$0.hasPrefix(name + ":") } + [change]
        let original = try deliverable(TempDir(), base)
        #expect(try deliverable(TempDir(), edited).key != original.key)
        let renamed = TempDir()
        renamed.write("media/logo-renamed.png", "logo bytes")
        #expect(try deliverable(renamed, base.map { $0.replacingOccurrences(of: "logo.png", with: "logo-renamed.png") }).key == original.key)
    }

    private func deliverable(_ dir: TempDir, _ lines: [String]) throws -> Job {
        let text = project(dir, deliver: lines.map { "    " + $0 }.joined(separator: "\n"))
        return try #require(try plan(text, in: dir).jobs.first { $0.platform != nil && $0.still == nil })
    }

    @Test func aDeliverableTooShortForItsPlatformIsReportedAtPlanTime() throws {
        let dir = TempDir()
        dir.write("troupe.yaml", project(dir, deliver: "    platform: reels\n    trim: [0, 2]"))
        let loaded = ManifestLoader().load(path: dir.path + "/troupe.yaml")
        let m = try #require(loaded.manifest), matrix = try #require(loaded.matrix)
        var planner = Planner(manifest: m, matrix: matrix, outputs: loaded.outputs,
                              options: PlanOptions(stateDirectory: dir.path + "/.troupe", probeDuration: fakeProbe))
        let problems = planner.plan().1.filter { $0.severity == .error }
        #expect(problems.map(\.code) == ["deliverable-duration"])
        #expect(problems.first?.message == "deliverable 'a-reels' lasts 2 s; reels takes at least 3 s and at most 900 s")
        #expect(problems.first?.line == 13)  // the preset's name under platform:
    }
}
