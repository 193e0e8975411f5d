import Crypto
import Foundation
import KlingSim
import Testing
@testable import TroupeNet
import TroupeSupport

/// The client against the simulator's plain-HTTP test routes, over real sockets.
@Suite struct HTTPClientTests {
    func withSim(_ body: (KlingSimServer, HTTPClient) async throws -> Void) async throws {
        let client = HTTPClient(configuration: .init(connectTimeout: .seconds(10), timeout: .seconds(60)))
        try await KlingSimServer.serving { sim in try await body(sim, client) }
    }

    func json(_ response: HTTPResponse) throws -> [String: Any] {
        try #require(try JSONSerialization.jsonObject(with: response.body) as? [String: Any])
    }

    @Test func getReturnsStatusHeadersAndBody() async throws {
        try await withSim { sim, client in
            let response = try await client.send(HTTPRequest(url: sim.baseURL + "/_sim/echo?a=1", headers: ["X-Test": "yes"]))
            #expect(response.status == 200)
            #expect(response.headers["content-type"] == "application/json")
            let echo = try json(response)
            #expect(echo["method"] as? String == "GET")
            #expect(echo["query"] as? String == "a=1")
            #expect((echo["headers"] as? [String: String])?["x-test"] == "yes")
        }
    }

    @Test(arguments: ["POST", "PUT", "PATCH", "DELETE"])
    func bodiesArriveIntact(method: String) async throws {
        try await withSim { sim, client in
            let payload = Data((0..<200_000).map { UInt8($0 % 253) })
            let response = try await client.send(HTTPRequest(method: method, url: sim.baseURL + "/_sim/echo",
                                                             headers: ["Content-Type": "application/octet-stream"],
                                                             body: .bytes(payload)))
            let echo = try json(response)
            #expect(echo["method"] as? String == method)
            #expect(echo["body_bytes"] as? Int == payload.count)
            #expect(echo["body_sha256"] as? String == SHA256.hash(data: payload).map { String(format: "%02x", $0) }.joined())
        }
    }

    /// Handles are reused: nothing of one request (method, headers, body, file) reaches the next.
    @Test func aReusedHandleStartsClean() async throws {
        try await withSim { sim, client in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("upload-\(UUID()).bin").path
            try Data(repeating: 7, count: 5000).write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            for _ in 0..<3 {
                _ = try await client.send(HTTPRequest(method: "POST", url: sim.baseURL + "/_sim/echo", headers: ["X-Once": "1"],
                                                      body: .bytes(Data("abc".utf8))))
                _ = try await client.send(HTTPRequest(method: "PUT", url: sim.baseURL + "/_sim/echo", body: .file(path: path)))
                let plain = try json(try await client.send(HTTPRequest(url: sim.baseURL + "/_sim/echo")))
                #expect(plain["method"] as? String == "GET")
                #expect(plain["body_bytes"] as? Int ?? 0 == 0)
                #expect((plain["headers"] as? [String: String])?["x-once"] == nil)
            }
        }
    }

    @Test func fileBodyStreamsFromDisk() async throws {
        try await withSim { sim, client in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("upload-\(UUID()).bin").path
            let payload = Data((0..<1_000_000).map { UInt8($0 % 256) })
            try payload.write(to: URL(fileURLWithPath: path))
            defer { try? FileManager.default.removeItem(atPath: path) }
            let response = try await client.send(HTTPRequest(method: "PUT", url: sim.baseURL + "/_sim/echo", body: .file(path: path)))
            #expect(try json(response)["body_bytes"] as? Int == payload.count)
        }
    }

    @Test func downloadHashesAndRenamesIntoPlace() async throws {
        try await withSim { sim, client in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("dl-\(UUID()).bin").path
            defer { try? FileManager.default.removeItem(atPath: path) }
            let (digest, bytes) = try await client.download(sim.baseURL + "/_sim/redirect?to=/_sim/bytes/3000000", to: path)
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(bytes == 3_000_000 && data.count == bytes)
            #expect(digest == SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined())
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: FileManager.default.temporaryDirectory.path)
                .filter { TemporaryFiles.isTemporary(name: $0) && $0.hasPrefix("." + (path as NSString).lastPathComponent) }
            #expect(leftovers.isEmpty)
        }
    }

    @Test func downloadOfAnErrorStatusThrowsAndLeavesNoFile() async throws {
        try await withSim { sim, client in
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("dl-\(UUID()).bin").path
            await #expect(throws: HTTPError.self) { _ = try await client.download(sim.baseURL + "/_sim/status/410", to: path) }
            #expect(!FileManager.default.fileExists(atPath: path))
        }
    }

    /// `toNew`: written in place under the caller's new name; gone again on failure or cancel;
    /// a name that exists is refused rather than overwritten.
    @Test func downloadToANewNameWritesInPlace() async throws {
        try await withSim { sim, client in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dl-new-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("a.bin").path
            let (digest, bytes) = try await client.download(sim.baseURL + "/_sim/bytes/300000", toNew: path)
            let data = try Data(contentsOf: URL(fileURLWithPath: path))
            #expect(bytes == 300_000 && data.count == bytes)
            #expect(digest == SHA256.hash(data: data).map { String(format: "%02x", $0) }.joined())
            await #expect(throws: HTTPError.self) { _ = try await client.download(sim.baseURL + "/_sim/bytes/10", toNew: path) }
            #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == data)
            let failed = directory.appendingPathComponent("b.bin").path
            await #expect(throws: HTTPError.self) { _ = try await client.download(sim.baseURL + "/_sim/status/410", toNew: failed) }
            let cancelled = directory.appendingPathComponent("c.bin").path
            let task = Task { try await client.download(sim.baseURL + "/_sim/delay/8000", toNew: cancelled) }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            await #expect(throws: CancellationError.self) { _ = try await task.value }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path) == ["a.bin"])
        }
    }

    @Test func refusedConnectionIsConnectFailed() async throws {
        let client = HTTPClient()
        let sim = try await KlingSimServer.start()
        let url = sim.baseURL + "/_sim/echo"
        await sim.stop()
        await #expect {
            _ = try await client.send(HTTPRequest(url: url))
        } throws: { error in
            guard case .connectFailed = error as? HTTPError else { return false }
            return (error as? HTTPError)?.neverSent == true
        }
    }

    @Test func totalTimeoutFires() async throws {
        try await withSim { sim, client in
            await #expect {
                _ = try await client.send(HTTPRequest(url: sim.baseURL + "/_sim/delay/3000", timeout: .milliseconds(200)))
            } throws: { error in
                if case .timedOut = error as? HTTPError { return true }
                return false
            }
        }
    }

    @Test func droppedConnectionIsConnectionLost() async throws {
        try await withSim { sim, client in
            await #expect {
                _ = try await client.send(HTTPRequest(url: sim.baseURL + "/_sim/drop"))
            } throws: { error in
                if case .connectionLost = error as? HTTPError { return true }
                return false
            }
        }
    }

    @Test func cancellationRemovesTheTransfer() async throws {
        try await withSim { sim, client in
            let task = Task { try await client.send(HTTPRequest(url: sim.baseURL + "/_sim/delay/8000")) }
            try await Task.sleep(for: .milliseconds(300))
            let started = ContinuousClock.now
            task.cancel()
            await #expect(throws: CancellationError.self) { _ = try await task.value }
            #expect(ContinuousClock.now - started < .seconds(3))
            // The client still works afterwards.
            #expect(try await client.send(HTTPRequest(url: sim.baseURL + "/_sim/echo")).status == 200)
        }
    }

    @Test func cancelledDownloadLeavesNoFiles() async throws {
        try await withSim { sim, client in
            let directory = FileManager.default.temporaryDirectory.appendingPathComponent("dl-cancel-\(UUID())")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            defer { try? FileManager.default.removeItem(at: directory) }
            let path = directory.appendingPathComponent("video.mp4").path
            let task = Task { try await client.download(sim.baseURL + "/_sim/delay/8000", to: path) }
            try await Task.sleep(for: .milliseconds(300))
            task.cancel()
            await #expect(throws: CancellationError.self) { _ = try await task.value }
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.path).isEmpty)
        }
    }

    @Test func hundredsInFlightAtOnce() async throws {
        try await withSim { sim, client in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<400 {
                    // A generous timeout: the test is about concurrency, and a loaded CI machine is slow.
                    group.addTask {
                        try await client.send(HTTPRequest(url: sim.baseURL + "/_sim/delay/200", timeout: .seconds(120))).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.count == 400 && statuses.allSatisfy { $0 == 200 })
        }
    }

    @Test func clientDeinitFailsNothingAfterwards() async throws {
        try await withSim { sim, _ in
            for _ in 0..<20 {
                let client = HTTPClient()
                let status = try await client.send(HTTPRequest(url: sim.baseURL + "/_sim/echo")).status
                #expect(status == 200)
            }
        }
    }
}
