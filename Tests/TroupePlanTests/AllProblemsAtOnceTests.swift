import Foundation
import Testing
import TroupeManifest
import TroupeMedia
@testable import TroupePlan

/// `validate` reports manifest, media and pricing problems in one pass, in file order: a
/// mistake in the manifest no longer hides what is wrong with the files it names.
@Suite struct AllProblemsAtOnceTests {
    @Test func aManifestErrorHidesNoMediaOrPricingProblem() throws {
        let dir = TempDir()
        let media = dir.path + "/media"
        try FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: true)
        try Synth.image(to: media + "/a.png", width: 480, height: 640)
        try Synth.video(to: media + "/short.mp4", width: 480, height: 360, fps: 12, seconds: 2, tone: nil)
        try Synth.video(to: media + "/long.mp4", width: 480, height: 360, fps: 12, seconds: 35, tone: nil)
        try Synth.video(to: media + "/narrow.mp4", width: 320, height: 640, fps: 12, seconds: 4, tone: nil)
        try Synth.video(to: media + "/ok.mp4", width: 480, height: 360, fps: 12, seconds: 6, tone: nil)
        dir.write("media/text.png", "this is not an image")
        dir.write("troupe.yaml", """
        troupe: 1
        name: many-problems
        provider: {use: preview, model: kling-v3, mode: std}
        characters:
          a: {image: media/a.png}
          b: {image: media/text.png}
        clips:
          cut: {video: media/ok.mp4, trim: [1, 2]}
          short: {video: media/short.mp4}
          long: {video: media/long.mp4}
          narrow: {video: media/narrow.mp4}
        renders: [{characters: ["*"], clips: ["*"]}]
        """)
        let c = Campaign.validate(manifest: dir.path + "/troupe.yaml")
        let lines = c.diagnostics.filter { $0.severity == .error }.map(\.line)
        // The trim (line 8), then each bad file where the manifest names it.
        #expect(lines.contains(8), "\(c.diagnostics.map { "\($0.line): \($0.message)" })")
        #expect(lines.contains(6))   // text.png
        #expect(lines.contains(9))   // 2 s
        #expect(lines.contains(10))  // 35 s
        #expect(lines.contains(11))  // 320 px
        #expect(lines == lines.sorted(), "in file order")
        #expect(c.plan == nil)
    }

    @Test func aMissingPriceIsReportedByValidateBesideOtherErrors() throws {
        let dir = TempDir()
        dir.write("troupe.yaml", """
        troupe: 1
        name: priced
        provider: {use: kling, model: kling-v2-6, mode: pro}
        pricing: {unit: credits, render: {kling-v3/pro: {per_second: 2}}}
        characters:
          a: {image: "https://x.example/a.png", sha256: \(String(repeating: "a", count: 64))}
        clips:
          k: {video: "https://x.example/k.mp4", sha256: \(String(repeating: "b", count: 64)), duration: 5}
        renders: [{characters: ["*"], clips: ["*"], colour: red}]
        """)
        let c = Campaign.validate(manifest: dir.path + "/troupe.yaml")
        #expect(c.diagnostics.contains { $0.code == "no-price" && $0.message.contains("kling-v2-6/pro") },
                "\(c.diagnostics.map { "\($0.line): \($0.code) \($0.message)" })")
        #expect(c.diagnostics.contains { $0.code != "no-price" && $0.severity == .error })
    }
}
