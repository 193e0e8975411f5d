import Foundation
import Testing
import TroupeNet
import TroupeProviders
import TroupeTestSupport
@testable import KlingSim

/// The simulator over real sockets: lifecycle, stats, reset, time compression, determinism, renderers.
@Suite struct SimServerTests {
    static let credentials = KlingCredentials(accessKey: "sim-access-key", secretKey: "sim-secret-key")

    /// A simulator on a clock the test moves (`clock.advance`): a task's 30 s latency passes
    /// exactly when the test says, however busy the machine is.
    func withSim(_ adjust: @Sendable (inout SimConfiguration) -> Void = { _ in }, renderer: any ResultRenderer = PlaceholderRenderer(),
                 clock: ManualClock = ManualClock(),
                 _ body: (KlingSimServer, KlingClient, HTTPClient) async throws -> Void) async throws {
        var configuration = SimConfiguration()
        configuration.timeScale = 1
        configuration.latencyMin = 30
        configuration.latencyMax = 30
        adjust(&configuration)
        let http = HTTPClient()
        try await KlingSimServer.serving(configuration, renderer: renderer, clock: clock) { sim in
            try await body(sim, KlingClient(credentials: Self.credentials, baseURL: sim.baseURL, http: http), http)
        }
    }

    static func request(_ id: String, prompt: String? = nil) -> MotionControlRequest {
        MotionControlRequest(model: .klingV3, mode: .std, orientation: .image, imageURL: "https://e/i.png",
                             videoURL: "https://e/v.mp4", prompt: prompt, externalTaskID: id)
    }

    @Test func startsOnARandomPortAndStops() async throws {
        let sim = try await KlingSimServer.start()
        #expect(sim.port > 0)
        #expect(sim.baseURL == "http://127.0.0.1:\(sim.port)")
        await sim.stop()
        await #expect(throws: HTTPError.self) { _ = try await HTTPClient().send(HTTPRequest(url: sim.baseURL + "/_sim/stats")) }
    }

    /// A finished task's status once the renderer has delivered (it runs beside the clock).
    static func settled(_ client: KlingClient, _ id: String) async throws -> KlingTask {
        let deadline = ContinuousClock.now + .seconds(60)
        while true {
            let task = try await client.motionControlTask(id: id)
            if task.status == .succeed || task.status == .failed || ContinuousClock.now > deadline { return task }
            try await Task.sleep(for: .milliseconds(20))
        }
    }

    @Test func tasksMoveThroughTheirStatesOnTheSimulatorsClock() async throws {
        // 30 s of latency: submitted for the first sixth (submittedFraction), then processing.
        let clock = ManualClock()
        try await withSim(clock: clock) { _, client, _ in
            let created = try await client.createMotionControl(Self.request("t"))
            #expect(created.status == .submitted)
            clock.advance(by: 4)
            #expect(try await client.motionControlTask(id: "t").status == .submitted)
            clock.advance(by: 2)
            #expect(try await client.motionControlTask(id: "t").status == .processing)
            clock.advance(by: 23)
            #expect(try await client.motionControlTask(id: "t").status == .processing)
            clock.advance(by: 1)
            #expect(try await Self.settled(client, "t").status == .succeed)
        }
    }

    @Test func resultURLsExpireOnTheSimulatorsClock() async throws {
        let clock = ManualClock()
        try await withSim({ $0.urlExpiry = 600 }, clock: clock) { _, client, http in
            _ = try await client.createMotionControl(Self.request("x"))
            clock.advance(by: 30)
            let url = try #require(try await Self.settled(client, "x").videos.first?.url)
            clock.advance(by: 599)
            #expect(try await http.send(HTTPRequest(url: url)).status == 200)
            clock.advance(by: 2)
            #expect(try await http.send(HTTPRequest(url: url)).status == 410)
        }
    }

    @Test func statsEndpointReportsAndResetClears() async throws {
        try await withSim({ $0.timeScale = 1 }) { sim, client, http in
            _ = try await client.createMotionControl(Self.request("a"))
            _ = try await client.createMotionControl(Self.request("b"))
            let response = try await http.send(HTTPRequest(url: sim.baseURL + "/_sim/stats"))
            let json = try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
            #expect(json["creates"] as? Int == 2)
            #expect(json["creates_by_external_id"] as? [String: Int] == ["a": 1, "b": 1])
            #expect(json["peak_concurrency"] as? Int == 2)
            #expect(json["units_charged"] as? Double == 0)
            #expect((json["tasks"] as? [String: Int])?["submitted"] == 2)
            let reset = try await http.send(HTTPRequest(method: "POST", url: sim.baseURL + "/_sim/reset"))
            #expect(reset.status == 200)
            #expect(await sim.stats().creates == 0)
            await #expect(throws: KlingError.self) { _ = try await client.motionControlTask(id: "a") }
        }
    }

    @Test func faultsAreDeterministicForASeed() async throws {
        func statuses() async throws -> [String] {
            var result: [String] = []
            let clock = ManualClock()
            try await withSim({ $0.failedTaskRate = 0.5; $0.seed = 42; $0.concurrencyLimit = 100 }, clock: clock) { _, client, _ in
                for i in 0..<12 { _ = try await client.createMotionControl(Self.request("d\(i)")) }
                clock.advance(by: 30)
                for i in 0..<12 { result.append("\(try await Self.settled(client, "d\(i)").status)") }
            }
            return result
        }
        let first = try await statuses(), second = try await statuses()
        #expect(first == second)
        #expect(first.contains("failed") && first.contains("succeed"))
    }

    @Test func rendererDurationSetsTheBill() async throws {
        let renderer = ClosureRenderer { request, _ in RenderedResult(data: Data(request.videoURL.utf8), durationSeconds: 7.4) }
        let clock = ManualClock()
        try await withSim(renderer: renderer, clock: clock) { sim, client, _ in
            _ = try await client.createMotionControl(Self.request("r"))
            clock.advance(by: 30)
            let task = try await Self.settled(client, "r")
            #expect(task.unitsDeducted == 6.3, "0.9 units/s × 7 s")
            #expect(task.videos.first?.duration == 7)
            #expect(await sim.stats().unitsCharged == 6.3)
        }
    }

    @Test func rendererMayReturnAFile() async throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("render-\(UUID()).mp4").path
        try Data("rendered file".utf8).write(to: URL(fileURLWithPath: path))
        defer { try? FileManager.default.removeItem(atPath: path) }
        let clock = ManualClock()
        try await withSim(renderer: ClosureRenderer { _, seconds in RenderedResult(path: path, durationSeconds: seconds) }, clock: clock) { _, client, http in
            _ = try await client.createMotionControl(Self.request("file"))
            clock.advance(by: 30)
            let url = try #require(try await Self.settled(client, "file").videos.first?.url)
            let response = try await http.send(HTTPRequest(url: url))
            #expect(String(decoding: response.body, as: UTF8.self) == "rendered file")
        }
    }

    @Test func failingRendererFailsTheTask() async throws {
        struct Boom: Error {}
        let clock = ManualClock()
        try await withSim(renderer: ClosureRenderer { _, _ in throw Boom() }, clock: clock) { _, client, _ in
            _ = try await client.createMotionControl(Self.request("boom"))
            clock.advance(by: 30)
            let task = try await Self.settled(client, "boom")
            #expect(task.status == .failed && task.statusMessage.contains("render failed"))
        }
    }

    @Test func promptMarkerFailsOneTask() async throws {
        let clock = ManualClock()
        try await withSim(clock: clock) { _, client, _ in
            _ = try await client.createMotionControl(Self.request("m", prompt: "wave [[sim:fail]]"))
            clock.advance(by: 30)
            #expect(try await Self.settled(client, "m").failure == .taskFailed(taskID: try await client.motionControlTask(id: "m").taskID,
                                                                                        message: "Image pixel is invalid"))
        }
    }

    @Test(arguments: [true, false])
    func callbacksArriveOnEachStatusChange(wrapped: Bool) async throws {
        let clock = ManualClock()
        try await withSim({ $0.callbackWrapped = wrapped }, clock: clock) { sim, client, http in
            var request = Self.request("cb")
            request.callbackURL = sim.baseURL + "/_sim/callbacks"
            let created = try await client.createMotionControl(request)
            let deadline = ContinuousClock.now + .seconds(30)
            var bodies: [Any] = []
            clock.advance(by: 6)
            while ContinuousClock.now < deadline {
                try await Task.sleep(for: .milliseconds(20))
                if bodies.count == 1 { clock.advance(by: 24) }
                let response = try await http.send(HTTPRequest(url: sim.baseURL + "/_sim/callbacks"))
                bodies = try #require(try JSONSerialization.jsonObject(with: response.body) as? [Any])
                if bodies.count >= 2 { break }
            }
            let tasks = try bodies.map { try KlingTask.fromCallback(JSONSerialization.data(withJSONObject: $0)) }
            #expect(tasks.map(\.status) == [.processing, .succeed])
            #expect(tasks.allSatisfy { $0.taskID == created.taskID && $0.externalTaskID == "cb" })
            #expect(tasks.last?.videos.count == 1)
            #expect(bodies.allSatisfy { (($0 as? [String: Any])?["data"] != nil) == wrapped })
        }
    }

    @Test func droppedQueriesCloseTheConnection() async throws {
        try await withSim({ $0.dropRate = 1 }) { _, client, _ in
            await #expect {
                _ = try await client.listMotionControl()
            } throws: { error in
                if case .transport(.connectionLost) = error as? KlingError { return true }
                if case .transport(.transport) = error as? KlingError { return true }
                return false
            }
        }
    }
}

/// The thin executable prints its address and stops on SIGINT. It is the one built with these
/// tests, found beside them (any configuration, any scratch path); a missing binary fails the
/// tests rather than skipping them.
@Suite struct TroupeSimExecutableTests {
    /// Where the build put its products: the folder of the running test bundle.
    static var candidates: [URL] {
        let runner = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        var folders = [runner.deletingLastPathComponent(), Bundle.main.bundleURL.deletingLastPathComponent()]
        // macOS runs the tests from inside troupePackageTests.xctest/Contents/MacOS.
        if let bundle = Bundle.allBundles.first(where: { $0.bundlePath.hasSuffix(".xctest") }) {
            folders.append(bundle.bundleURL.deletingLastPathComponent())
        }
        return folders.map { $0.appendingPathComponent("troupe-sim") }
    }

    static func binary() throws -> URL {
        let found = candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
        return try #require(found, "troupe-sim is not built beside the tests (looked for \(candidates.map(\.path))); build everything with `swift build --build-tests` first")
    }

    @Test func printsListeningLine() async throws {
        let process = Process()
        process.executableURL = try Self.binary()
        process.arguments = ["--port", "0", "--time-scale", "10", "--concurrency", "3"]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        defer { if process.isRunning { process.terminate() } }
        var line = Data()
        while !line.contains(UInt8(ascii: "\n")) {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            line.append(chunk)
        }
        let text = String(decoding: line, as: UTF8.self)
        #expect(text.hasPrefix("troupe-sim listening on http://127.0.0.1:"))
        let url = text.trimmingCharacters(in: .whitespacesAndNewlines).replacingOccurrences(of: "troupe-sim listening on ", with: "")
        #expect(try await HTTPClient().send(HTTPRequest(url: url + "/_sim/stats")).status == 200)
        kill(process.processIdentifier, SIGINT)
        process.waitUntilExit()
        #expect(!process.isRunning)
    }

    @Test func readsAJSONConfigFile() async throws {
        let config = FileManager.default.temporaryDirectory.appendingPathComponent("sim-\(UUID()).json")
        try Data(#"{"accounts": {"cfg-ak": "cfg-sk"}, "concurrency_limit": 1, "time_scale": 1}"#.utf8).write(to: config)
        defer { try? FileManager.default.removeItem(at: config) }
        let process = Process()
        process.executableURL = try Self.binary()
        process.arguments = ["--config", config.path]
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
        let client = KlingClient(credentials: .init(accessKey: "cfg-ak", secretKey: "cfg-sk"), baseURL: url, http: HTTPClient())
        _ = try await client.createMotionControl(SimServerTests.request("one"))
        await #expect(throws: KlingError.concurrencyLimit(retryAfter: nil)) {
            _ = try await client.createMotionControl(SimServerTests.request("two"))
        }
    }
}
