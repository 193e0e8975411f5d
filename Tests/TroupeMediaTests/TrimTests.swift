import Foundation
import Testing
@testable import TroupeMedia

@Suite struct TrimTests {
    @Test func keyframeCutsAreStreamCopied() throws {
        let dir = TempDir()
        let clip = try dir.clip()
        let out = dir.path("t.mp4")
        #expect(try MediaEditor.trim(clip, to: out, start: 1, end: 3) == .streamCopy)
        let report = try MediaInspector.inspect(out, readFrameNumbers: true)
        #expect(report.frameNumbers == Array(30..<90))
        #expect(abs(try MediaProbe.probe(out).durationSeconds - 2) < 0.05)
        #expect(abs(report.audioSeconds - 2) < 0.05)
    }

    @Test func cutToTheEndIsStreamCopied() throws {
        let dir = TempDir()
        let out = dir.path("t.mp4")
        #expect(try MediaEditor.trim(try dir.clip(), to: out, start: 2, end: 4) == .streamCopy)
        #expect(try MediaInspector.inspect(out, readFrameNumbers: true).frameNumbers == Array(60..<120))
    }

    @Test func offKeyframeCutsAreFrameAccurate() throws {
        let dir = TempDir()
        let out = dir.path("t.mp4")
        #expect(try MediaEditor.trim(try dir.clip(), to: out, start: 0.5, end: 2.7) == .reencode)
        let report = try MediaInspector.inspect(out, readFrameNumbers: true)
        #expect(report.frameNumbers == Array(15..<81))
        let info = try MediaProbe.probe(out)
        #expect(abs(info.durationSeconds - 2.2) <= 1.0 / 30 + 0.001)
        #expect(info.width == 320 && info.height == 240 && abs(info.fps - 30) < 0.01)
        #expect(abs(report.audioSeconds - 2.2) < 0.03)
        #expect(abs((report.audioStart ?? 1) - (report.videoTimes.first ?? 0)) < 0.03)
    }

    /// From the start to a cut off a keyframe: the keyframe check reads the end of the clip
    /// first, and the re-encode must still begin at frame 0 (it began where the check stopped
    /// and wrote black frames: the demo's showreel, `trim: [0, 12]`).
    @Test func aCutFromTheStartToAnOffKeyframeEndBeginsAtTheFirstFrame() throws {
        let dir = TempDir()
        let out = dir.path("t.mp4")
        #expect(try MediaEditor.trim(try dir.clip(), to: out, start: 0, end: 2.5) == .reencode)
        #expect(try MediaInspector.inspect(out, readFrameNumbers: true).frameNumbers == Array(0..<75))
    }

    @Test func streamCopyCanBeRefused() throws {
        let dir = TempDir()
        let out = dir.path("t.mp4")
        #expect(try MediaEditor.trim(try dir.clip(tone: nil), to: out, start: 1, end: 2, allowStreamCopy: false) == .reencode)
        #expect(try MediaInspector.inspect(out, readFrameNumbers: true).frameNumbers == Array(30..<60))
    }

    @Test(arguments: [(-1.0, 2.0), (2.0, 1.0), (1.0, 9.0), (5.0, 6.0)])
    func rangesOutsideTheClipAreRefused(range: (Double, Double)) throws {
        let dir = TempDir()
        let clip = try dir.clip(seconds: 4)
        #expect(throws: MediaError.self) {
            try MediaEditor.trim(clip, to: dir.path("t.mp4"), start: range.0, end: range.1)
        }
        #expect(dir.contents == ["clip.mp4"])
    }
}

@Suite struct RotationTests {
    @Test func rotationIsProbedAndSurvivesEdits() throws {
        let dir = TempDir()
        let clip = dir.path("r.mp4")
        try Synth.video(to: clip, width: 320, height: 240, seconds: 2, gop: 30, rotation: 90)
        let info = try MediaProbe.probe(clip)
        #expect(info.rotation == 90)
        #expect(info.displaySize == (240, 320))
        try MediaEditor.trim(clip, to: dir.path("copy.mp4"), start: 1, end: 2)
        try MediaEditor.trim(clip, to: dir.path("exact.mp4"), start: 0.5, end: 1.5)
        try MediaEditor.concat([clip, clip], to: dir.path("cat.mp4"))
        for name in ["copy.mp4", "exact.mp4", "cat.mp4"] {
            #expect(try MediaProbe.probe(dir.path(name)).rotation == 90, "\(name)")
        }
    }
}
