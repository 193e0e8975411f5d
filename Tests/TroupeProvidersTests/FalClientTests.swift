import Foundation
import KlingSim
import Testing
import TroupeNet
@testable import TroupeProviders

/// The fal client against the simulator's fake queue.
@Suite struct FalClientTests {
    func withFal(_ adjust: @Sendable (inout SimConfiguration) -> Void = { _ in }, key: String = "sim-fal-key",
                 _ body: (KlingSimServer, FalClient, HTTPClient) async throws -> Void) async throws {
        var configuration = SimConfiguration()
        configuration.timeScale = 300
        configuration.latencyMin = 30
        configuration.latencyMax = 30
        adjust(&configuration)
        let http = HTTPClient()
        try await KlingSimServer.serving(configuration) { sim in
            try await body(sim, FalClient(key: key, baseURL: sim.baseURL, http: http), http)
        }
    }

    static let request = FalMotionControlRequest(tier: .pro, imageURL: "https://example.com/c.png",
                                                 videoURL: "https://example.com/m.mp4", characterOrientation: "video",
                                                 keepOriginalSound: false, prompt: "wave")

    @Test func bodyUsesBooleanSound() {
        #expect(String(decoding: Self.request.jsonBody(), as: UTF8.self)
            == #"{"character_orientation":"video","image_url":"https://example.com/c.png","keep_original_sound":false,"prompt":"wave","video_url":"https://example.com/m.mp4"}"#)
        #expect(Self.request.modelPath == "fal-ai/kling-video/v3/pro/motion-control")
    }

    @Test func submitFollowsReturnedURLsToTheVideo() async throws {
        try await withFal { sim, fal, http in
            let handle = try await fal.submit(Self.request)
            #expect(handle.statusURL.hasPrefix(sim.baseURL))
            let first = try await fal.status(handle)
            #expect(first == .inQueue(position: 0) || first == .inProgress || first == .completed(error: nil))
            let video = try await fal.run(Self.request, pollInterval: .milliseconds(20), deadline: .seconds(10))
            #expect(video.contentType == "video/mp4" && (video.fileSize ?? 0) > 0)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("fal-\(UUID()).mp4").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let (_, bytes) = try await http.download(video.url, to: path)
            #expect(bytes == video.fileSize)
        }
    }

    @Test func wrongKeyIsUnauthorized() async throws {
        try await withFal(key: "nope") { _, fal, _ in
            await #expect {
                _ = try await fal.submit(Self.request)
            } throws: { error in
                guard case .unauthorized = error as? FalError else { return false }
                return "\(error)".contains("FAL_KEY") && !"\(error)".contains("nope")
            }
        }
    }

    @Test func failedGenerationSurfacesTheMessage() async throws {
        try await withFal({ $0.failedTaskRate = 1; $0.failureMessage = "face not detected" }) { _, fal, _ in
            await #expect(throws: FalError.self) {
                _ = try await fal.run(Self.request, pollInterval: .milliseconds(20), deadline: .seconds(10))
            }
            let handle = try await fal.submit(Self.request)
            try await Task.sleep(for: .milliseconds(200))
            #expect(try await fal.status(handle) == .completed(error: "face not detected"))
            await #expect(throws: FalError.generationFailed(requestID: handle.requestID, message: "face not detected")) {
                _ = try await fal.result(handle)
            }
        }
    }

    @Test func invalidInputIsRejected() async throws {
        try await withFal { _, fal, _ in
            var request = Self.request
            request.characterOrientation = "sideways"
            await #expect {
                _ = try await fal.submit(request)
            } throws: { error in
                guard case .rejected(422, let message) = error as? FalError else { return false }
                return message.contains("character_orientation")
            }
        }
    }
}
