import Foundation
import KlingSim
import TroupeNet
import TroupeSupport
@testable import TroupeProviders

/// A simulator per test at compressed time (a 30 s task takes 0.1 s) and a client for it.
struct KlingFixture {
    static let access = "sim-access-key"
    static let secret = "sim-secret-key-\(UUID().uuidString)"

    let sim: KlingSimServer
    let http: HTTPClient
    let client: KlingClient

    static func with(_ adjust: @Sendable (inout SimConfiguration) -> Void = { _ in },
                     now: @escaping @Sendable () -> Date = { Date() },
                     secret: String = KlingFixture.secret,
                     renderer: any ResultRenderer = PlaceholderRenderer(),
                     clock: (any RunClock)? = nil,
                     _ body: (KlingFixture) async throws -> Void) async throws {
        var configuration = SimConfiguration()
        configuration.accounts = [access: Self.secret]
        configuration.timeScale = 300
        configuration.latencyMin = 30
        configuration.latencyMax = 30
        adjust(&configuration)
        try await KlingSimServer.serving(configuration, renderer: renderer, clock: clock) { sim in
            let http = HTTPClient(configuration: .init(connectTimeout: .seconds(10), timeout: .seconds(60)))
            let client = KlingClient(credentials: KlingCredentials(accessKey: access, secretKey: secret), baseURL: sim.baseURL,
                                     http: http, now: now)
            try await body(KlingFixture(sim: sim, http: http, client: client))
        }
    }

    static func request(_ external: String? = nil, prompt: String? = nil, orientation: Orientation = .image,
                        element: Int64? = nil) -> MotionControlRequest {
        MotionControlRequest(model: .klingV3, mode: .std, orientation: orientation, imageURL: "https://example.com/char.png",
                             videoURL: "https://example.com/clip.mp4", prompt: prompt, keepOriginalSound: false,
                             elementID: element, externalTaskID: external)
    }

    func waitUntilFinished(_ id: String) async throws -> KlingTask {
        let deadline = ContinuousClock.now + .seconds(10)
        while ContinuousClock.now < deadline {
            let task = try await client.motionControlTask(id: id)
            if task.status.isFinished { return task }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw KlingError.unexpectedResponse(status: 0, message: "task \(id) did not finish")
    }
}
