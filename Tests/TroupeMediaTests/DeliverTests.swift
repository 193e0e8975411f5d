import Foundation
import Testing
@testable import TroupeMedia
import TroupeSupport

/// Deliverables made from synthesized clips and read back: by ffprobe/ffmpeg's meters (codec,
/// profile, loudness, true peak, tick times) and by decoding pixels where the steps put them.
@Suite(.serialized) struct DeliverTests {
    /// A 9:16 preset small enough for tests; the same rules as reels.
    static let small = PlatformPreset.custom(width: 360, height: 640)
    static let fps = 30.0

    struct Made {
        let dir: TempDir
        let out: String
        let result: Deliverable.Result
        let spec: DeliverSpec
    }

    /// A 4 s clip made into a deliverable with every picture step and music.
    static func full(fit: DeliverSpec.FitMode = .crop, captions: Bool = false, edit: (inout DeliverSpec) -> Void = { _ in })
        throws -> Made {
        let dir = TempDir()
        let clip = try dir.clip(seconds: 4)
        try Synth.logo(to: dir.path("logo.png"), width: 200, height: 100, border: 30)
        try Synth.logo(to: dir.path("card.png"), width: 400, height: 400, border: 0, colour: (20, 20, 230))
        let music = try dir.clip("bed.mp4", width: 64, height: 64, seconds: 1.5, tone: .init(frequency: 220))
        var spec = DeliverSpec(preset: small, fit: fit,
                               overlay: .init(image: dir.path("logo.png"), corner: .topRight, width: 0.3, margin: 0.04, opacity: 0.9),
                               fadeIn: 0.3, fadeOut: 0.5, endCard: .init(image: dir.path("card.png"), seconds: 1),
                               music: .init(path: music, level: -12))
        if captions {
            let srt = dir.path("it's captions [1].srt")
            try "1\n00:00:00,200 --> 00:00:03,500\nHELLO CAPTIONS\n".write(toFile: srt, atomically: true, encoding: .utf8)
            spec.captions = srt
        }
        edit(&spec)
        let out = dir.path("out.mp4")
        let result = try Deliverable.make(clip, spec: spec, to: out)
        return Made(dir: dir, out: out, result: result, spec: spec)
    }

    /// Mean of a plane over a rectangle given in picture pixels.
    static func mean(_ frame: Frame, plane: Int, _ x: Int, _ y: Int, _ w: Int, _ h: Int) -> Double {
        plane == 0 ? frame.mean(plane: 0, x: x, y: y, width: w, height: h)
            : frame.mean(plane: plane, x: x / 2, y: y / 2, width: max(1, w / 2), height: max(1, h / 2))
    }

    @Test func aDeliverableReadsBackAsItsPresetSays() throws {
        let made = try Self.full()
        let out = made.out
        let info = try MediaProbe.probe(out)
        #expect(info.width == 360 && info.height == 640)
        // 4 s of programme, then 1 s of card.
        #expect(abs(made.result.seconds - 5) < 0.001)
        let report = try MediaInspector.inspect(out)
        #expect(report.videoFrames == 150)
        #expect(abs(report.audioSeconds - 5) < 0.03)
        #expect(abs(info.durationSeconds - 5) < 0.05)
        // The moov box before the media data: playable while it downloads.
        let moov = try #require(made.dir.offset(of: "moov", in: out)), mdat = try #require(made.dir.offset(of: "mdat", in: out))
        #expect(moov < mdat)
        guard CLIMeter.available else { return }
        let video = try CLIMeter.stream(out, "v:0"), audio = try CLIMeter.stream(out, "a:0")
        #expect(video["codec_name"] == "h264" && video["profile"] == "High" && video["pix_fmt"] == "yuv420p")
        #expect(audio["codec_name"] == "aac" && audio["profile"] == "LC" && audio["sample_rate"] == "48000" && audio["channels"] == "2")
    }

    @Test func theLogoSitsInItsCornerWithItsAlphaKept() throws {
        let made = try Self.full()
        let frame = try FrameGrabber.grab(made.out, at: 2, cancellation: nil)
        // 0.3 × 360 = 108 px wide (54 high), 14 px from the top-right corner; the PNG's
        // transparent border is 30/200 of its width = 16 px.
        let x0 = 360 - 108 - 14, y0 = 14
        #expect(Self.mean(frame, plane: 2, x0 + 24, y0 + 22, 60, 12) > 190)  // red, 90 % opaque
        #expect(Self.mean(frame, plane: 2, x0 + 2, y0 + 2, 10, 48) < 175)    // the transparent border
        #expect(Self.mean(frame, plane: 2, 14 + 24, y0 + 22, 60, 12) < 175)  // the other corner
        #expect(Self.mean(frame, plane: 2, x0 + 24, 300, 60, 12) < 175)      // under it
    }

    @Test func theProgrammeFadesInAndTheEndCardClosesIt() throws {
        let made = try Self.full()
        let first = try FrameGrabber.grab(made.out, at: 0, cancellation: nil)
        #expect(Self.mean(first, plane: 0, 0, 0, 360, 640) < 24)
        let middle = try FrameGrabber.grab(made.out, at: 2, cancellation: nil)
        #expect(Self.mean(middle, plane: 0, 0, 0, 360, 640) > 60)
        #expect(Self.mean(middle, plane: 1, 120, 260, 120, 120) < 180)
        // The blue card, fitted inside 360×640 (360×360 in the middle, black above).
        for t in [4.05, 4.5, 4.95] {
            let card = try FrameGrabber.grab(made.out, at: t, cancellation: nil)
            #expect(Self.mean(card, plane: 1, 120, 260, 120, 120) > 200)
            #expect(Self.mean(card, plane: 0, 0, 0, 360, 100) < 24)
        }
    }

    @Test(arguments: DeliverSpec.FitMode.allCases)
    func everyFitFillsThePresetsSize(fit: DeliverSpec.FitMode) throws {
        let made = try Self.full(fit: fit) { $0.overlay = nil; $0.fadeIn = 0 }
        let frame = try FrameGrabber.grab(made.out, at: 1, cancellation: nil)
        #expect(frame.width == 360 && frame.height == 640)
        // A 4:3 picture in a 9:16 frame: pad leaves black bands above and below; crop and blur fill them.
        let top = Self.mean(frame, plane: 0, 0, 0, 360, 120)
        if fit == .pad { #expect(top < 20) } else { #expect(top > 30) }
        // The picture itself (its moving boxes and gradient) in the middle, whatever the fit.
        #expect(Self.mean(frame, plane: 0, 100, 300, 160, 40) > 40)
    }

    @Test func captionsAreBurnedInFromAFileWithAnAwkwardName() throws {
        let plain = try Self.full { $0.overlay = nil }
        let captioned = try Self.full(captions: true) { $0.overlay = nil }
        let a = try FrameGrabber.grab(plain.out, at: 1.5, cancellation: nil)
        let b = try FrameGrabber.grab(captioned.out, at: 1.5, cancellation: nil)
        var bottom = 0.0, top = 0.0
        // Luma differences, row band by row band: the text sits low in the frame.
        for y in stride(from: 0, to: 640, by: 8) {
            let d = abs(Self.mean(a, plane: 0, 20, y, 320, 8) - Self.mean(b, plane: 0, 20, y, 320, 8))
            if y >= 480 { bottom = max(bottom, d) } else if y < 320 { top = max(top, d) }
        }
        #expect(bottom > 8)
        #expect(top < 2)
    }

    @Test func soundAndPictureKeepTheirTicksTogether() throws {
        guard CLIMeter.available else { return }
        let dir = TempDir()
        let clip = try dir.tickClip(seconds: 5)
        let out = dir.path("sync.mp4")
        // A trim off the ticks, a fit and an end card: every step that moves time.
        try Synth.logo(to: dir.path("card.png"), width: 64, height: 64, border: 0)
        let spec = DeliverSpec(preset: Self.small, trim: 0.5...4.5, endCard: .init(image: dir.path("card.png"), seconds: 1))
        try Deliverable.make(clip, spec: spec, to: out)
        let flashes = try CLIMeter.brightFrames(out)
        let onsets = try CLIMeter.soundOnsets(out, before: 4)
        #expect(flashes.count == 4)  // 1, 2, 3 and 4 s of the clip, at 0.5 … 3.5 s
        #expect(onsets.count == 4, "\(onsets)")
        for onset in onsets {
            let nearest = flashes.map { abs($0 - onset) }.min() ?? 1
            #expect(nearest < 1 / Self.fps + 0.005, "click at \(onset) s, flashes at \(flashes)")
        }
    }

    @Test(arguments: [-23.0, -14.0, -10.0])
    func loudnessMeetsItsTargetUnderTheTruePeakCeiling(target: Double) throws {
        guard CLIMeter.available else { return }
        let dir = TempDir()
        // 10 ms clicks 19 dB over a tone at about −23 LUFS: at −14 and −10 LUFS the limiter
        // takes 10 and 14 dB off the clicks.
        let clip = try dir.tickClip(seconds: 6)
        let out = dir.path("loud.mp4")
        try Deliverable.make(clip, spec: DeliverSpec(preset: Self.small, loudness: target), to: out)
        let (integrated, peak) = try CLIMeter.loudness(out)
        #expect(abs(integrated - target) <= 0.5, "integrated \(integrated) LUFS")
        #expect(peak <= -1 + 0.1, "true peak \(peak) dBTP")
        // The engine's own meter (troupe media probe) agrees with ffmpeg's.
        let own = try #require(try Loudness.measure(out))
        #expect(abs(own.integrated - integrated) < 0.2 && abs(own.truePeak - peak) < 0.3)
    }

    @Test func musicShorterThanTheProgrammeLoopsUnderItAtTheTarget() throws {
        guard CLIMeter.available else { return }
        // Music alone (the render's sound dropped): 1.5 s of music must cover 5 s with no gap.
        let made = try Self.full { $0.original = false; $0.fadeOut = 0 }
        let report = try MediaInspector.inspect(made.out)
        #expect(abs(report.audioSeconds - 5) < 0.03)
        let gaps = try CLIMeter.run("ffmpeg", ["-nostats", "-hide_banner", "-i", made.out, "-af",
                                               "silencedetect=n=-40dB:d=0.15", "-t", "4.2", "-f", "null", "-"])
        #expect(!gaps.contains("silence_start"), "\(gaps)")
        let (integrated, peak) = try CLIMeter.loudness(made.out)
        #expect(abs(integrated + 14) <= 0.5 && peak <= -0.9)
    }

    @Test func musicUnderTheProgrammeSitsAtItsLevel() throws {
        guard CLIMeter.available else { return }
        let made = try Self.full()
        let (integrated, peak) = try CLIMeter.loudness(made.out)
        #expect(abs(integrated + 14) <= 0.5 && peak <= -0.9)
        // The bed was measured apart and set 12 dB under the programme.
        #expect(made.result.measured != nil)
    }

    @Test func aFileWithoutSoundCannotKeepIt() throws {
        let dir = TempDir()
        let clip = try dir.clip(tone: nil)
        #expect(throws: MediaError.self) {
            try Deliverable.make(clip, spec: DeliverSpec(preset: Self.small), to: dir.path("o.mp4"))
        }
        try Deliverable.make(clip, spec: DeliverSpec(preset: Self.small, original: false), to: dir.path("o.mp4"))
        #expect(try MediaProbe.probe(dir.path("o.mp4")).hasAudio)
        #expect(dir.contents == ["clip.mp4", "o.mp4"])
    }

    @Test func aPosterAndAGIFComeFromTheDeliverable() throws {
        let made = try Self.full()
        let poster = made.dir.path("out.jpg"), gif = made.dir.path("out.gif")
        try Deliverable.poster(made.out, at: 1, to: poster)
        try Deliverable.gif(made.out, spec: .init(width: 120, fps: 10, from: 0.5, to: 2.5), to: gif)
        #expect(fileBytes(gif).prefix(6) == Data("GIF89a".utf8))
        #expect(fileBytes(poster).prefix(2) == Data([0xFF, 0xD8]))
        let image = try MediaProbe.probe(poster)
        #expect(image.width == 360 && image.height == 640)
        let report = try MediaInspector.inspect(gif)
        #expect(report.width == 120 && report.height == 214)
        #expect(report.videoFrames == 20)
    }

    @Test func fileNamesAreQuotedForTheGraph() {
        #expect(DeliverGraph.escape("/a b/c.srt") == "/a b/c.srt")
        #expect(DeliverGraph.escape("x:y") == "x\\\\:y")
        #expect(DeliverGraph.escape("it's[1],;") == "it\\\\\\'s\\[1\\]\\,\\;")
    }
}
