import Foundation
import Testing
import TroupeSupport
@testable import TroupeMedia

@Suite struct ConformTests {
    @Test(arguments: [
        ((320, 240), (452, 340)), ((4096, 2160), (3850, 2030)), ((1920, 1080), (1920, 1080)), ((200, 800), (340, 1360)),
    ])
    func sizesLandInsideKlingsLimits(pair: ((Int, Int), (Int, Int))) {
        let size = KlingLimits.conformedSize(width: pair.0.0, height: pair.0.1)
        #expect(size.width == pair.1.0 && size.height == pair.1.1)
    }

    @Test func smallClipIsScaledUp() throws {
        let dir = TempDir()
        let out = dir.path("c.mp4")
        #expect(try MediaEditor.conform(try dir.clip(seconds: 3), to: out) == .reencode)
        let info = try MediaProbe.probe(out)
        #expect(info.width == 452 && info.height == 340)
        #expect(abs(info.durationSeconds - 3) < 0.05)
        #expect(info.klingClipViolations(orientation: .image).isEmpty)
    }

    @Test func conformantClipIsRemuxed() throws {
        let dir = TempDir()
        let clip = try dir.clip(width: 480, height: 360, seconds: 3)
        let out = dir.path("c.mp4")
        #expect(try MediaEditor.conform(clip, to: out) == .streamCopy)
        #expect(try MediaInspector.inspect(out, readFrameNumbers: true).frameNumbers == Array(0..<90))
    }
}
