import Foundation
import Testing
import KlingSim
import TroupePlan
import TroupeState
import TroupeTestSupport

/// `troupe run` on fal (the binary `TROUPE_BINARY` names, a release build in the crash trials
/// of scripts/test.sh) against troupe-sim's fal queue with faults on, killed at random moments:
/// no input is submitted twice except a render that was in doubt and sent again with
/// `--retry-in-doubt`; every render in doubt is listed by `status`; after the retry every
/// render ends; the dollars in the lock are what fal charged, less what was paid twice.
@Suite(.serialized) struct FalCrashTrialTests {
    @Test func fortyEightRendersSurviveFifteenKillsAtMostOnce() async throws {
        var config = SimConfiguration()
        config.timeScale = 50
        config.latencyMin = 40
        config.latencyMax = 80
        config.falConcurrency = 6
        config.falUnavailableRate = 0.1
        config.falDropRate = 0.05
        config.falServerRetryRate = 0.05
        config.failedTaskRate = 0.05
        config.billedSeconds = 5
        let sim = try await KlingSimServer.start(config)
        defer { Task { await sim.stop() } }
        let manifest = RemoteManifest.text(characters: 6, clips: 8, concurrency: 6, rate: "20/s")
            .replacingOccurrences(of: "{use: kling,", with: "{use: fal,")
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-falcrash-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try manifest.write(to: dir.appendingPathComponent("troupe.yaml"), atomically: true, encoding: .utf8)
        let base = ["FAL_KEY": "sim-fal-key", "FAL_BASE_URL": sim.baseURL, "FAL_API_URL": sim.baseURL + "/v1"]
        // Every other run cannot read fal's request list: its lost answers stay in doubt.
        let listDown = base.merging(["FAL_API_URL": "http://127.0.0.1:9/v1"]) { $1 }
        func launch(_ env: [String: String], _ extra: [String] = []) throws -> Process {
            let p = Process()
            p.executableURL = trialBinary
            p.arguments = ["run", "--time-scale", "50", "--poll-interval", "1"] + extra
            p.currentDirectoryURL = dir
            p.environment = ProcessInfo.processInfo.environment.merging(env) { $1 }
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }

        let kills = try await killAtRandomMoments("fal crash trial", kills: 15, spreadMs: 600) { killed in
            try launch(killed % 2 == 0 ? base : listDown)
        }
        #expect(kills >= 15, "the campaign finished before 15 kills; make it longer")
        let submittedBeforeRetry = await sim.stats().falSubmissionsByInput

        // A plain run to the end: nothing in doubt is sent again.
        let plain = try await troupeAsync(["run", "--time-scale", "50", "--poll-interval", "1"], in: dir, environment: listDown)
        #expect(plain.status == 0 || plain.status == 1, "\(plain.stderr)")
        let stateDB = dir.appendingPathComponent(".troupe/state.sqlite").path
        let doubtful = try StateStore(path: stateDB).records().filter { $0.state == .inDoubt }
        let afterPlain = await sim.stats()
        #expect(afterPlain.falSubmissionsByInput.values.allSatisfy { $0 == 1 }, "nothing was submitted twice: \(afterPlain.falSubmissionsByInput)")
        let status = try await troupeAsync(["status"], in: dir)
        for r in doubtful { #expect(status.stdout.contains("in doubt: \(r.id)"), "\(status.stdout)") }
        print("fal crash trial: \(kills) kills, \(doubtful.count) in doubt, \(afterPlain.falSubmissions) submissions before the retry; "
              + "\(submittedBeforeRetry.count) inputs submitted while killing")

        // The user sends the doubts again.
        let retry = try await troupeAsync(["run", "--time-scale", "50", "--poll-interval", "1", "--retry-in-doubt"], in: dir, environment: base)
        #expect(retry.status == 0 || retry.status == 1, "\(retry.stderr)")
        let records = try StateStore(path: stateDB).records().filter { $0.kind == .render }
        #expect(records.count == 48)
        #expect(records.allSatisfy { $0.state == .fetched || $0.state == .failed }, "every render ended: \(records.map(\.state))")
        let stats = await sim.stats()
        let twice = stats.falSubmissionsByInput.filter { $0.value > 1 }
        #expect(twice.count <= doubtful.count && twice.values.allSatisfy { $0 == 2 }, "only renders in doubt were sent twice: \(twice)")
        #expect(stats.falSubmissionsByInput.count == 48)

        // What fal charged is the lock's dollars plus what renders in doubt paid a second time.
        let lock = try #require(try Lockfile.read(dir.appendingPathComponent("troupe.lock").path))
        var paidTwice = 0.0
        for (key, _) in twice {
            let charges = stats.falRequests.filter { $0.inputKey == key }.map(\.charged)
            paidTwice += charges.reduce(0, +) - (charges.max() ?? 0)
        }
        #expect(abs(lock.unitsCharged + paidTwice - stats.falDollarsCharged) < 1e-6,
                "lock \(lock.unitsCharged) + paid twice \(paidTwice) vs charged \(stats.falDollarsCharged)")
    }
}
