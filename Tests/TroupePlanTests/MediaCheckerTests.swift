import Foundation
import Testing
import TroupeManifest
import TroupeMedia
@testable import TroupePlan

@Suite struct MediaCheckerTests {
    func project(clipSeconds: Double, imageWidth: Int = 480, orientation: String = "video") throws -> TempDir {
        let dir = TempDir()
        try FileManager.default.createDirectory(atPath: dir.path + "/media", withIntermediateDirectories: true)
        try Synth.image(to: dir.path + "/media/a.png", width: imageWidth, height: 640)
        try Synth.video(to: dir.path + "/media/c.mp4", width: 480, height: 360, fps: 12, seconds: clipSeconds, tone: nil)
        dir.write("troupe.yaml", """
        troupe: 1
        name: media
        defaults: {orientation: \(orientation)}
        characters:
          a: {image: media/a.png}
        clips:
          c: {video: media/c.mp4}
        renders: [{characters: ["*"], clips: ["*"]}]
        """)
        return dir
    }

    func check(_ dir: TempDir, _ checker: MediaChecker) throws -> [Diagnostic] {
        let loaded = ManifestLoader().load(path: dir.path + "/troupe.yaml")
        return checker.check(try #require(loaded.manifest), matrix: loaded.matrix)
    }

    @Test func goodMediaPassesAndIsProbedOnce() throws {
        let dir = try project(clipSeconds: 4)
        let first = MediaChecker(stateDirectory: dir.path + "/.troupe")
        #expect(try check(dir, first).isEmpty)
        #expect(first.probedFiles == 2)
        let second = MediaChecker(stateDirectory: dir.path + "/.troupe")
        #expect(try check(dir, second).isEmpty)
        #expect(second.probedFiles == 0)
        #expect(try second.probeDuration(dir.path + "/media/c.mp4") > 3.9)
    }

    @Test func clipTooLongForImageOrientationIsReportedAtTheClip() throws {
        let dir = try project(clipSeconds: 12, orientation: "image")
        let d = try check(dir, MediaChecker())
        #expect(d.map(\.code) == ["clip-limits"])
        #expect(d.first?.line == 7)
        #expect(d.first?.hint?.contains("orientation: video") == true)
    }

    @Test func smallImageIsReported() throws {
        let dir = try project(clipSeconds: 4, imageWidth: 200)
        let d = try check(dir, MediaChecker())
        // 200 px is too narrow, and 200×640 is taller than 1:2.5.
        #expect(d.map(\.code) == ["image-limits", "image-limits"])
        #expect(d.allSatisfy { $0.line == 5 })
    }

    @Test func brokenFileIsAClearErrorNotACrash() throws {
        let dir = try project(clipSeconds: 4)
        dir.write("media/c.mp4", "not a video")
        let d = try check(dir, MediaChecker())
        #expect(d.map(\.code) == ["bad-media"])
        #expect(d.first?.message.contains("c.mp4") == true)
    }
}
