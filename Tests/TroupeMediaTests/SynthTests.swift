import Foundation
import Testing
@testable import TroupeMedia

@Suite struct SynthTests {
    @Test func videoHasRequestedShapeAndNumberedFrames() throws {
        let dir = TempDir()
        let path = try dir.clip(seconds: 2)
        let info = try MediaProbe.probe(path)
        #expect(info.container == "mp4")
        #expect(info.width == 320 && info.height == 240)
        #expect(info.videoCodec == "h264")
        #expect(info.audioCodec == "aac" && info.hasAudio)
        #expect(abs(info.fps - 30) < 0.01)
        #expect(abs(info.durationSeconds - 2) < 0.05)
        let report = try MediaInspector.inspect(path, readFrameNumbers: true)
        #expect(report.videoFrames == 60)
        #expect(report.frameNumbers == Array(0..<60))
        #expect(abs(report.audioSeconds - 2) < 0.05)
        #expect(dir.contents == ["clip.mp4"], "no temp files left")
    }

    @Test func sameArgumentsGiveSameBytes() throws {
        let dir = TempDir()
        let a = try dir.clip("a.mp4", seconds: 1, seed: 3)
        let b = try dir.clip("b.mp4", seconds: 1, seed: 3)
        let c = try dir.clip("c.mp4", seconds: 1, seed: 4)
        #expect(fileBytes(a) == fileBytes(b))
        #expect(fileBytes(a) != fileBytes(c))
    }

    @Test func silentVideoHasNoAudio() throws {
        let dir = TempDir()
        let info = try MediaProbe.probe(dir.clip(seconds: 1, tone: nil))
        #expect(!info.hasAudio && info.audioCodec == nil)
    }

    @Test(arguments: [ImageFormat.png, .jpeg])
    func imagesProbeAsImages(format: ImageFormat) throws {
        let dir = TempDir()
        let path = dir.path("char.\(format == .png ? "png" : "jpg")")
        try Synth.image(to: path, width: 400, height: 600, seed: 1)
        let info = try MediaProbe.probe(path)
        #expect(info.isImage)
        #expect(info.container == format.rawValue)
        #expect(info.width == 400 && info.height == 600)
        #expect(info.durationSeconds == 0)
        #expect(info.klingViolations(orientation: .image).isEmpty)
        try Synth.image(to: dir.path("again.\(info.fileExtension)"), width: 400, height: 600, seed: 1)
        #expect(fileBytes(path) == fileBytes(dir.path("again.\(info.fileExtension)")))
    }

    @Test func movExtensionWritesQuickTime() throws {
        let dir = TempDir()
        let info = try MediaProbe.probe(dir.clip("c.mov", seconds: 1))
        #expect(info.container == "mov")
    }
}
