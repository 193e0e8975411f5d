import Foundation
import Testing
import TroupeNet
import TroupeProviders
import TroupeTestSupport
@testable import KlingSim

/// fal's submit faults, the stats that count submits per input, the platform listing and the
/// configuration keys.
@Suite struct SimFalFaultTests {
    typealias T = SimFalTests

    static func list(_ sim: KlingSimServer, _ http: HTTPClient, _ query: String) async throws -> [String: Any] {
        let answer = try await T.call(http, "GET", sim.baseURL + "/v1/models/requests/by-endpoint?" + query)
        #expect(answer.status == 200)
        return answer.json
    }

    static let standard = "endpoint_id=fal-ai/kling-video/v3/standard/motion-control"

    @Test func droppedAnswerStillQueuesAndTheListingFindsIt() async throws {
        let clock = ManualClock()
        try await T.withFal({ $0.falDropSubmits = [1] }, clock: clock) { sim, fal, http in
            // A client of its own: its first request opens a fresh connection, which curl does not replay.
            let lonely = FalClient(key: T.key, baseURL: sim.baseURL, http: HTTPClient())
            await #expect {
                _ = try await lonely.submit(T.request(prompt: "lost"))
            } throws: { error in
                if case .transport = error as? FalError { return true }
                return false
            }
            let stats = try await T.stats(sim, http)
            #expect(stats["fal_submissions"] as? Int == 1)
            let listing = try await Self.list(sim, http, Self.standard + "&expand=payloads")
            let item = try #require((listing["items"] as? [[String: Any]])?.first)
            #expect((item["json_input"] as? [String: Any])?["prompt"] as? String == "lost")
            #expect((item["json_input"] as? [String: Any])?["keep_original_sound"] as? Bool == true)
            #expect(item["ended_at"] is NSNull && item["status_code"] is NSNull && item["json_output"] is NSNull)
            #expect(item["started_at"] as? String == "2023-11-14T22:13:20.000Z", "ManualClock's origin")
            let id = try #require(item["request_id"] as? String)
            #expect((stats["fal_requests"] as? [[String: Any]])?.first?["request_id"] as? String == id)
            // The recovered id is followed like any other; the second submit's answer arrives.
            clock.advance(by: 30)
            let status = sim.baseURL + "/fal-ai/kling-video/requests/\(id)/status"
            var answer = try await T.call(http, "GET", status)
            for _ in 0..<500 where answer.json["status"] as? String != "COMPLETED" {
                try await Task.sleep(for: .milliseconds(20))
                answer = try await T.call(http, "GET", status)
            }
            #expect(answer.status == 200)
            _ = try await fal.submit(T.request())
            let ended = try await Self.list(sim, http, Self.standard + "&status=success&expand=payloads")
            let done = try #require((ended["items"] as? [[String: Any]])?.first)
            #expect(done["request_id"] as? String == id && done["status_code"] as? Int == 200)
            #expect(done["duration"] as? Double == 30 && done["ended_at"] as? String == "2023-11-14T22:13:50.000Z")
            #expect(((done["json_output"] as? [String: Any])?["video"] as? [String: Any])?["url"] is String)
        }
    }

    @Test func unavailableSubmitQueuesNothing() async throws {
        try await T.withFal({ $0.falUnavailableRate = 1 }) { sim, fal, http in
            await #expect {
                _ = try await fal.submit(T.request())
            } throws: { error in
                guard case .unavailable(503, _) = error as? FalError else { return false }
                return true
            }
            let stats = try await T.stats(sim, http)
            let listing = try await Self.list(sim, http, Self.standard)
            #expect(stats["fal_submissions"] as? Int == 0)
            #expect((listing["items"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func submitRateLimitAnswers429WithRetryAfter() async throws {
        let clock = ManualClock()
        try await T.withFal({ $0.falRateLimit = 0.5; $0.falRateBurst = 2 }, clock: clock) { sim, fal, http in
            _ = try await fal.submit(T.request())
            _ = try await fal.submit(T.request())
            let refused = try await T.call(http, "POST", T.submitURL(sim, T.request()), body: T.request().jsonBody())
            #expect(refused.status == 429 && refused.headers["Retry-After"] == "2")
            #expect(try await T.stats(sim, http)["fal_submissions"] as? Int == 2)
            clock.advance(by: 2)
            _ = try await fal.submit(T.request())
            #expect(try await T.stats(sim, http)["fal_submissions"] as? Int == 3)
        }
    }

    @Test func slowSubmitAnswersLateAfterQueueing() async throws {
        try await T.withFal({ $0.falSlowSubmitSeconds = 1.5 }) { sim, _, http in
            var request = HTTPRequest.json("POST", T.submitURL(sim, T.request()), body: T.request().jsonBody(),
                                           headers: ["Authorization": "Key " + T.key])
            request.timeout = .milliseconds(300)
            await #expect(throws: HTTPError.self) { _ = try await HTTPClient().send(request) }
            let stats = try await T.stats(sim, http)
            #expect(stats["fal_submissions"] as? Int == 1)
        }
    }

    @Test func submissionsByInputIgnorePresignedQueryStrings() async throws {
        try await T.withFal { sim, fal, http in
            let first = T.request(query: "?X-Amz-Signature=aaa&X-Amz-Date=1")
            _ = try await fal.submit(first)
            _ = try await fal.submit(T.request(query: "?X-Amz-Signature=bbb&X-Amz-Date=2"))
            _ = try await fal.submit(T.request(prompt: "other"))
            let key = try #require(SimFalInputKey.make(tier: "standard", body: first.jsonBody()))
            #expect(key.count == 16 && key == SimState.falInputKey(tier: "standard", body: T.request().jsonBody()))
            let stats = try await T.stats(sim, http)
            let counts = try #require(stats["fal_submissions_by_input"] as? [String: Int])
            #expect(counts[key] == 2 && counts.count == 2)
            #expect((stats["fal_requests"] as? [[String: Any]])?.map { $0["input_key"] as? String }.prefix(2) == [key, key])
            #expect(SimFalInputKey.make(tier: "pro", body: first.jsonBody()) != key)
        }
    }

    @Test func listingPagesNewestFirstWithACursor() async throws {
        try await T.withFal({ $0.falConcurrency = 1 }) { sim, fal, http in
            var ids: [String] = []
            for i in 0..<5 { ids.append(try await fal.submit(T.request(prompt: "p\(i)")).requestID) }
            _ = try await fal.submit(T.request(tier: .pro))
            var seen: [String] = []
            var cursors: [String] = []
            var query = Self.standard + "&limit=2"
            while true {
                let page = try await Self.list(sim, http, query)
                let items = try #require(page["items"] as? [[String: Any]])
                seen += items.compactMap { $0["request_id"] as? String }
                #expect(items.allSatisfy { $0["json_input"] == nil }, "payloads only with expand=payloads")
                guard page["has_more"] as? Bool == true, let next = page["next_cursor"] as? String else {
                    #expect(page["next_cursor"] is NSNull)
                    break
                }
                cursors.append(next)
                query = Self.standard + "&limit=2&cursor=" + next
            }
            #expect(cursors == ["Mg==", "Mw=="])
            #expect(seen == ids.reversed(), "newest first; the pro request is another endpoint")
            let one = try await Self.list(sim, http, Self.standard + "&request_id=" + ids[2])
            #expect((one["items"] as? [[String: Any]])?.map { $0["request_id"] as? String } == [ids[2]])
            let both = try await Self.list(sim, http, Self.standard + ",fal-ai/kling-video/v3/pro/motion-control")
            #expect((both["items"] as? [Any])?.count == 6)
            let future = try await Self.list(sim, http, Self.standard + "&start=2100-01-01")
            #expect((future["items"] as? [Any])?.isEmpty == true)
            #expect(try await T.call(http, "GET", sim.baseURL + "/v1/models/requests/by-endpoint?limit=2").status == 422)
            #expect(try await T.call(http, "GET", sim.baseURL + "/v1/models/requests/by-endpoint?" + Self.standard + "&limit=101")
                .status == 422)
        }
    }

    @Test func configurationDecodesTheFalKeys() throws {
        let json = #"""
        {"fal_concurrency": 2, "fal_rate_limit": 3.5, "fal_rate_burst": 4, "fal_result_retention": 60,
         "fal_server_retry_rate": 0.25, "fal_drop_rate": 0.1, "fal_drop_submits": [1, 3], "fal_unavailable_rate": 0.2,
         "fal_slow_submit_seconds": 2, "fal_price_per_second": {"standard": 0.1, "pro": 0.2}}
        """#
        let config = try SimConfiguration.decode(json: Data(json.utf8))
        #expect(config.falConcurrency == 2 && config.falRateLimit == 3.5 && config.falRateBurst == 4)
        #expect(config.falResultRetention == 60 && config.falServerRetryRate == 0.25 && config.falDropRate == 0.1)
        #expect(config.falDropSubmits == [1, 3] && config.falUnavailableRate == 0.2 && config.falSlowSubmitSeconds == 2)
        #expect(config.falPricePerSecond == ["standard": 0.1, "pro": 0.2])
        let defaults = try SimConfiguration.decode(json: Data("{}".utf8))
        #expect(defaults.falConcurrency == 10 && defaults.falRateLimit == nil && defaults.falResultRetention == 30 * 86_400)
        #expect(defaults.falPricePerSecond == ["standard": 0.126, "pro": 0.168])
    }

    @Test func executableReadsTheFalKeysFromItsConfigFile() async throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("sim-fal-\(UUID()).json")
        try Data(#"{"fal_concurrency": 1, "latency_min": 1000, "latency_max": 1000}"#.utf8).write(to: config)
        defer { try? FileManager.default.removeItem(at: config) }
        let process = Process()
        process.executableURL = try TroupeSimExecutableTests.binary()
        process.arguments = ["--config", config.path, "--placeholder-results"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let url = String(decoding: line, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            .replacingOccurrences(of: "troupe-sim listening on ", with: "")
        let fal = FalClient(key: T.key, baseURL: url, http: HTTPClient())
        _ = try await fal.submit(T.request())
        #expect(try await fal.status(try await fal.submit(T.request())) == .inQueue(position: 0))
    }
}
