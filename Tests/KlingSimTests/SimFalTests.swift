import Foundation
import Testing
import TroupeNet
import TroupeProviders
import TroupeTestSupport
@testable import KlingSim

/// fal's queue in the simulator over real sockets: queue per key, cancel, retention, retries,
/// faults and billing, on a clock the tests move by hand.
@Suite struct SimFalTests {
    static let key = "sim-fal-key"

    static func request(prompt: String? = nil, tier: FalMotionControlRequest.Tier = .standard,
                        query: String = "") -> FalMotionControlRequest {
        FalMotionControlRequest(tier: tier, imageURL: "https://s3.example/i.png" + query, videoURL: "https://s3.example/v.mp4" + query,
                                characterOrientation: "image", keepOriginalSound: true, prompt: prompt)
    }

    /// A simulator whose fal requests take exactly 30 s once a runner takes them.
    static func withFal(_ adjust: @Sendable (inout SimConfiguration) -> Void = { _ in },
                        renderer: any ResultRenderer = PlaceholderRenderer(), clock: ManualClock = ManualClock(),
                        _ body: (KlingSimServer, FalClient, HTTPClient) async throws -> Void) async throws {
        var configuration = SimConfiguration()
        configuration.timeScale = 1
        configuration.latencyMin = 30
        configuration.latencyMax = 30
        adjust(&configuration)
        let http = HTTPClient()
        try await KlingSimServer.serving(configuration, renderer: renderer, clock: clock) { sim in
            try await body(sim, FalClient(key: key, baseURL: sim.baseURL, http: http), http)
        }
    }

    /// A raw call with the fal key: status, headers and the JSON object answered.
    static func call(_ http: HTTPClient, _ method: String, _ url: String, body: Data? = nil,
                     headers: HTTPHeaders = [:]) async throws -> (status: Int, headers: HTTPHeaders, json: [String: Any]) {
        var all = headers
        all["Authorization"] = "Key " + key
        if body != nil { all["Content-Type"] = "application/json" }
        let response = try await http.send(HTTPRequest(method: method, url: url, headers: all, body: body.map { .bytes($0) } ?? .none))
        return (response.status, response.headers, (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:])
    }

    static func submitURL(_ sim: KlingSimServer, _ request: FalMotionControlRequest) -> String {
        sim.baseURL + "/" + request.modelPath
    }

    /// The status once COMPLETED: the renderer runs beside the clock, so its answer may lag.
    static func completed(_ fal: FalClient, _ handle: FalQueueHandle) async throws -> FalQueueStatus {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let status = try await fal.status(handle)
            if case .completed = status { return status }
            if ContinuousClock.now > deadline { return status }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    static func stats(_ sim: KlingSimServer, _ http: HTTPClient) async throws -> [String: Any] {
        let response = try await http.send(HTTPRequest(url: sim.baseURL + "/_sim/stats"))
        return try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
    }

    @Test func requestIDsAreUUIDsAndSubmitsAnswerInQueue() async throws {
        try await Self.withFal { sim, _, http in
            let answer = try await Self.call(http, "POST", Self.submitURL(sim, Self.request()), body: Self.request().jsonBody())
            #expect(answer.status == 200)
            let id = try #require(answer.json["request_id"] as? String)
            #expect(UUID(uuidString: id) != nil && id == id.lowercased())
            #expect(answer.json["status"] as? String == "IN_QUEUE")
            #expect(answer.json["status_url"] as? String == sim.baseURL + "/fal-ai/kling-video/requests/\(id)/status")
            #expect(answer.json["cancel_url"] as? String == sim.baseURL + "/fal-ai/kling-video/requests/\(id)/cancel")
        }
    }

    @Test func queueHoldsRequestsBeyondTheConcurrencyLimit() async throws {
        let clock = ManualClock()
        try await Self.withFal({ $0.falConcurrency = 1 }, clock: clock) { sim, fal, http in
            var positions: [Int] = []
            var handles: [FalQueueHandle] = []
            for _ in 0..<3 {
                let answer = try await Self.call(http, "POST", Self.submitURL(sim, Self.request()), body: Self.request().jsonBody())
                positions.append(try #require(answer.json["queue_position"] as? Int))
                handles.append(try #require(FalQueueHandle(answer.json)))
            }
            #expect(positions == [0, 0, 1])
            #expect(try await fal.status(handles[0]) == .inProgress)
            #expect(try await fal.status(handles[1]) == .inQueue(position: 0))
            #expect(try await fal.status(handles[2]) == .inQueue(position: 1))
            // A raw status answers 202 until the request is done.
            #expect(try await Self.call(http, "GET", handles[1].statusURL).status == 202)
            clock.advance(by: 29)
            #expect(try await fal.status(handles[1]) == .inQueue(position: 0))
            clock.advance(by: 1)
            #expect(try await Self.completed(fal, handles[0]) == .completed(error: nil))
            #expect(try await fal.status(handles[1]) == .inProgress)
            #expect(try await fal.status(handles[2]) == .inQueue(position: 0))
            // The second started when the first ended, so it ends 30 s later, not 30 s after a look.
            clock.advance(by: 30)
            #expect(try await Self.completed(fal, handles[1]) == .completed(error: nil))
            #expect(try await fal.status(handles[2]) == .inProgress)
            #expect(try await Self.stats(sim, http)["fal_peak_in_progress"] as? Int == 1)
        }
    }

    @Test func completedRequestAnswersTheVideoAndIsBilledOnce() async throws {
        let renderer = ClosureRenderer { request, _ in RenderedResult(data: Data(request.videoURL.utf8), durationSeconds: 7.4) }
        let clock = ManualClock()
        try await Self.withFal(renderer: renderer, clock: clock) { sim, fal, http in
            let handle = try await fal.submit(Self.request(tier: .pro))
            #expect(try await Self.call(http, "GET", handle.responseURL).json["detail"] as? String == "Request is still in progress")
            clock.advance(by: 30)
            #expect(try await Self.completed(fal, handle) == .completed(error: nil))
            let status = try await Self.call(http, "GET", handle.statusURL)
            #expect(status.status == 200 && (status.json["metrics"] as? [String: Any])?["inference_time"] as? Double == 30)
            let video = try await fal.result(handle)
            #expect(video.fileName == "output.mp4" && video.contentType == "video/mp4")
            #expect(try await http.send(HTTPRequest(url: video.url)).body == Data("https://s3.example/v.mp4".utf8))
            _ = try await fal.result(handle)
            let stats = try await Self.stats(sim, http)
            #expect(stats["fal_dollars_charged"] as? Double == 1.176, "0.168 USD/s × 7 s")
            let listed = try #require((stats["fal_requests"] as? [[String: Any]])?.first)
            #expect(listed["request_id"] as? String == handle.requestID && listed["charged"] as? Double == 1.176)
            #expect(listed["status"] as? String == "COMPLETED" && listed["cancelled"] as? Bool == false)
            #expect(stats["creates"] as? Int == 0, "fal requests are not Kling creates")
        }
    }

    @Test func failedGenerationAnswersAnErrorOnTheResultURL() async throws {
        let clock = ManualClock()
        try await Self.withFal(clock: clock) { sim, fal, http in
            let handle = try await fal.submit(Self.request(prompt: "wave [[sim:fail]]"))
            clock.advance(by: 30)
            #expect(try await Self.completed(fal, handle) == .completed(error: "Image pixel is invalid"))
            #expect(try await Self.call(http, "GET", handle.responseURL).status == 422)
            await #expect(throws: FalError.generationFailed(requestID: handle.requestID, message: "Image pixel is invalid")) {
                _ = try await fal.result(handle)
            }
            #expect(try await Self.stats(sim, http)["fal_dollars_charged"] as? Double == 0)
        }
    }

    @Test func cancelRemovesAQueuedRequestAndIsRefusedOnceDone() async throws {
        let clock = ManualClock()
        try await Self.withFal({ $0.falConcurrency = 1 }, clock: clock) { sim, fal, http in
            let first = try await fal.submit(Self.request())
            let second = try await fal.submit(Self.request())
            let cancelURL = try #require(second.cancelURL)
            let cancelled = try await Self.call(http, "PUT", cancelURL)
            #expect(cancelled.status == 202 && cancelled.json["status"] as? String == "CANCELLATION_REQUESTED")
            #expect(try await fal.status(second) == .completed(error: "Request was cancelled"))
            let result = try await Self.call(http, "GET", second.responseURL)
            #expect(result.status == 499 && result.json["error_type"] as? String == "client_cancelled")
            let again = try await Self.call(http, "PUT", cancelURL)
            #expect(again.status == 400 && again.json["status"] as? String == "ALREADY_COMPLETED")
            clock.advance(by: 30)
            #expect(try await Self.completed(fal, first) == .completed(error: nil))
            let late = try await Self.call(http, "PUT", try #require(first.cancelURL))
            #expect(late.status == 400 && late.json["status"] as? String == "ALREADY_COMPLETED")
            let unknown = try await Self.call(http, "PUT", sim.baseURL + "/fal-ai/kling-video/requests/\(UUID())/cancel")
            #expect(unknown.status == 404 && unknown.json["status"] as? String == "NOT_FOUND")
            let stats = try await Self.stats(sim, http)
            let requests = try #require(stats["fal_requests"] as? [[String: Any]])
            #expect(requests.map { $0["cancelled"] as? Bool } == [false, true])
            #expect(requests.map { $0["charged"] as? Double } == [0.63, 0], "5 s × 0.126; the cancelled one never ran")
            #expect(requests.map { $0["attempts"] as? Int } == [1, 0])
        }
    }

    @Test func resultsAreForgottenAfterTheRetentionWindow() async throws {
        let clock = ManualClock()
        try await Self.withFal({ $0.falResultRetention = 600 }, clock: clock) { sim, fal, http in
            let handle = try await fal.submit(Self.request())
            clock.advance(by: 30)
            #expect(try await Self.completed(fal, handle) == .completed(error: nil))
            let video = try await fal.result(handle)
            clock.advance(by: 600)
            #expect(try await Self.call(http, "GET", handle.responseURL).status == 200)
            clock.advance(by: 1)
            let status = try await Self.call(http, "GET", handle.statusURL)
            let result = try await Self.call(http, "GET", handle.responseURL)
            #expect(status.status == 404 && result.status == 404)
            #expect(result.json["detail"] as? String == "Request not found")
            #expect(try await http.send(HTTPRequest(url: video.url)).status == 200, "the video file outlives the request")
        }
    }

    @Test func serverSideRetryKeepsTheRequestIDAndBillsOnce() async throws {
        let clock = ManualClock()
        try await Self.withFal({ $0.falServerRetryRate = 1; $0.falConcurrency = 1 }, clock: clock) { sim, fal, http in
            let handle = try await fal.submit(Self.request())
            let other = try await fal.submit(Self.request(prompt: "second"))
            clock.advance(by: 10)
            #expect(try await fal.status(handle) == .inProgress)
            // The runner fails halfway (15 s); fal re-queues the request, which keeps its place.
            clock.advance(by: 10)
            #expect(try await fal.status(handle) == .inProgress)
            #expect(try await fal.status(other) == .inQueue(position: 0))
            clock.advance(by: 24)
            #expect(try await fal.status(handle) == .inProgress)
            clock.advance(by: 1)
            #expect(try await Self.completed(fal, handle) == .completed(error: nil))
            _ = try await fal.result(handle)
            let stats = try await Self.stats(sim, http)
            let first = try #require((stats["fal_requests"] as? [[String: Any]])?.first)
            #expect(first["request_id"] as? String == handle.requestID && first["attempts"] as? Int == 2)
            #expect(first["charged"] as? Double == 0.63 && stats["fal_dollars_charged"] as? Double == 0.63)
            #expect(stats["fal_submissions"] as? Int == 2)
        }
    }

    @Test func noRetryHeaderEndsARunnerFailureWithAnError() async throws {
        let clock = ManualClock()
        try await Self.withFal({ $0.falServerRetryRate = 1 }, clock: clock) { sim, fal, http in
            let request = Self.request()
            let answer = try await Self.call(http, "POST", Self.submitURL(sim, request), body: request.jsonBody(),
                                             headers: ["x-fal-no-retry": "1"])
            let handle = try #require(FalQueueHandle(answer.json))
            clock.advance(by: 15)
            #expect(try await fal.status(handle) == .completed(error: "Runner disconnected"))
            let result = try await Self.call(http, "GET", handle.responseURL)
            #expect(result.status == 503 && result.headers["X-Fal-Error-Type"] == "runner_disconnected")
            let stats = try await Self.stats(sim, http)
            #expect(stats["fal_dollars_charged"] as? Double == 0)
            #expect((stats["fal_requests"] as? [[String: Any]])?.first?["attempts"] as? Int == 1)
        }
    }
}

extension FalQueueHandle {
    /// The handle a raw submit answered (the memberwise init is internal to TroupeProviders).
    init?(_ json: [String: Any]) {
        var fields: [String: Any] = [:]
        fields["requestID"] = json["request_id"]
        fields["statusURL"] = json["status_url"]
        fields["responseURL"] = json["response_url"]
        fields["cancelURL"] = json["cancel_url"]
        guard let data = try? JSONSerialization.data(withJSONObject: fields),
              let handle = try? JSONDecoder().decode(FalQueueHandle.self, from: data) else { return nil }
        self = handle
    }
}
