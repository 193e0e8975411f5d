import Testing
@testable import TroupeMedia

@Suite struct KlingLimitsTests {
    func image(_ w: Int, _ h: Int, bytes: Int = 1000, ext: String = "png") -> MediaInfo {
        MediaInfo(container: ext == "png" ? "png" : "jpeg", fileExtension: ext, durationSeconds: 0, width: w, height: h,
                  rotation: 0, fps: 0, videoCodec: "png", audioCodec: nil, hasAudio: false, audioSampleRate: nil,
                  audioChannels: nil, frameCount: 1, sizeBytes: bytes, isImage: true)
    }

    func clip(_ w: Int, _ h: Int, seconds: Double, bytes: Int = 1000, ext: String = "mp4") -> MediaInfo {
        MediaInfo(container: ext == "mov" ? "mov" : "mp4", fileExtension: ext, durationSeconds: seconds, width: w,
                  height: h, rotation: 0, fps: 30, videoCodec: "h264", audioCodec: nil, hasAudio: false,
                  audioSampleRate: nil, audioChannels: nil, frameCount: 0, sizeBytes: bytes, isImage: false)
    }

    @Test func imageBoundsAreInclusive() {
        #expect(image(300, 300).klingViolations(orientation: .image).isEmpty)
        #expect(image(750, 300).klingViolations(orientation: .image).isEmpty, "2.5:1 exactly")
        #expect(image(300, 750, bytes: 10_000_000, ext: "jpeg").klingViolations(orientation: .video).isEmpty)
        #expect(image(299, 600).klingImageViolations().count == 1)
        #expect(image(751, 300).klingImageViolations().count == 1)
        #expect(image(400, 400, bytes: 10_000_001).klingImageViolations().count == 1)
        #expect(image(400, 400, ext: "gif").klingImageViolations().count == 1)
    }

    @Test func clipBoundsAreInclusive() {
        #expect(clip(340, 3850, seconds: 3).klingViolations(orientation: .image).isEmpty)
        #expect(clip(1920, 1080, seconds: 10, bytes: 100_000_000, ext: "mov").klingViolations(orientation: .image).isEmpty)
        #expect(clip(1920, 1080, seconds: 30).klingViolations(orientation: .video).isEmpty)
        #expect(clip(339, 500, seconds: 5).klingViolations(orientation: .video).count == 1)
        #expect(clip(3851, 500, seconds: 5).klingViolations(orientation: .video).count == 1)
        #expect(clip(1920, 1080, seconds: 10.5).klingViolations(orientation: .image).count == 1)
        #expect(clip(1920, 1080, seconds: 30.5).klingViolations(orientation: .video).count == 1)
        #expect(clip(1920, 1080, seconds: 2.9).klingViolations(orientation: .video).count == 1)
        #expect(clip(1920, 1080, seconds: 5, bytes: 100_000_001).klingViolations(orientation: .video).count == 1)
        #expect(clip(1920, 1080, seconds: 5, ext: "webm").klingViolations(orientation: .video).count == 1)
    }

    @Test func trimDecidesTheDuration() {
        let long = clip(1920, 1080, seconds: 34.2)
        #expect(long.klingViolations(orientation: .image).first?.contains("34.2 s") == true)
        #expect(long.klingViolations(orientation: .image, trim: 1...6.5).isEmpty)
        #expect(long.klingViolations(orientation: .image, trim: 1...3.5).count == 1)
        #expect(long.klingViolations(orientation: .video, trim: 30...40).count == 1, "trim beyond the clip")
    }

    @Test func elementReferenceIsThreeToEightSeconds() {
        #expect(clip(1080, 1920, seconds: 3).klingElementViolations().isEmpty)
        #expect(clip(1080, 1920, seconds: 8).klingElementViolations().isEmpty)
        #expect(clip(1080, 1920, seconds: 8.5).klingElementViolations().count == 1)
    }

    @Test func probedInfoRoundTripsThroughJSON() throws {
        let dir = TempDir()
        let info = try MediaProbe.probe(try dir.clip(seconds: 3))
        let data = try JSONEncoder().encode(info)
        #expect(try JSONDecoder().decode(MediaInfo.self, from: data) == info)
    }
}

import Foundation
