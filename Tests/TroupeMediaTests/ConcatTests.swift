import Foundation
import Testing
@testable import TroupeMedia

@Suite struct ConcatTests {
    @Test func matchingClipsAreStreamCopied() throws {
        let dir = TempDir()
        let clips = try (0..<3).map { try dir.clip("c\($0).mp4", seconds: 2, seed: $0) }
        let out = dir.path("out.mp4")
        #expect(try MediaEditor.concat(clips, to: out) == .streamCopy)
        let report = try MediaInspector.inspect(out, readFrameNumbers: true)
        #expect(report.frameNumbers == Array(0..<60) + Array(0..<60) + Array(0..<60))
        #expect(isMonotonic(report.videoTimes))
        let info = try MediaProbe.probe(out)
        #expect(abs(info.durationSeconds - 6) < 0.1)
        #expect(abs(report.audioSeconds - report.videoSeconds) < 0.1)
    }

    @Test func mixedClipsAreNormalisedToTheFirst() throws {
        let dir = TempDir()
        let a = try dir.clip("a.mp4", seconds: 2)
        let b = try dir.clip("b.mp4", width: 480, height: 360, fps: 25, seconds: 2, gop: 25, tone: nil, seed: 1)
        let c = try dir.clip("c.mp4", width: 240, height: 320, seconds: 1, tone: .init(frequency: 880, sampleRate: 44_100, channels: 1), seed: 2)
        let out = dir.path("out.mp4")
        #expect(try MediaEditor.concat([a, b, c], to: out) == .reencode)
        let info = try MediaProbe.probe(out)
        #expect(info.width == 320 && info.height == 240 && abs(info.fps - 30) < 0.01)
        #expect(info.audioSampleRate == 48_000 && info.audioChannels == 2)
        let report = try MediaInspector.inspect(out, readFrameNumbers: true)
        #expect(report.videoFrames == 150)
        #expect(Array(report.frameNumbers.prefix(60)) == Array(0..<60))
        #expect(isMonotonic(report.videoTimes))
        #expect(abs(report.videoSeconds - 5) < 0.04)
        #expect(abs(report.audioSeconds - 5) < 0.03, "silence fills the clip without audio")
    }

    @Test func silentFirstClipStillGetsAudioFromLaterOnes() throws {
        let dir = TempDir()
        let a = try dir.clip("a.mp4", seconds: 1, tone: nil)
        let b = try dir.clip("b.mp4", seconds: 1)
        let out = dir.path("out.mp4")
        #expect(try MediaEditor.concat([a, b], to: out) == .reencode)
        let report = try MediaInspector.inspect(out)
        #expect(report.videoFrames == 60)
        #expect(abs(report.audioSeconds - 2) < 0.03)
    }

    @Test func emptyListIsAnError() {
        #expect(throws: MediaError.self) { try MediaEditor.concat([], to: "/tmp/never.mp4") }
    }
}

func isMonotonic(_ times: [Double]) -> Bool { zip(times, times.dropFirst()).allSatisfy { $0 < $1 } }

extension MediaReport {
    var videoSeconds: Double {
        guard let first = videoTimes.first, let last = videoTimes.last, videoTimes.count > 1 else { return 0 }
        return last - first + (last - first) / Double(videoTimes.count - 1)
    }
}

@Suite struct ConcatRotationTests {
    @Test func clipInAnotherOrientationIsTurnedToMatchTheFirst() throws {
        let dir = TempDir()
        let landscape = try dir.clip("l.mp4", seconds: 1)
        let phone = dir.path("p.mp4")
        // Coded 240×320 shown rotated 90°: displays as 320×240, like the first clip.
        try Synth.video(to: phone, width: 240, height: 320, seconds: 1, gop: 30, rotation: 90)
        let out = dir.path("out.mp4")
        #expect(try MediaEditor.concat([landscape, phone], to: out) == .reencode)
        let info = try MediaProbe.probe(out)
        #expect(info.rotation == 0 && info.width == 320 && info.height == 240)
        // Turned upright, the phone clip fills the frame: no letterbox bars at the sides.
        let grab = try FrameGrabber.grab(out, at: 1.5, cancellation: nil)
        #expect(grab.mean(plane: 0, x: 0, y: 100, width: 4, height: 40) > 20)
    }
}

@Suite struct ContainerTests {
    @Test func streamCopyOnlyForCodecsTheContainerHolds() {
        #expect(OutputFile.canHold(.init(27), path: "a.mp4"), "H.264")   // AV_CODEC_ID_H264 = 27
        #expect(OutputFile.canHold(.init(27), path: "a.mov"))
    }
}
