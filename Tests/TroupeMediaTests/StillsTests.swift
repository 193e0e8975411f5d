import Foundation
import Testing
@testable import TroupeMedia

@Suite struct StillsTests {
    @Test func thumbnailShowsTheFrameAtTheRequestedTime() throws {
        let dir = TempDir()
        let clip = try dir.clip(seconds: 2)
        let png = dir.path("t.png")
        try MediaStills.thumbnail(clip, at: 1.5, to: png)
        let info = try MediaProbe.probe(png)
        #expect(info.isImage && info.container == "png" && info.width == 320 && info.height == 240)
        // Read the frame number back from the PNG.
        #expect(try MediaInspector.inspect(png, readFrameNumbers: true).frameNumbers == [45])
    }

    @Test func thumbnailCanBeScaledAndJPEG() throws {
        let dir = TempDir()
        let jpg = dir.path("t.jpg")
        try MediaStills.thumbnail(try dir.clip(seconds: 1), to: jpg, width: 160)
        let info = try MediaProbe.probe(jpg)
        #expect(info.container == "jpeg" && info.width == 160 && info.height == 120)
    }

    @Test func thumbnailPastTheEndIsTheLastFrame() throws {
        let dir = TempDir()
        let png = dir.path("t.png")
        try MediaStills.thumbnail(try dir.clip(seconds: 1), at: 99, to: png)
        #expect(try MediaInspector.inspect(png, readFrameNumbers: true).frameNumbers == [29])
    }

    @Test func posterIsTheKeyframeBeforeTheTime() throws {
        let dir = TempDir()
        let clip = try dir.clip(seconds: 3)  // keyframes at frames 0, 30, 60
        let jpg = dir.path("p.jpg")
        try MediaStills.poster(clip, near: 1.5, to: jpg, width: 160)
        let info = try MediaProbe.probe(jpg)
        #expect(info.container == "jpeg" && info.width == 160 && info.height == 120)
        let png = dir.path("p.png")
        try MediaStills.poster(clip, near: 1.5, to: png, width: 320)
        #expect(try MediaInspector.inspect(png, readFrameNumbers: true).frameNumbers == [30])
        try MediaStills.poster(clip, to: png, width: 320)  // the middle: 1.5 s
        #expect(try MediaInspector.inspect(png, readFrameNumbers: true).frameNumbers == [30])
        try MediaStills.poster(clip, near: 0, to: png, width: 320)
        #expect(try MediaInspector.inspect(png, readFrameNumbers: true).frameNumbers == [0])
    }

    @Test func contactSheetIsAGrid() throws {
        let dir = TempDir()
        let sources = try (0..<5).map { try dir.clip("c\($0).mp4", seconds: 1, tone: nil, seed: $0) }
        let image = dir.path("char.png")
        try Synth.image(to: image, width: 300, height: 450)
        let sheet = dir.path("sheet.png")
        try MediaStills.contactSheet(sources + [image], to: sheet, cellWidth: 160)
        let info = try MediaProbe.probe(sheet)
        #expect(info.width == 3 * 160 + 4 * 8)
        #expect(info.height == 2 * 90 + 3 * 8)
    }
}

@Suite struct RotatedStillsTests {
    @Test func thumbnailOfAPhoneClipIsUpright() throws {
        let dir = TempDir()
        let clip = dir.path("phone.mp4")
        try Synth.video(to: clip, width: 320, height: 240, seconds: 1, gop: 30, rotation: 90)
        let png = dir.path("t.png")
        try MediaStills.thumbnail(clip, to: png)
        let info = try MediaProbe.probe(png)
        #expect(info.width == 240 && info.height == 320)
    }
}
