import Foundation
import Testing
@testable import TroupeMedia
import TroupeSupport

/// The preview puts the character on the clip's moving subject: clips with a known subject path,
/// previews read back by the ffmpeg CLI.
@Suite(.serialized) struct PreviewTrackingTests {
    /// Source frame shown in preview frame k (30 fps clips play at 15).
    static func source(_ k: Int) -> Int { 2 * k }

    /// Fraction of the frames where the character's centre is within 8 % of the frame's width
    /// of the subject's (in the clip's pixels), over the frames `counted` accepts.
    static func followed(_ decoded: DecodedFrames, _ clip: SubjectClip, counted: (Int) -> Bool = { _ in true })
        -> (fraction: Double, frames: Int) {
        var good = 0, total = 0
        for k in decoded.frames.indices where counted(source(k)) {
            total += 1
            let subject = clip.centre(source(k))
            guard let c = decoded.characterCentre(k) else { continue }
            let dx = c.x * Double(clip.width) / Double(decoded.width) - subject.x
            let dy = c.y * Double(clip.height) / Double(decoded.height) - subject.y
            if (dx * dx + dy * dy).squareRoot() <= 0.08 * Double(clip.width) { good += 1 }
        }
        return (Double(good) / Double(max(1, total)), total)
    }

    @Test func followsAShapeMovingOnAStillBackground() async throws {
        let dir = TempDir()
        let clip = SubjectClip { i in (100 + 440 * Double(i) / 119, 180 + 40 * sin(Double(i) / 12)) }
        let clipPath = dir.path("walk.mp4"), image = dir.path("char.png"), out = dir.path("p.mp4")
        try clip.write(to: clipPath)
        try CharacterPicture.write(to: image)
        let summary = try await PreviewRenderer().render(image: image, clip: clipPath, output: out, height: 720, seconds: 4,
                                                   keepSound: true)
        #expect(summary.followsSubject && summary.notice == nil)
        let decoded = try DecodedFrames(out)
        #expect(decoded.frames.count == 60)
        let result = Self.followed(decoded, clip)
        #expect(result.fraction >= 0.9, "character on the subject in \(result.fraction * 100) % of frames")
        // As tall as the subject (144 of 360 px: 40 % of the frame), give or take the feather.
        let heights = decoded.frames.indices.compactMap { decoded.characterCentre($0)?.height }
        let median = heights.sorted()[heights.count / 2]
        #expect(abs(Double(median) / Double(decoded.height) - 0.4) < 0.06, "median height \(median)")
        // No backdrop left around the figure beyond a thin edge, in any frame.
        let stray = decoded.frames.indices.map { decoded.strayBackdrop($0, margin: 2) }.reduce(0, +)
        #expect(stray == 0)
        // The clip's own sound, bit for bit, as long as the preview.
        let reference = try decodedSound(clipPath), preview = try decodedSound(out)
        #expect(preview.count == reference.count)
        #expect(preview == reference)
    }

    @Test func holdsTheSubjectWhereItStops() async throws {
        // Moves for 1.2 s, then stands for 2.8 s: longer than half the clip, so the background
        // median holds it, and where it stands shows as a still ghost while it still moves.
        let dir = TempDir()
        let clip = SubjectClip { i in (120 + 360 * min(1, Double(i) / 36), 190) }
        let clipPath = dir.path("stop.mp4"), image = dir.path("char.png"), out = dir.path("p.mp4")
        try clip.write(to: clipPath)
        try CharacterPicture.write(to: image)
        try await PreviewRenderer().render(image: image, clip: clipPath, output: out, height: 720, seconds: 4, keepSound: false)
        let result = Self.followed(try DecodedFrames(out), clip)
        #expect(result.fraction >= 0.9, "character on the subject in \(result.fraction * 100) % of frames")
    }

    @Test func leavesTheFrameWithTheSubject() async throws {
        // Walks right and is out of the picture from 2.7 s on.
        let dir = TempDir()
        let clip = SubjectClip { i in (80 + 8 * Double(i), 200) }
        let clipPath = dir.path("exit.mp4"), image = dir.path("char.png"), out = dir.path("p.mp4")
        try clip.write(to: clipPath)
        try CharacterPicture.write(to: image)
        try await PreviewRenderer().render(image: image, clip: clipPath, output: out, height: 720, seconds: 4, keepSound: false)
        let decoded = try DecodedFrames(out)
        let inside = { (i: Int) in clip.centre(i).x + Double(clip.subjectWidth) / 2 <= Double(clip.width) }
        let result = Self.followed(decoded, clip, counted: inside)
        #expect(result.frames > 30)
        #expect(result.fraction >= 0.9, "character on the subject in \(result.fraction * 100) % of frames")
        // Half a second after the subject has gone, so has the character.
        let gone = decoded.frames.indices.filter { clip.centre(Self.source($0)).x - 32 > 640 + 8 * 15 }
        #expect(gone.count >= 10)
        #expect(gone.allSatisfy { decoded.characterCentre($0) == nil })
    }

    /// A walk filmed by a panning camera (no subject to follow), and the character, in `dir`.
    static func panningClip(in dir: TempDir) throws -> (clip: String, image: String) {
        var clip = SubjectClip { i in (100 + 4 * Double(i), 180) }
        clip.pan = 6
        let clipPath = dir.path("pan.mp4"), image = dir.path("char.png")
        try clip.write(to: clipPath)
        try CharacterPicture.write(to: image)
        return (clipPath, image)
    }

    @Test func aPanningCameraCentresTheCharacterAndSaysSoOnce() async throws {
        let dir = TempDir()
        let (clipPath, image) = try Self.panningClip(in: dir)
        let first = try await PreviewRenderer().render(image: image, clip: clipPath, output: dir.path("a.mp4"), height: 720,
                                                 seconds: 3, keepSound: false)
        let second = try await PreviewRenderer().render(image: image, clip: clipPath, output: dir.path("b.mp4"), height: 720,
                                                  seconds: 3, keepSound: false)
        #expect(!first.followsSubject && first.notice?.contains("centre") == true)
        #expect(!second.followsSubject && second.notice == nil)
        let decoded = try DecodedFrames(dir.path("a.mp4"))
        let centres = decoded.frames.indices.compactMap { decoded.characterCentre($0) }
        #expect(centres.count == decoded.frames.count)
        #expect(centres.allSatisfy { abs($0.x / Double(decoded.width) - 0.5) < 0.05 && abs($0.y / Double(decoded.height) - 0.5) < 0.08 })
    }

    @Test func previewsOfOneClipAtOnceSayTheNoticeOnce() async throws {
        let dir = TempDir()
        let (clipPath, image) = try Self.panningClip(in: dir)
        let notices = try await withThrowingTaskGroup(of: String?.self) { group in
            for k in 0..<3 {
                group.addTask {
                    try await PreviewRenderer().render(image: image, clip: clipPath, output: dir.path("\(k).mp4"),
                                                       height: 720, seconds: 2, keepSound: false).notice
                }
            }
            return try await group.reduce(into: [String?]()) { $0.append($1) }
        }
        #expect(notices.compactMap { $0 }.count == 1, "\(notices)")
        #expect(fileBytes(dir.path("0.mp4")) == fileBytes(dir.path("2.mp4")))
    }

    @Test func videoOrientationMirrorsTheCharacterWhenTheSubjectTurnsBack() async throws {
        let dir = TempDir()
        // Right for 2 s, then back left.
        let clip = SubjectClip { i in (120 + 6 * Double(i <= 60 ? i : 120 - i), 180) }
        let clipPath = dir.path("turn.mp4"), image = dir.path("char.png")
        try clip.write(to: clipPath)
        try CharacterPicture.write(to: image)
        /// +1 when the white nose is right of the body's centre, −1 when left.
        func noseSides(_ orientation: Orientation) async throws -> [Int] {
            let out = dir.path("\(orientation.rawValue).mp4")
            try await PreviewRenderer().render(image: image, clip: clipPath, output: out, height: 720, seconds: 4,
                                         keepSound: false, orientation: orientation)
            let decoded = try DecodedFrames(out)
            return decoded.frames.indices.map { k in
                guard let body = decoded.characterCentre(k) else { return 0 }
                let nose = decoded.pixels(k, DecodedFrames.isWhite)
                guard !nose.isEmpty else { return 0 }
                return Double(nose.map(\.0).reduce(0, +)) / Double(nose.count) > body.x ? 1 : -1
            }
        }
        let asDrawn = try await noseSides(.image), video = try await noseSides(.video)
        #expect(asDrawn.allSatisfy { $0 == 1 })
        // Heading right: as drawn. Heading left (well after the turn at frame 30): mirrored.
        #expect(video[2..<26].allSatisfy { $0 == 1 })
        #expect(video[38..<58].allSatisfy { $0 == -1 })
    }

    @Test func aPictureWithAlphaKeepsIt() async throws {
        let dir = TempDir()
        let clip = SubjectClip { i in (150 + 3 * Double(i), 180) }
        let clipPath = dir.path("walk.mp4"), image = dir.path("char.pam"), out = dir.path("p.mp4")
        try clip.write(to: clipPath)
        try CharacterPicture.write(to: image, alpha: true)
        try await PreviewRenderer().render(image: image, clip: clipPath, output: out, height: 720, seconds: 2, keepSound: false)
        let decoded = try DecodedFrames(out)
        #expect(Self.followed(decoded, clip).fraction >= 0.9)
        #expect(decoded.frames.indices.map { decoded.strayBackdrop($0, margin: 2) }.reduce(0, +) == 0)
    }
}
