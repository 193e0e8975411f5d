import Foundation
import Testing
import TroupeTestSupport

/// `--fetch-remote` against a real HTTP server on loopback (Python's http.server, which
/// answers HEAD with Last-Modified): URL media without digests are downloaded once, measured,
/// and remembered; without the flag the diagnostic says what to do.
@Suite(.serialized) struct FetchRemoteTests {
    final class Server: @unchecked Sendable {
        let process: ServerProcess
        let port: Int
        let log: URL

        init(serving dir: URL) throws {
            port = try MotoServer.freePort()
            log = dir.deletingLastPathComponent().appendingPathComponent("http-\(port).log")
            _ = FileManager.default.createFile(atPath: log.path, contents: nil)
            process = try ServerProcess(["python3", "-m", "http.server", "--bind", "127.0.0.1", String(port)],
                                        in: dir, log: try FileHandle(forWritingTo: log))
        }

        func ready() async throws {
            for _ in 0..<100 {
                let s = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
                var addr = sockaddr_in()
                addr.sin_family = sa_family_t(AF_INET)
                addr.sin_port = in_port_t(UInt16(port).bigEndian)
                addr.sin_addr.s_addr = inet_addr("127.0.0.1")
                let ok = withUnsafePointer(to: &addr) { $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { connect(s, $0, socklen_t(MemoryLayout<sockaddr_in>.size)) } } == 0
                close(s)
                if ok { return }
                try await Task.sleep(for: .milliseconds(50))
            }
            Issue.record("http.server did not start")
        }

        /// GET requests the server has logged for a path.
        func gets(_ path: String) -> Int {
            (try? String(contentsOf: log, encoding: .utf8))?.components(separatedBy: "\"GET /\(path) ").count.advanced(by: -1) ?? 0
        }

        deinit { process.stop() }
    }

    @Test func urlMediaWithoutDigestsAreMeasuredOnceAndRemembered() async throws {
        let p = try CLIProject()
        let site = p.dir.appendingPathComponent("site")
        try FileManager.default.createDirectory(at: site, withIntermediateDirectories: true)
        #expect(try troupe(["media", "synth", site.appendingPathComponent("dance.mp4").path, "--seconds", "6", "--fps", "12"], in: p.dir).status == 0)
        #expect(try troupe(["media", "synth", site.appendingPathComponent("guest.png").path, "--width", "480", "--height", "640"], in: p.dir).status == 0)
        let server = try Server(serving: site)
        try await server.ready()
        let base = "http://127.0.0.1:\(server.port)"
        let manifest = p.dir.appendingPathComponent("troupe.yaml")
        let text = try String(contentsOf: manifest, encoding: .utf8)
            .replacingOccurrences(of: "  pip:   {image: media/pip.png}", with: "  pip:   {image: media/pip.png}\n  guest: {image: \"\(base)/guest.png\"}")
            .replacingOccurrences(of: "  hop:  {video: media/hop.mp4}", with: "  hop:  {video: media/hop.mp4}\n  dance: {video: \"\(base)/dance.mp4\"}")
        try text.write(to: manifest, atomically: true, encoding: .utf8)

        let without = try troupe(["validate"], in: p.dir)
        #expect(without.status == 2)
        #expect(without.stderr.contains("has no sha256") && without.stderr.contains("or plan with --fetch-remote"), "\(without.stderr)")

        let plan = try troupe(["plan", "--fetch-remote", "--json"], in: p.dir)
        #expect(plan.status == 0, "\(plan.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])
        let jobs = try #require(json["jobs"] as? [[String: Any]])
        // Priced by the downloaded clip's length: 6 s.
        #expect(jobs.first { $0["id"] as? String == "render:guest/dance" }?["seconds"] as? Int == 6)
        #expect(server.gets("dance.mp4") == 1 && server.gets("guest.png") == 1)

        // Unchanged on the server: asked (HEAD), not downloaded again.
        #expect(try troupe(["validate", "--fetch-remote"], in: p.dir).status == 0)
        #expect(server.gets("dance.mp4") == 1)
        // The run renders it from the cache, with no second download either.
        let run = try troupe(["run", "--fetch-remote", "--only", "guest/dance"], in: p.dir)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(server.gets("dance.mp4") == 1)
        #expect(FileManager.default.fileExists(atPath: p.dir.appendingPathComponent("out/renders/guest/dance.mp4").path))

        // Changed on the server (a new Last-Modified): downloaded and measured again.
        try await Task.sleep(for: .milliseconds(1100))
        #expect(try troupe(["media", "synth", site.appendingPathComponent("dance.mp4").path, "--seconds", "8", "--fps", "12"], in: p.dir).status == 0)
        let again = try troupe(["plan", "--fetch-remote", "--json"], in: p.dir)
        let jobs2 = (try JSONSerialization.jsonObject(with: Data(again.stdout.utf8)) as? [String: Any])?["jobs"] as? [[String: Any]]
        #expect(jobs2?.first { $0["id"] as? String == "render:guest/dance" }?["seconds"] as? Int == 8)
        #expect(server.gets("dance.mp4") == 2)
    }
}
