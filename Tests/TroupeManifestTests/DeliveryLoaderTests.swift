import Foundation
import Testing
@testable import TroupeManifest

/// `outputs:` with platform presets and finishing steps: decoded, expanded per platform, and
/// every mistake reported at once with its position.
@Suite struct DeliveryLoaderTests {
    static func manifest(outputs: String, keepSound: Bool = true) -> String {
        """
        troupe: 1
        name: deliver
        defaults: {keep_sound: \(keepSound)}
        characters:
        \(remoteCharacter("mochi"))
        \(remoteCharacter("pip"))
        clips:
        \(remoteClip("wave"))
        \(remoteClip("dance"))
        renders:
          - characters: ["*"]
            clips: ["*"]
        outputs:
          - name: "{character}-reel"
            concat: ["{character}/*"]
        \(outputs)
        """
    }

    @Test func aFullDeliverableDecodesAndExpandsPerPlatform() throws {
        let r = load(Self.manifest(outputs: """
          - name: "{character}-{platform}"
            from: "{character}-reel"
            platform: [reels, youtube, square]
            fit: blur
            overlay: {image: media/logo.png, at: bottom-left, width: 0.2, margin: 0.05, opacity: 0.8}
            fade: {in: 0.3, out: 0.5}
            end_card: {image: media/endcard.png, seconds: 2}
            audio: {music: media/bed.m4a, music_level: -10, original: true}
            loudness: -16
            true_peak: -2
            captions: media/captions.srt
            poster: 1.0
            gif: {width: 320, fps: 10, from: 1, to: 4}
        """))
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics.map(\.message))")
        let m = try #require(r.manifest)
        let d = try #require(m.outputs[1].delivery)
        #expect(d.platforms.map(\.value) == ["reels", "youtube", "square"])
        #expect(d.fit == .blur && d.overlay?.corner == .bottomLeft && d.overlay?.width == 0.2 && d.overlay?.opacity == 0.8)
        #expect(d.fadeIn == 0.3 && d.fadeOut == 0.5 && d.endCard?.seconds == 2)
        #expect(d.music?.written == "media/bed.m4a" && d.musicLevel == -10 && d.original)
        #expect(d.loudness == -16 && d.truePeak == -2 && d.captions?.resolved == "/nonexistent/media/captions.srt")
        #expect(d.poster == 1 && d.gif == Delivery.GIF(width: 320, fps: 10, from: 1, to: 4))
        let names = r.outputs.map(\.name)
        #expect(names == ["mochi-reel", "pip-reel", "mochi-reels", "mochi-youtube", "mochi-square",
                          "pip-reels", "pip-youtube", "pip-square"])
        #expect(r.outputs[3].platform == "youtube" && r.outputs[3].inputs == [.output(0)])
        #expect(r.outputs[0].platform == nil)
    }

    @Test func sizeStandsForAPlatformAndDefaultsApply() throws {
        let r = load(Self.manifest(outputs: """
          - name: mochi-banner
            from: mochi-reel
            size: 1280x720
        """))
        #expect(r.diagnostics.isEmpty, "\(r.diagnostics.map(\.message))")
        let d = try #require(r.manifest?.outputs[1].delivery)
        #expect(d.size?.value == PictureSize(width: 1280, height: 720) && d.fit == .crop && d.original && d.loudness == nil)
        #expect(r.outputs.last?.platform == "1280x720")
    }

    @Test func everyMistakeIsReportedAtOnceWhereItIs() throws {
        let r = load(Self.manifest(outputs: """
          - name: "{character}-{platform}"
            from: "{character}-reel"
            platform: [reel, youtube]
            overlay: {image: media/logo.gif, width: 1.5, opacity: 0}
            end_card: {image: media/card.png, seconds: 0}
            audio: {music: media/bed.txt}
            captions: media/captions.doc
            loudness: 3
          - name: "{character}-wide"
            from: "{character}-reel"
            size: 1081x0
          - name: "{character}-{platform}-x"
            concat: ["{character}-reel"]
          - name: both
            concat: [mochi-reel]
            from: mochi-reel
            platform: reels
          - name: two
            from: mochi-reel
            platform: [reels, square]
        """), exists: { !$0.hasSuffix("card.png") })
        let got = r.diagnostics.map { "\($0.line):\($0.code)" }
        #expect(got.contains("18:unknown-preset"))
        #expect(r.diagnostics.first { $0.code == "unknown-preset" }?.hint?.contains("'reels'") == true)
        #expect(got.contains("19:unsupported-format"))         // logo.gif
        #expect(got.filter { $0.hasPrefix("19:out-of-range") }.count == 2)  // width, opacity
        #expect(got.contains("20:out-of-range"))               // card seconds
        #expect(got.contains("20:missing-file"))               // card.png is not there
        #expect(got.contains("21:unsupported-format"))         // bed.txt
        #expect(got.contains("22:unsupported-format"))         // captions.doc
        #expect(got.contains("23:out-of-range"))               // loudness
        #expect(got.contains("26:invalid-size"))
        #expect(got.contains("27:missing-platform"))
        #expect(got.contains("31:conflicting-keys"))
        #expect(got.contains("33:platform-name"))
        #expect(r.diagnostics.allSatisfy { $0.column > 0 && $0.hint != nil })
    }

    @Test func keepingSoundTheRendersDoNotHaveIsAnError() throws {
        let text = Self.manifest(outputs: """
          - name: mochi-reels
            from: mochi-reel
            platform: reels
          - name: pip-reels
            from: pip-reel
            platform: reels
            audio: {music: media/bed.m4a, original: false}
        """, keepSound: false)
        let r = load(text)
        #expect(codes(r) == ["no-sound"], "\(r.diagnostics.map(\.message))")
        #expect(r.diagnostics.first?.line == 16)
        #expect(codes(load(text.replacingOccurrences(of: "keep_sound: false", with: "keep_sound: true"))).isEmpty)
    }
}
