import Foundation
import Testing
import KlingSim
import TroupeNet
import TroupeTestSupport
import TroupeCache

/// `troupe run --cache s3://…` through the real binary, S3 being a real moto_server: a fresh
/// clone (manifest, lock and media, no .troupe) rebuilds every output byte for byte from the
/// shared cache without one request to the provider; a wiped .troupe renders nothing again.
@Suite(.serialized) struct SharedCacheRunTests {
    static let credentials = S3Credentials(accessKeyID: "test", secretAccessKey: "test")

    static func bucket(_ name: String, at endpoint: String) async throws {
        try await S3Store(configuration: .init(bucket: name, endpoint: endpoint), credentials: credentials, http: HTTPClient()).createBucket()
    }

    /// Every file under out/, relative path → bytes.
    static func outputs(_ dir: URL) throws -> [String: Data] {
        let out = dir.appendingPathComponent("out")
        var files: [String: Data] = [:]
        guard let walk = FileManager.default.enumerator(atPath: out.path) else { return files }
        for case let path as String in walk {
            let url = out.appendingPathComponent(path)
            guard (try? url.resourceValues(forKeys: [.isRegularFileKey]))?.isRegularFile == true, path.hasSuffix(".mp4") else { continue }
            files[path] = try Data(contentsOf: url)
        }
        return files
    }

    static func jobsDone(_ events: URL, kind: String) throws -> Int {
        try String(contentsOf: events, encoding: .utf8).split(separator: "\n")
            .filter { $0.contains("\"event\":\"job_done\"") && $0.contains("\"kind\":\"\(kind)\"") }.count
    }

    @Test func aFreshCloneRebuildsEveryOutputFromTheSharedCacheWithoutTheProvider() async throws {
        let moto = try await MotoServer.launch()
        defer { moto.terminate() }
        try await Self.bucket("troupe-test", at: moto.endpoint)
        try await Self.bucket("team-cache", at: moto.endpoint)
        var config = SimConfiguration()
        config.timeScale = 50
        config.latencyMin = 5
        config.latencyMax = 10
        config.billedSeconds = 5
        let sim = try await KlingSimServer.start(config, renderer: PreviewResultRenderer())
        defer { Task { await sim.stop() } }

        // The example project (two characters, one element, two clips, post-steps) at Kling,
        // its local media uploaded to moto, its results shared in moto.
        let p = try await offPool { try CLIProject() }
        let manifest = p.dir.appendingPathComponent("troupe.yaml")
        let text = try String(contentsOf: manifest, encoding: .utf8)
            .replacingOccurrences(of: "provider: {use: preview, model: kling-v3, mode: std}",
                                  with: "provider: {use: kling, model: kling-v3, mode: std}\nuploads: {s3: {bucket: troupe-test, endpoint: \"\(moto.endpoint)\"}}")
        try text.write(to: manifest, atomically: true, encoding: .utf8)
        let env = RemoteManifest.environment(simulator: sim.baseURL, s3: moto.endpoint)
        let cacheURL = "s3://team-cache/studio/results?endpoint=\(moto.endpoint)"
        let first = try await troupeAsync(["run", "--time-scale", "50", "--poll-interval", "1", "--cache", cacheURL], in: p.dir, environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        #expect(first.stderr.contains("shared cache s3://team-cache/studio/results/"), "\(first.stderr)")
        #expect(!first.stderr.contains("warning"), "\(first.stderr)")
        let made = try Self.outputs(p.dir)
        #expect(made.count == 7, "four renders and three outputs: \(made.keys.sorted())")
        let listed = try await troupeAsync(["cache", "ls", "--cache", cacheURL], in: p.dir, environment: env)
        #expect(listed.status == 0, "\(listed.stderr)")
        #expect(!listed.stdout.contains("test"), "no credentials printed")

        // A commit-like copy: what git holds, no .troupe, no out/.
        let clone = try await offPool { try CLIProject(folder: FileManager.default.temporaryDirectory.appendingPathComponent("troupe-clone-\(UUID())")) }
        for item in ["troupe.yaml", "troupe.lock", "media"] {
            try FileManager.default.copyItem(at: p.dir.appendingPathComponent(item), to: clone.dir.appendingPathComponent(item))
        }
        // The provider has forgotten every task.
        await sim.reset()
        let events = clone.dir.appendingPathComponent("events.ndjson")
        let second = try await troupeAsync(["run", "--locked", "--time-scale", "50", "--poll-interval", "1", "--cache", cacheURL,
                                            "--events", events.path], in: clone.dir, environment: env)
        #expect(second.status == 0, "\(second.stderr)")
        let stats = await sim.stats()
        #expect(stats.creates == 0 && stats.requests == 0 && stats.resultFetches.isEmpty, "no create, no query, no download: \(stats)")
        #expect(try Self.outputs(clone.dir) == made, "every output byte for byte")
        #expect(try Self.jobsDone(events, kind: "render") == 0 && Self.jobsDone(events, kind: "post") == 0)
        #expect(second.stderr.contains("pulled 7"), "\(second.stderr)")
        // The lock is written back as committed: a CI job's checkout stays clean.
        #expect(second.stderr.contains("(troupe.lock unchanged)"), "\(second.stderr)")
        #expect(try Data(contentsOf: clone.dir.appendingPathComponent("troupe.lock")) == Data(contentsOf: p.dir.appendingPathComponent("troupe.lock")))
    }

    @Test func aWipedStateFolderPullsInsteadOfRenderingAgain() async throws {
        let moto = try await MotoServer.launch()
        defer { moto.terminate() }
        try await Self.bucket("team-cache", at: moto.endpoint)
        let p = try await offPool { try CLIProject() }
        let env = ["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "TROUPE_CACHE_URL": "s3://team-cache/preview?endpoint=\(moto.endpoint)"]
        let first = try await troupeAsync(["run"], in: p.dir, environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        let made = try Self.outputs(p.dir)
        try FileManager.default.removeItem(at: p.dir.appendingPathComponent(".troupe"))
        try FileManager.default.removeItem(at: p.dir.appendingPathComponent("out"))

        // --only pulls what it covers: pip's two renders.
        let only = try await troupeAsync(["run", "--only", "pip/*"], in: p.dir, environment: env)
        #expect(only.status == 0 && only.stderr.contains("pulled 2 "), "\(only.stderr)")
        let events = p.dir.appendingPathComponent("events.ndjson")
        let second = try await troupeAsync(["run", "--events", events.path], in: p.dir, environment: env)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("pulled 5 "), "mochi's two renders and the three outputs: \(second.stderr)")
        #expect(try Self.jobsDone(events, kind: "render") == 0, "nothing rendered again")
        #expect(try Self.jobsDone(events, kind: "post") == 0, "nor made again")
        #expect(try Self.outputs(p.dir) == made)

        // An unusable URL is refused before anything runs, saying what to write.
        let bad = try await troupeAsync(["run", "--cache", "s3://AKIAXX:hunter2@bucket/x"], in: p.dir, environment: env)
        #expect(bad.status == 2)
        #expect(bad.stderr.contains("write s3://BUCKET/PREFIX") && !bad.stderr.contains("hunter2"), "\(bad.stderr)")
    }

    /// Operators: push what a run without --cache made, list it, pull it into a wiped clone.
    @Test func cachePushListAndPullByHand() async throws {
        let moto = try await MotoServer.launch()
        defer { moto.terminate() }
        try await Self.bucket("team-cache", at: moto.endpoint)
        let p = try await offPool { try CLIProject() }
        let env = ["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"]
        let url = "s3://team-cache/ops?endpoint=\(moto.endpoint)"
        #expect(try await troupeAsync(["run"], in: p.dir, environment: env).status == 0)
        let none = try await troupeAsync(["cache", "ls"], in: p.dir, environment: env)
        #expect(none.status == 2 && none.stderr.contains("pass --cache s3://BUCKET/PREFIX or set TROUPE_CACHE_URL"), "\(none.stderr)")

        let push = try await troupeAsync(["cache", "push", "--cache", url], in: p.dir, environment: env)
        #expect(push.status == 0, "\(push.stderr)")
        // Four renders, three outputs and the prepared (trimmed) clip.
        #expect(push.stdout.contains("pushed 8 object(s)") && push.stdout.contains("; 0 already there"), "\(push.stdout)")
        let again = try await troupeAsync(["cache", "push", "--cache", url], in: p.dir, environment: env)
        #expect(again.stdout.contains("pushed 0 object(s)") && again.stdout.contains("; 8 already there"), "\(again.stdout)")
        let listed = try await troupeAsync(["cache", "ls", "--cache", url], in: p.dir, environment: env)
        #expect(listed.status == 0 && listed.stdout.contains("8 object(s), "), "\(listed.stdout)")

        let made = try Self.outputs(p.dir)
        try FileManager.default.removeItem(at: p.dir.appendingPathComponent(".troupe"))
        try FileManager.default.removeItem(at: p.dir.appendingPathComponent("out"))
        let pull = try await troupeAsync(["cache", "pull", "--cache", url], in: p.dir, environment: env)
        #expect(pull.status == 0 && pull.stdout.contains("pulled 7 object(s)"), "the lock's renders and outputs: \(pull.stdout) \(pull.stderr)")
        let events = p.dir.appendingPathComponent("events.ndjson")
        #expect(try await troupeAsync(["run", "--locked", "--events", events.path], in: p.dir, environment: env).status == 0)
        #expect(try Self.jobsDone(events, kind: "render") == 0 && Self.jobsDone(events, kind: "post") == 0)
        #expect(try Self.outputs(p.dir) == made)
    }

    /// A push that fails (here: no such bucket) is a warning and a `warning` event; the run succeeds.
    @Test func aFailedPushIsAWarningNotAFailedJob() async throws {
        let moto = try await MotoServer.launch()
        defer { moto.terminate() }
        let p = try await offPool { try CLIProject() }
        let env = ["AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"]
        let events = p.dir.appendingPathComponent("events.ndjson")
        let run = try await troupeAsync(["run", "--cache", "s3://no-such-bucket/x?endpoint=\(moto.endpoint)", "--events", events.path],
                                        in: p.dir, environment: env)
        #expect(run.status == 0, "\(run.stderr)")
        // Said once for the eight results (four renders, three outputs, one prepared clip).
        #expect(run.stderr.components(separatedBy: "warning: could not push").count == 2, "\(run.stderr)")
        #expect(run.stderr.contains("warning: could not push 8 result(s)") && run.stderr.contains("NoSuchBucket"), "\(run.stderr)")
        #expect(run.stderr.contains("the bucket of --cache s3://BUCKET/") && run.stderr.contains("`troupe cache push` sends them later"), "\(run.stderr)")
        #expect(try String(contentsOf: events, encoding: .utf8).contains("\"event\":\"warning\""))
        #expect(!run.stderr.contains("FAILED"), "\(run.stderr)")
    }
}
