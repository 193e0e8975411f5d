import Foundation
import KlingSim
import Testing
import TroupeMedia
import TroupeNet
@testable import TroupeProviders

/// The simulator renders real results with the preview renderer from the inputs it fetches,
/// and bills the reference clip's length as Kling does.
@Suite struct PreviewResultTests {
    @Test func simulatorRendersAndBillsTheFetchedClip() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("sim-preview-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try Synth.image(to: dir + "/char.png", width: 320, height: 480)
        try Synth.video(to: dir + "/clip.mp4", width: 480, height: 360, fps: 12, seconds: 4.4)

        try await KlingFixture.with(renderer: PreviewResultRenderer(directory: dir + "/sim")) { f in
            for name in ["char.png", "clip.mp4"] {
                var put = HTTPRequest(method: "PUT", url: f.sim.baseURL + "/_sim/media/" + name)
                put.body = .file(path: dir + "/" + name)
                #expect(try await f.http.send(put).status == 201)
            }
            var request = KlingFixture.request("troupe-preview", orientation: .video)
            request.imageURL = f.sim.baseURL + "/_sim/media/char.png"
            request.videoURL = f.sim.baseURL + "/_sim/media/clip.mp4"
            request.keepOriginalSound = true
            let created = try await f.client.createMotionControl(request)
            let done = try await f.waitUntilFinished(created.taskID)
            #expect(done.status == .succeed, "\(done.statusMessage)")
            #expect(done.unitsDeducted == 3.6, "4.4 s bills as 4 s × 0.9")
            let video = try #require(done.videos.first)
            let (_, bytes) = try await f.http.download(video.url, to: dir + "/result.mp4")
            #expect(bytes > 1000)
            let info = try MediaProbe.probe(dir + "/result.mp4")
            #expect(info.height == 720 && abs(info.durationSeconds - 4) < 0.2 && info.hasAudio)
        }
    }
}
