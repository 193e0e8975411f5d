import Foundation
import Testing
import TroupeManifest
import TroupeMedia
@testable import TroupePlan

/// Validate opens a deliverable's finishing files with the media engine: a logo or end card
/// that is not a picture, music without sound, captions that are not subtitles, and
/// `original: true` over clips without a sound track are located errors, reported with the
/// rest at once; each distinct file is opened once however many outputs name it.
@Suite struct DeliveryFilesProbeTests {
    /// Real media made here: a picture, a clip with or without sound, a sound file, a video
    /// named like a picture, a silent video named like music, prose named like captions.
    func project(clipSound: Bool, outputs: String) throws -> TempDir {
        let dir = TempDir()
        let media = dir.path + "/media"
        try FileManager.default.createDirectory(atPath: media, withIntermediateDirectories: true)
        try Synth.image(to: media + "/a.png", width: 480, height: 640)
        try Synth.image(to: media + "/logo.png", width: 200, height: 100)
        try Synth.video(to: media + "/c.mp4", width: 480, height: 360, fps: 12, seconds: 4,
                        tone: clipSound ? .init(frequency: 440) : nil)
        try Synth.video(to: media + "/with-sound.mp4", width: 160, height: 120, fps: 12, seconds: 2, tone: .init(frequency: 330))
        try Synth.video(to: media + "/silent.mp4", width: 160, height: 120, fps: 12, seconds: 2, tone: nil)
        // A video where a picture belongs, a silent video where music belongs.
        try FileManager.default.copyItem(atPath: media + "/silent.mp4", toPath: media + "/card.png")
        try FileManager.default.copyItem(atPath: media + "/silent.mp4", toPath: media + "/quiet.m4a")
        try FileManager.default.copyItem(atPath: media + "/with-sound.mp4", toPath: media + "/bed.m4a")
        dir.write("media/captions.srt", "1\n00:00:00,000 --> 00:00:01,500\nHello\n\n2\n00:00:01,500 --> 00:00:03,000\nagain\n")
        dir.write("media/notes.srt", "These are the captions we still have to write.\nSee the brief.\n")
        dir.write("troupe.yaml", """
        troupe: 1
        name: probe
        characters:
          a: {image: media/a.png}
        clips:
          c: {video: media/c.mp4}
        renders: [{characters: ["*"], clips: ["*"]}]
        outputs:
          - {name: reel, concat: ["a/c"]}
        \(outputs)
        """)
        return dir
    }

    func check(_ dir: TempDir) throws -> (MediaChecker, [Diagnostic]) {
        let loaded = ManifestLoader().load(path: dir.path + "/troupe.yaml")
        #expect(loaded.diagnostics.isEmpty, "\(loaded.diagnostics.map(\.message))")
        let checker = MediaChecker()
        return (checker, checker.check(try #require(loaded.manifest), matrix: loaded.matrix, outputs: loaded.outputs))
    }

    @Test func filesOfTheWrongKindAreLocatedErrorsAndEachFileIsOpenedOnce() throws {
        let dir = try project(clipSound: true, outputs: """
          - name: bad
            from: reel
            size: 320x180
            overlay: {image: media/logo.png}
            end_card: {image: media/card.png, seconds: 1}
            audio: {music: media/quiet.m4a}
            captions: media/notes.srt
          - name: good
            from: reel
            size: 320x180
            overlay: {image: media/logo.png}
            audio: {music: media/bed.m4a}
            captions: media/captions.srt
        """)
        let (checker, d) = try check(dir)
        let found = d.map { "\($0.line):\($0.column) \($0.code)" }
        #expect(found == ["14:23 not-an-image", "15:20 not-audio", "16:15 not-subtitles"], "\(d.map(\.message))")
        let byCode = Dictionary(uniqueKeysWithValues: d.map { ($0.code, $0) })
        #expect(byCode["not-an-image"]?.message == "end card image 'media/card.png' is not a picture: it is a video without sound")
        #expect(byCode["not-audio"]?.message == "music 'media/quiet.m4a' has no sound: it is a video without sound")
        #expect(byCode["not-subtitles"]?.message.hasPrefix("captions 'media/notes.srt' is not a subtitle file:") == true)
        #expect(d.allSatisfy { $0.hint?.isEmpty == false })
        // logo.png, card.png, quiet.m4a, notes.srt, bed.m4a, captions.srt: the shared logo once.
        #expect(checker.deliveryFilesProbed == 6)
    }

    @Test func keepingTheSoundOfClipsWithoutOneIsAnError() throws {
        let deliverable = """
          - name: "{character}-square"
            from: "{character}/c"
            platform: square
            audio: {music: media/bed.m4a, original: true}
        """
        let (_, silent) = try check(try project(clipSound: false, outputs: deliverable))
        #expect(silent.map { "\($0.line):\($0.column) \($0.code)" } == ["13:45 no-sound"], "\(silent.map(\.message))")
        #expect(silent.first?.message == "output 'a-square' keeps the render's sound (audio.original), but its renders have none: clip 'c' (media/c.mp4) has no sound track")
        #expect(silent.first?.hint?.contains("original: false") == true)

        let (_, sound) = try check(try project(clipSound: true, outputs: deliverable))
        #expect(sound.isEmpty, "\(sound.map(\.message))")
        let (_, musicOnly) = try check(try project(clipSound: false, outputs: deliverable.replacingOccurrences(of: "original: true", with: "original: false")))
        #expect(musicOnly.isEmpty, "\(musicOnly.map(\.message))")
    }

    /// `troupe validate`'s pass: the loader's problems and the probes' together, in file order.
    @Test func validateReportsProbedAndLoaderProblemsAtOnce() throws {
        let dir = try project(clipSound: false, outputs: """
          - name: wide
            from: reel
            platform: youtube
            overlay: {image: media/card.png}
            captions: media/missing.srt
        """)
        let c = Campaign.validate(manifest: dir.path + "/troupe.yaml")
        #expect(c.diagnostics.map(\.code) == ["no-sound", "not-an-image", "missing-file"], "\(c.diagnostics.map(\.message))")
        #expect(c.plan == nil)
    }
}
