import Foundation
import KlingSim
import Testing
import TroupeManifest
import TroupeNet
import TroupeTestSupport
@testable import TroupeProviders

/// `FalRemote` against troupe-sim's fal queue on a clock the test moves: a request followed by
/// the URLs its submit returned, a lost answer found in the request list, and a result asked
/// for after fal stopped keeping it.
@Suite struct FalRemoteTests {
    static func request(_ clip: String = "m") -> RemoteRenderRequest {
        RemoteRenderRequest(externalID: "troupe-\(clip)", imageURL: "https://s3.example/b/c.png?X-Amz-Signature=1",
                            videoURL: "https://s3.example/b/\(clip).mp4?X-Amz-Signature=2",
                            settings: RenderSettings(prompt: "wave"), elementID: nil)
    }

    func withFal(_ adjust: @Sendable (inout SimConfiguration) -> Void = { _ in },
                 _ body: (KlingSimServer, FalRemote, ManualClock) async throws -> Void) async throws {
        var configuration = SimConfiguration()
        configuration.latencyMin = 30
        configuration.latencyMax = 30
        configuration.falResultRetention = 3600
        adjust(&configuration)
        let clock = ManualClock()
        try await KlingSimServer.serving(configuration, clock: clock) { sim in
            let fal = FalRemote(client: FalClient(key: "sim-fal-key", baseURL: sim.baseURL, apiURL: sim.baseURL + "/v1", http: HTTPClient()))
            try await body(sim, fal, clock)
        }
    }

    /// Polls until the request leaves `queued`/`processing` (the renderer runs beside the clock).
    static func settled(_ fal: FalRemote, _ id: String) async throws -> RemoteStatus? {
        let deadline = ContinuousClock.now + .seconds(30)
        while ContinuousClock.now < deadline {
            if let status = await fal.poll(taskIDs: [id])?[id], status.isFinished { return status }
            try await Task.sleep(for: .milliseconds(20))
        }
        return nil
    }

    @Test func aHandleIsKeptAsItsCodableFormAndReadBack() throws {
        let handle = FalQueueHandle(requestID: "r-1", statusURL: "https://q/r-1/status?a=\"b\"", responseURL: "https://q/r-1",
                                    cancelURL: "https://q/r-1/cancel")
        let text = try #require(FalRemote.encode(handle))
        #expect(text == #"{"cancelURL":"https://q/r-1/cancel","requestID":"r-1","responseURL":"https://q/r-1","statusURL":"https://q/r-1/status?a=\"b\""}"#)
        #expect(FalRemote.decode(text) == handle)
        var noCancel = handle
        noCancel.cancelURL = nil
        #expect(FalRemote.decode(try #require(FalRemote.encode(noCancel))) == noCancel)
    }

    @Test func aRequestIsFollowedToItsResultThenReportedLostOnceFalForgetsIt() async throws {
        try await withFal { _, fal, clock in
            guard case .accepted(let id, let handle?) = await fal.create(Self.request()) else {
                Issue.record("the submit was not accepted")
                return
            }
            #expect(handle.contains(id) && handle.contains("/status"))
            #expect(await fal.poll(taskIDs: [id])?[id]?.isFinished == false)
            clock.advance(by: 31)
            guard case .succeeded(let url, _, _)? = try await Self.settled(fal, id) else {
                Issue.record("the request did not succeed")
                return
            }
            #expect(url.hasPrefix("http"))
            // A new process knows only the row: the same URLs, then fal no longer keeps it.
            let later = FalRemote(client: fal.client)
            later.follow(taskID: id, handle: handle)
            clock.advance(by: 3700)
            guard case .failed(let message)? = await later.poll(taskIDs: [id])?[id] else {
                Issue.record("a forgotten request must fail as paid, result lost")
                return
            }
            #expect(message.contains("paid, result lost") && message.contains(id))
        }
    }

    @Test func aLostAnswerIsFoundByItsInputsAndAnotherIsNot() async throws {
        try await withFal({ $0.falDropSubmits = [1] }) { _, fal, clock in
            // The intent, on the simulator's clock (its request list is stamped by it).
            let since = clock.date.addingTimeInterval(-1)
            guard case .ambiguous = await fal.create(Self.request()) else {
                Issue.record("a dropped answer is ambiguous")
                return
            }
            guard case .task(let id, let status) = await fal.find(Self.request(), since: since) else {
                Issue.record("the queued request is in the list")
                return
            }
            #expect(!id.isEmpty && !status.isFinished)
            // Taken once: the same inputs again find nothing more; other inputs never match.
            let again = await fal.find(Self.request(), since: since)
            guard case .unknown = again else {
                Issue.record("a request another job follows is not taken twice: \(again), first \(id)")
                return
            }
            guard case .unknown = await fal.find(Self.request("other"), since: since) else {
                Issue.record("other inputs do not match")
                return
            }
        }
    }
}
