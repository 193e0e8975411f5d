import Foundation
import Testing
@testable import TroupeMedia

@Suite struct PreviewTests {
    @Test func rendersAtTheModeHeightLoopingTheClip() async throws {
        let dir = TempDir()
        let clip = try dir.clip(width: 480, height: 360, seconds: 1.5)
        let image = dir.path("char.png")
        try Synth.image(to: image, width: 300, height: 450)
        let out = dir.path("p.mp4")
        try await PreviewRenderer().render(image: image, clip: clip, output: out, height: 720, seconds: 4, keepSound: true)
        let info = try MediaProbe.probe(out)
        #expect(info.width == 960 && info.height == 720)
        #expect(abs(info.durationSeconds - 4) < 0.05)
        #expect(info.hasAudio)
        let report = try MediaInspector.inspect(out, readFrameNumbers: true, patternScale: 2)
        // 30 fps plays at 15: every other frame of the clip (or, where the clip's B-frames, which
        // are not decoded, fall out of step, its neighbour).
        #expect(report.videoFrames == 60)
        let expected = (0..<60).map { $0 % 23 * 2 }  // 1.5 s of clip = 23 preview frames, then again
        #expect(zip(report.frameNumbers, expected).allSatisfy { abs($0 - $1) <= 1 })
        #expect(Array(report.frameNumbers.prefix(3)) == [0, 2, 4])
        #expect(Array(report.frameNumbers[23..<25]) == [0, 2])
        // The clip's own sound in each pass (1.5 s of it per 23 frames), cut at the end: the
        // seams between passes are silent for the odd frame's worth.
        #expect(abs(report.audioSeconds - 4) < 0.1)
    }

    @Test func capsTheFrameRateByWholeSteps() {
        func rate(_ num: Int, _ den: Int) -> Rational { PreviewRenderer.frameRate(for: Rational(num, den)) }
        #expect(rate(30, 1) == Rational(30, 2))
        #expect(rate(60, 1) == Rational(60, 4))
        #expect(rate(24, 1) == Rational(24, 2))
        #expect(rate(25, 1) == Rational(25, 2))
        #expect(rate(30000, 1001) == Rational(30000, 2002))
        #expect(rate(15, 1) == Rational(15, 1))
        #expect(rate(12, 1) == Rational(12, 1))
        #expect(rate(0, 0) == Rational(30, 2))
        #expect(rate(120, 1).value == 15)
    }

    @Test func playsAFullRateClipWithoutBFramesInEvenSteps() async throws {
        // Every frame a reference frame (no B-frames to skip): still every other frame, evenly.
        let dir = TempDir()
        let clip = dir.path("ip.mp4")
        try Synth.video(to: clip, width: 320, height: 240, fps: 30, seconds: 1, gop: 30, tone: nil,
                        settings: VideoSettings(preset: "ultrafast", crf: 23))
        let image = dir.path("char.png")
        try Synth.image(to: image, width: 300, height: 300)
        let out = dir.path("p.mp4")
        try await PreviewRenderer().render(image: image, clip: clip, output: out, height: 720, seconds: 1, keepSound: false)
        let report = try MediaInspector.inspect(out, readFrameNumbers: true, patternScale: 3)
        #expect(report.videoFrames == 15)
        #expect(report.frameNumbers == Array(stride(from: 0, through: 28, by: 2)))
    }

    @Test func sameInputsGiveSameBytesAndNoSoundWhenAsked() async throws {
        let dir = TempDir()
        let clip = try dir.clip(width: 480, height: 270, seconds: 2)
        let image = dir.path("char.jpg")
        try Synth.image(to: image, width: 400, height: 400, seed: 2)
        let a = dir.path("a.mp4"), b = dir.path("b.mp4")
        for out in [a, b] {
            try await PreviewRenderer().render(image: image, clip: clip, output: out, height: 720, seconds: 1, keepSound: false)
        }
        #expect(fileBytes(a) == fileBytes(b))
        let info = try MediaProbe.probe(a)
        #expect(!info.hasAudio && info.width == 1280 && info.height == 720)
        #expect(abs(info.durationSeconds - 1) < 0.05)
    }

    @Test func refusesOtherHeights() async throws {
        let dir = TempDir()
        await #expect(throws: MediaError.self) {
            try await PreviewRenderer().render(image: "x.png", clip: "y.mp4", output: dir.path("p.mp4"), height: 500,
                                         seconds: 2, keepSound: false)
        }
    }
}

@Suite struct RotatedPreviewTests {
    @Test func framesTurnClockwise() {
        // 4×2 luma: row 0 = 1 2 3 4, row 1 = 5 6 7 8.
        let frame = Frame.video(width: 4, height: 2, format: .init(0))
        frame.fillPixels(plane: 0) { x, y in UInt8(1 + x + 4 * y) }
        let cw = frame.rotated(clockwise: 90)
        #expect(cw.width == 2 && cw.height == 4)
        #expect((0..<4).map { [cw.pixel(plane: 0, x: 0, y: $0), cw.pixel(plane: 0, x: 1, y: $0)] }
                == [[5, 1], [6, 2], [7, 3], [8, 4]])
        let half = frame.rotated(clockwise: 180)
        #expect((0..<4).map { half.pixel(plane: 0, x: $0, y: 0) } == [8, 7, 6, 5])
        let ccw = frame.rotated(clockwise: 270)
        #expect((0..<4).map { [ccw.pixel(plane: 0, x: 0, y: $0), ccw.pixel(plane: 0, x: 1, y: $0)] }
                == [[4, 8], [3, 7], [2, 6], [1, 5]])
    }

    @Test func rotatedClipRendersUpright() async throws {
        let dir = TempDir()
        let clip = dir.path("phone.mp4")
        try Synth.video(to: clip, width: 320, height: 240, seconds: 1, gop: 30, rotation: 90)
        let image = dir.path("char.png")
        try Synth.image(to: image, width: 300, height: 300)
        let out = dir.path("p.mp4")
        try await PreviewRenderer().render(image: image, clip: clip, output: out, height: 720, seconds: 1, keepSound: false)
        let info = try MediaProbe.probe(out)
        #expect(info.width == 540 && info.height == 720 && info.rotation == 0)
    }
}
