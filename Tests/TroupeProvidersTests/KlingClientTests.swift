import Foundation
import KlingSim
import Testing
import TroupeTestSupport
import TroupeNet
@testable import TroupeProviders

@Suite struct KlingClientTests {
    /// Reference token computed independently (Python hmac) for this clock and these keys.
    @Test func jwtMatchesAKnownToken() {
        let token = KlingCredentials(accessKey: "AKtest", secretKey: "SKsecret").token(now: Date(timeIntervalSince1970: 1_700_000_000))
        #expect(token == "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJpc3MiOiJBS3Rlc3QiLCJleHAiOjE3MDAwMDE4MDAsIm5iZiI6MTY5OTk5OTk5NX0"
            + ".D5xF2plEBvPYuuCC1xfraIZAzn-wTaaCcfXCq3x2sOk")
    }

    @Test func baseURLByRegionOrEnvironment() {
        #expect(KlingRegion.baseURL(for: .singapore, environment: [:]) == "https://api-singapore.klingai.com")
        #expect(KlingRegion.baseURL(for: .beijing, environment: [:]) == "https://api-beijing.klingai.com")
        #expect(KlingRegion.baseURL(for: .global, environment: [:]) == "https://api.klingai.com")
        #expect(KlingRegion.baseURL(for: .beijing, environment: ["KLING_BASE_URL": "http://127.0.0.1:9/"]) == "http://127.0.0.1:9")
    }

    @Test func requestBodyIsExactlyAsDocumented() {
        var request = KlingFixture.request("troupe-0123", prompt: "dance", orientation: .video, element: 9_007_199_254_740_993)
        request.watermark = false
        request.callbackURL = "https://hooks.example.com/kling"
        let body = String(decoding: request.jsonBody(), as: UTF8.self)
        #expect(body == #"{"callback_url":"https://hooks.example.com/kling","character_orientation":"video","#
            + #""element_list":[{"element_id":9007199254740993}],"external_task_id":"troupe-0123","#
            + #""image_url":"https://example.com/char.png","keep_original_sound":"no","mode":"std","model_name":"kling-v3","#
            + #""prompt":"dance","video_url":"https://example.com/clip.mp4","watermark_info":{"enabled":false}}"#)
    }

    @Test func createQueryDownloadAndBill() async throws {
        try await KlingFixture.with { f in
            let created = try await f.client.createMotionControl(KlingFixture.request("troupe-a"))
            #expect(created.taskID.count == 18)
            #expect(created.status == .submitted)
            #expect(created.externalTaskID == "troupe-a")
            let done = try await f.waitUntilFinished(created.taskID)
            #expect(done.status == .succeed)
            #expect(done.unitsDeducted == 4.5, "kling-v3 std is 0.9 units/s × 5 s")
            let video = try #require(done.videos.first)
            #expect(video.duration == 5)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("result-\(UUID()).mp4").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let (_, bytes) = try await f.http.download(video.url, to: path)
            #expect(bytes > 0)
            #expect(try String(contentsOfFile: path, encoding: .utf8).contains("troupe-sim placeholder"))
            let stats = await f.sim.stats()
            #expect(stats.creates == 1 && stats.unitsCharged == 4.5 && stats.tasks["succeed"] == 1)
        }
    }

    @Test func queryByExternalIDAndNotFound() async throws {
        try await KlingFixture.with { f in
            let created = try await f.client.createMotionControl(KlingFixture.request("troupe-ext"))
            let byExternal = try await f.client.motionControlTask(id: "troupe-ext")
            #expect(byExternal.taskID == created.taskID)
            #expect(try await f.client.lookup(externalTaskID: "troupe-ext")?.taskID == created.taskID)
            #expect(try await f.client.lookup(externalTaskID: "troupe-missing") == nil)
            await #expect(throws: KlingError.notFound(message: "task not found: troupe-missing")) {
                _ = try await f.client.motionControlTask(id: "troupe-missing")
            }
        }
    }

    @Test func duplicateExternalIDIsRejected() async throws {
        try await KlingFixture.with { f in
            _ = try await f.client.createMotionControl(KlingFixture.request("troupe-dup"))
            await #expect {
                _ = try await f.client.createMotionControl(KlingFixture.request("troupe-dup"))
            } throws: { error in
                guard case .invalidRequest(1201, let message) = error as? KlingError else { return false }
                return message.contains("already exists")
            }
            let stats = await f.sim.stats()
            #expect(stats.creates == 1 && stats.createsByExternalID["troupe-dup"] == 2 && stats.duplicateRejections == 1)
        }
    }

    @Test(arguments: [
        ("wrong secret", 1002),
        ("expired", 1004),
        ("not yet valid", 1003),
        ("unknown key", 1000),
    ])
    func authenticationErrors(kind: String, code: Int) async throws {
        let offset: TimeInterval = kind == "expired" ? -3600 : kind == "not yet valid" ? 3600 : 0
        try await KlingFixture.with(now: { Date().addingTimeInterval(offset) },
                                    secret: kind == "wrong secret" ? "not-the-secret" : KlingFixture.secret) { f in
            var client = f.client
            if kind == "unknown key" {
                client = KlingClient(credentials: .init(accessKey: "someone-else", secretKey: KlingFixture.secret),
                                     baseURL: f.sim.baseURL, http: f.http)
            }
            do {
                _ = try await client.listMotionControl()
                Issue.record("expected an authentication error")
            } catch let error as KlingError {
                guard case .authentication(let got, _) = error else { Issue.record("got \(error)"); return }
                #expect(got == code)
                #expect(error.stopsRun && !error.isRetryable)
                #expect("\(error)".contains("KLING_ACCESS_KEY"))
                #expect(!"\(error)".contains(KlingFixture.secret))
            }
        }
    }

    @Test func missingAuthorizationHeaderIs1001() async throws {
        try await KlingFixture.with { f in
            let response = try await f.http.send(HTTPRequest(url: f.sim.baseURL + "/v1/videos/motion-control/1"))
            #expect(response.status == 401)
            let json = try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
            #expect(json["code"] as? Int == 1001)
        }
    }

    @Test func concurrencyLimitIs1303WithRetryAfter() async throws {
        // Real time (30 s tasks): the two tasks must still hold their slots at the third create,
        // even when a loaded machine makes the creates slow.
        try await KlingFixture.with({ $0.concurrencyLimit = 2; $0.retryAfterSeconds = 2; $0.timeScale = 1 }) { f in
            _ = try await f.client.createMotionControl(KlingFixture.request("c1"))
            _ = try await f.client.createMotionControl(KlingFixture.request("c2"))
            await #expect(throws: KlingError.concurrencyLimit(retryAfter: .seconds(2))) {
                _ = try await f.client.createMotionControl(KlingFixture.request("c3"))
            }
            let stats = await f.sim.stats()
            #expect(stats.peakConcurrency == 2 && stats.rejections["1303"] == 1)
        }
    }

    /// With one slot, a create after the first task finished is accepted: the slot was freed
    /// (a slot still held would answer 1303, which `concurrencyLimitIs1303WithRetryAfter` shows).
    @Test func slotsFreeWhenTasksFinish() async throws {
        try await KlingFixture.with({ $0.concurrencyLimit = 1 }) { f in
            let first = try await f.client.createMotionControl(KlingFixture.request("s1"))
            #expect(try await f.waitUntilFinished(first.taskID).status == .succeed)
            let second = try await f.client.createMotionControl(KlingFixture.request("s2"))
            #expect(second.externalTaskID == "s2" && !second.status.isFinished)
            let stats = await f.sim.stats()
            #expect(stats.creates == 2 && stats.peakConcurrency == 1 && stats.rejections["1303"] == nil)
        }
    }

    @Test func rateLimitIs1302() async throws {
        // One token per 100 s: the third call is refused however slow the machine is.
        try await KlingFixture.with({ $0.rateLimit = 0.01; $0.rateBurst = 2 }) { f in
            _ = try await f.client.listMotionControl()
            _ = try await f.client.listMotionControl()
            do {
                _ = try await f.client.listMotionControl()
                Issue.record("expected 1302")
            } catch let error as KlingError {
                #expect(error == .rateLimited(retryAfter: nil))
                #expect(error.isRetryable && !error.stopsRun)
            }
        }
    }

    @Test func lookupDuringAnOutageThrowsRatherThanSayingNotFound() async throws {
        try await KlingFixture.with({ $0.serverErrorRate = 1 }) { f in
            await #expect(throws: KlingError.self) { _ = try await f.client.lookup(externalTaskID: "troupe-x") }
        }
    }

    @Test func serverErrorsAreRetryable() async throws {
        try await KlingFixture.with({ $0.serverErrorRate = 1 }) { f in
            do {
                _ = try await f.client.createMotionControl(KlingFixture.request("e1"))
                Issue.record("expected a server error")
            } catch let error as KlingError {
                guard case .server(let status, let code, _) = error else { Issue.record("got \(error)"); return }
                #expect(status >= 500 && (5000...5002).contains(code))
                #expect(error.isRetryable)
            }
            #expect(await f.sim.stats().creates == 0, "a 5xx create did not take effect")
        }
    }

    @Test func failedTaskCarriesTaskStatusMessage() async throws {
        try await KlingFixture.with({ $0.failedTaskRate = 1 }) { f in
            let created = try await f.client.createMotionControl(KlingFixture.request("f1"))
            let done = try await f.waitUntilFinished(created.taskID)
            #expect(done.status == .failed)
            #expect(done.failure == .taskFailed(taskID: created.taskID, message: "Image pixel is invalid"))
            #expect(done.videos.isEmpty)
            #expect(await f.sim.stats().unitsCharged == 0, "failed tasks are not charged")
        }
    }

    @Test func resultURLsExpire() async throws {
        // On the simulator's clock, moved by hand: the URL lives 600 s from the task's end.
        let clock = ManualClock()
        try await KlingFixture.with({ $0.urlExpiry = 600; $0.timeScale = 1 }, clock: clock) { f in
            let created = try await f.client.createMotionControl(KlingFixture.request("x1"))
            clock.advance(by: 30)
            let done = try await f.waitUntilFinished(created.taskID)
            let url = try #require(done.videos.first?.url)
            let fresh = FileManager.default.temporaryDirectory.appendingPathComponent("fresh-\(UUID()).mp4").path
            defer { try? FileManager.default.removeItem(atPath: fresh) }
            clock.advance(by: 599)
            _ = try await f.http.download(url, to: fresh)
            clock.advance(by: 2)
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("expired-\(UUID()).mp4").path
            await #expect(throws: HTTPError.badStatus(410, body: #"{"error":"result URL has expired"}"#)) {
                _ = try await f.http.download(url, to: path)
            }
            await #expect(throws: HTTPError.self) {
                _ = try await f.http.download(url.replacingOccurrences(of: "expires=", with: "expires=9"), to: path)
            }
        }
    }

    @Test func droppedCreateIsAmbiguousThenAdoptable() async throws {
        try await KlingFixture.with({ $0.dropRate = 1 }) { f in
            do {
                _ = try await f.client.createMotionControl(KlingFixture.request("troupe-drop"))
                Issue.record("expected a dropped connection")
            } catch let error as KlingError {
                guard case .transport(let http) = error else { Issue.record("got \(error)"); return }
                #expect(!http.neverSent, "the create may have happened")
            }
            await f.sim.configure { $0.dropRate = 0 }
            let adopted = try await f.client.motionControlTask(id: "troupe-drop")
            #expect(adopted.externalTaskID == "troupe-drop")
            #expect(await f.sim.stats().creates == 1)
        }
    }

    @Test func elementsThenRenderWithElement() async throws {
        try await KlingFixture.with { f in
            let created = try await f.client.createElement(ElementRequest(name: "mascot", description: "our mascot",
                                                                          reference: .video(url: "https://example.com/ref.mp4"),
                                                                          externalTaskID: "troupe-el"))
            var element = created
            let deadline = ContinuousClock.now + .seconds(5)
            while !element.status.isFinished && ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                element = try await f.client.elementTask(id: "troupe-el")
            }
            let elementID = try #require(element.elementID)
            let task = try await f.client.createMotionControl(KlingFixture.request("with-el", orientation: .video, element: elementID))
            #expect(try await f.waitUntilFinished(task.taskID).status == .succeed)
            await #expect(throws: KlingError.self) {
                _ = try await f.client.createElement(ElementRequest(name: String(repeating: "n", count: 21), reference: .video(url: "https://e/x.mp4")))
            }
        }
    }

    @Test func elementWithImageOrientationIsRejected() async throws {
        try await KlingFixture.with { f in
            await #expect {
                _ = try await f.client.createMotionControl(KlingFixture.request("bad-el", orientation: .image, element: 7))
            } throws: { error in
                guard case .invalidRequest(1201, let message) = error as? KlingError else { return false }
                return message.contains("character_orientation video")
            }
            await #expect {
                _ = try await f.client.createMotionControl(KlingFixture.request("long", prompt: String(repeating: "p", count: 2501)))
            } throws: { error in
                if case .invalidRequest(1201, _) = error as? KlingError { return true }
                return false
            }
        }
    }

    @Test func listPagesAndLimits() async throws {
        try await KlingFixture.with { f in
            for i in 0..<3 { _ = try await f.client.createMotionControl(KlingFixture.request("l\(i)")) }
            let page = try await f.client.listMotionControl(page: 1, pageSize: 2)
            #expect(page.count == 2)
            let all = try await f.client.listMotionControl(page: 1, pageSize: 500)
            #expect(Set(all.compactMap(\.externalTaskID)) == ["l0", "l1", "l2"])
            await #expect(throws: KlingError.self) { _ = try await f.client.listMotionControl(page: 1, pageSize: 501) }
        }
    }

    @Test func secretsNeverAppearInDescriptions() async throws {
        let credentials = KlingCredentials(accessKey: "AK-visible", secretKey: "SK-hidden-123")
        #expect(!"\(credentials)".contains("SK-hidden-123"))
        #expect(!"\(credentials)".contains("AK-visible"))
        let token = credentials.token()
        let client = KlingClient(credentials: credentials, baseURL: "http://127.0.0.1:1", http: HTTPClient())
        #expect(!"\(client)".contains("SK-hidden"))
        do {
            _ = try await client.listMotionControl()
        } catch {
            #expect(!"\(error)".contains("SK-hidden-123"))
            #expect(!"\(error)".contains(token))
            #expect(!String(reflecting: error).contains(token))
        }
    }

    @Test func keysFromEnvironment() throws {
        let credentials = try KlingCredentials.fromEnvironment(["KLING_ACCESS_KEY": "a", "KLING_SECRET_KEY": "s"])
        #expect(credentials.accessKey == "a")
        let client = try KlingClient.fromEnvironment(region: .beijing, http: HTTPClient(),
                                                     environment: ["KLING_ACCESS_KEY": "a", "KLING_SECRET_KEY": "s"])
        #expect(client.baseURL == "https://api-beijing.klingai.com")
        #expect(throws: KlingError.self) { try KlingCredentials.fromEnvironment([:]) }
    }

    /// libcurl resends a request whose reused connection breaks (curl/curl#18417); for a create
    /// that would be a second task and a second payment. The connection drops after the
    /// simulator made the task: the create must arrive once and fail as "may have happened".
    @Test func aCreateIsNeverSentTwiceWhenItsConnectionDrops() async throws {
        try await KlingFixture.with { f in
            _ = try await f.client.listMotionControl()  // leaves a keep-alive connection to reuse
            await f.sim.configure { $0.dropRate = 1 }
            for i in 0..<5 {
                await #expect(throws: KlingError.self) { try await f.client.createMotionControl(KlingFixture.request("drop-\(i)")) }
            }
            let stats = await f.sim.stats()
            for i in 0..<5 { #expect(stats.createsByExternalID["drop-\(i)"] == 1) }
            #expect(stats.duplicateRejections == 0)
        }
    }
}
