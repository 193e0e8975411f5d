import Foundation
import Testing
import KlingSim
import TroupePlan
import TroupeState
import TroupeTestSupport

/// `troupe run --provider fal` through the real binary against troupe-sim's fal queue: the
/// demo campaign end to end, a lost submit answer found again in fal's request list, and a
/// doubt that stays until the user sends the job again.
@Suite(.serialized) struct FalRunTests {
    static let run = ["run", "--time-scale", "50", "--poll-interval", "1"]

    struct Project {
        let sim: KlingSimServer
        let moto: MotoServer
        let p: CLIProject
        var env: [String: String]

        static func start(_ configure: (inout SimConfiguration) -> Void = { _ in }) async throws -> Project {
            let moto = try await MotoServer.launch()
            try await SharedCacheRunTests.bucket("troupe-test", at: moto.endpoint)
            var config = SimConfiguration()
            config.timeScale = 50
            config.latencyMin = 5
            config.latencyMax = 10
            configure(&config)
            let sim = try await KlingSimServer.start(config, renderer: PreviewResultRenderer())
            // The demo campaign, its local media uploaded to moto for fal to fetch.
            let p = try await offPool { try CLIProject() }
            let manifest = p.dir.appendingPathComponent("troupe.yaml")
            let text = try String(contentsOf: manifest, encoding: .utf8)
                .replacingOccurrences(of: "provider: {use: preview, model: kling-v3, mode: std}",
                                      with: "provider: {use: fal, model: kling-v3, mode: std, concurrency: 3}\nuploads: {s3: {bucket: troupe-test, endpoint: \"\(moto.endpoint)\"}}")
            try text.write(to: manifest, atomically: true, encoding: .utf8)
            let env = ["FAL_KEY": "sim-fal-key", "FAL_BASE_URL": sim.baseURL, "FAL_API_URL": sim.baseURL + "/v1",
                       "AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"]
            return Project(sim: sim, moto: moto, p: p, env: env)
        }

        func close() {
            moto.terminate()
            let sim = sim
            Task { await sim.stop() }
        }

        var lock: Lockfile? { get throws { try Lockfile.read(p.dir.appendingPathComponent("troupe.lock").path) } }
        func records() throws -> [JobRecord] {
            try StateStore(path: p.dir.appendingPathComponent(".troupe/state.sqlite").path).records()
        }
    }

    @Test func theDemoCampaignRendersOnFal() async throws {
        let f = try await Project.start()
        defer { f.close() }
        let first = try await troupeAsync(Self.run, in: f.p.dir, environment: f.env)
        #expect(first.status == 0, "\(first.stderr)")
        // fal's endpoint takes no element: said, not sent.
        #expect(first.stderr.contains("fal-no-element") || first.stderr.contains("takes no element"), "\(first.stderr)")
        let stats = await f.sim.stats()
        #expect(stats.falSubmissions == 4, "four renders, no element job: \(stats.falSubmissionsByInput)")
        #expect(stats.falSubmissionsByInput.values.allSatisfy { $0 == 1 })
        let lock = try #require(try f.lock)
        #expect(lock.renders.count == 4)
        let dollars = lock.renders.values.reduce(0) { $0 + ($1.units ?? 0) }
        #expect(abs(dollars - stats.falDollarsCharged) < 1e-6 && dollars > 0, "lock \(dollars) vs charged \(stats.falDollarsCharged)")
        for name in ["mochi-reel", "pip-reel", "showreel"] {
            #expect(FileManager.default.fileExists(atPath: f.p.dir.appendingPathComponent("out/\(name).mp4").path), "\(name)")
        }
        let plan = try await troupeAsync(["plan"], in: f.p.dir, environment: f.env)
        #expect(plan.stdout.contains("prices in USD"), "\(plan.stdout)")

        let second = try await troupeAsync(Self.run, in: f.p.dir, environment: f.env)
        #expect(second.status == 0 && second.stderr.contains("nothing to do"), "\(second.stderr)")
        #expect(await f.sim.stats().falSubmissions == 4)
    }

    @Test func aLostAnswerIsFoundInFalsRequestListNotSentAgain() async throws {
        // The second submit is queued (and will be billed) but its answer never comes back.
        let f = try await Project.start { $0.falDropSubmits = [2] }
        defer { f.close() }
        let r = try await troupeAsync(Self.run, in: f.p.dir, environment: f.env)
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("found request"), "the adoption is said: \(r.stderr)")
        let stats = await f.sim.stats()
        #expect(stats.falSubmissions == 4 && stats.falSubmissionsByInput.values.allSatisfy { $0 == 1 }, "\(stats.falSubmissionsByInput)")
        let dollars = try #require(try f.lock).renders.values.reduce(0) { $0 + ($1.units ?? 0) }
        #expect(abs(dollars - stats.falDollarsCharged) < 1e-6)
    }

    @Test func aDoubtStaysUntilTheUserSendsItAgain() async throws {
        // fal's request list cannot be read (its platform API is down): a lost answer stays in doubt.
        var f = try await Project.start { $0.falDropSubmits = [1] }
        defer { f.close() }
        f.env["FAL_API_URL"] = "http://127.0.0.1:9/v1"
        let first = try await troupeAsync(Self.run, in: f.p.dir, environment: f.env)
        #expect(first.status == 1, "\(first.stderr)")
        #expect(first.stderr.contains("in doubt") && first.stderr.contains("--retry-in-doubt") && first.stderr.contains("USD"), "\(first.stderr)")
        #expect(await f.sim.stats().falSubmissions == 4)
        let doubtful = try f.records().filter { $0.state == .inDoubt }
        #expect(doubtful.count == 1)

        // A plain run looks again and sends nothing.
        let again = try await troupeAsync(Self.run, in: f.p.dir, environment: f.env)
        #expect(again.status == 1 && again.stderr.contains("in doubt"), "\(again.stderr)")
        #expect(await f.sim.stats().falSubmissions == 4)

        let status = try await troupeAsync(["status"], in: f.p.dir, environment: f.env)
        #expect(status.stdout.contains("in doubt: \(doubtful[0].id)"), "\(status.stdout)\(status.stderr)")
        let plan = try await troupeAsync(["plan", "--json"], in: f.p.dir, environment: f.env)
        let totals = try #require(try JSONSerialization.jsonObject(with: Data(plan.stdout.utf8)) as? [String: Any])["totals"] as? [String: Any]
        let inDoubt = (totals?["by_status"] as? [String: Any])?["in_doubt"] as? [String: Any]
        #expect(inDoubt?["jobs"] as? Int == 1, "\(plan.stdout.prefix(800))")
        let report = try await troupeAsync(["report"], in: f.p.dir, environment: f.env)
        #expect(report.status == 0, "\(report.stderr)")
        let page = try String(contentsOf: f.p.dir.appendingPathComponent("out/report/index.html"), encoding: .utf8)
        #expect(page.contains("in doubt"))

        // The user decides: sent again, after being told what may be paid twice.
        let retry = try await troupeAsync(Self.run + ["--retry-in-doubt"], in: f.p.dir, environment: f.env)
        #expect(retry.status == 0, "\(retry.stderr)")
        #expect(retry.stderr.contains("paid twice"), "\(retry.stderr)")
        let stats = await f.sim.stats()
        #expect(stats.falSubmissions == 5 && stats.falSubmissionsByInput.values.filter { $0 == 2 }.count == 1, "\(stats.falSubmissionsByInput)")
        #expect(try f.records().allSatisfy { $0.state != .inDoubt })
    }
}
