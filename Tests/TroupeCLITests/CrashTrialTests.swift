import Foundation
import Testing
import KlingSim
import TroupePlan
import TroupeRun
import TroupeTestSupport
import TroupeState

/// `troupe run` (the real binary) against an in-process troupe-sim with faults on, killed
/// and interrupted at random moments; what the simulator saw must show every render paid
/// for exactly once.
@Suite(.serialized) struct CrashTrialTests {
    static let timeScale = "50"

    struct Campaign {
        let dir: URL
        let env: [String: String]

        init(_ manifest: String, sim: KlingSimServer) throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-crash-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
            try manifest.write(to: dir.appendingPathComponent("troupe.yaml"), atomically: true, encoding: .utf8)
            env = ProcessInfo.processInfo.environment.merging(RemoteManifest.environment(simulator: sim.baseURL)) { $1 }
        }

        func launch(_ extra: [String] = []) throws -> Process {
            let p = Process()
            p.executableURL = trialBinary
            p.arguments = ["run", "--time-scale", CrashTrialTests.timeScale, "--poll-interval", "1"] + extra
            p.currentDirectoryURL = dir
            p.environment = env
            p.standardOutput = FileHandle.nullDevice
            p.standardError = FileHandle.nullDevice
            try p.run()
            return p
        }

        /// Runs to the end (bounded): the exit status.
        func finish() async throws -> Int32 {
            let p = try launch()
            let deadline = Date().addingTimeInterval(180)
            while p.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
            if p.isRunning { kill(p.processIdentifier, SIGKILL) }
            p.waitUntilExit()
            return p.terminationStatus
        }

        func records() throws -> [JobRecord] {
            try StateStore(path: dir.appendingPathComponent(".troupe/state.sqlite").path).records()
        }

        var lock: Lockfile? { get throws { try Lockfile.read(dir.appendingPathComponent("troupe.lock").path) } }
    }

    /// 200 renders for 231 cells (a character twin and a clip copy share renders); 10 % 5xx,
    /// 5 % failed tasks, 5 % dropped connections, 1303 above 5 in flight (troupe is told 8);
    /// SIGKILL at 20 random moments, then run to the end.
    @Test func twoHundredRendersSurviveTwentyKills() async throws {
        let sim = try await KlingSimServer.start(Self.faulty(concurrencyLimit: 5))
        defer { Task { await sim.stop() } }
        let c = try Campaign(RemoteManifest.text(characters: 10, clips: 20, concurrency: 8, rate: "20/s",
                                                    twins: 1, copies: 1), sim: sim)

        let started = Date()
        let kills = try await killAtRandomMoments("crash trial", kills: 20, spreadMs: 700) { _ in try c.launch() }
        print("crash trial: \(kills) kills in \(Int(Date().timeIntervalSince(started))) s, \(await sim.stats().creates) renders created")
        #expect(kills >= 20, "the campaign finished before 20 kills; make it longer")
        let status = try await c.finish()
        #expect(status == 0 || status == 1)

        let stats = await sim.stats()
        #expect(stats.duplicateRejections == 0, "a create was sent for an external id that already had a task")
        #expect(stats.creates == 200, "every render created exactly once")
        #expect(stats.createsByExternalID.count == 200)
        let succeeded = stats.tasks["succeed"] ?? 0, failed = stats.tasks["failed"] ?? 0
        #expect(succeeded + failed == 200)

        let renders = try c.records().filter { $0.kind == .render }
        #expect(renders.count == 200)
        #expect(renders.filter { $0.state == .fetched }.count == succeeded)
        let failedRecords = renders.filter { $0.state == .failed }
        #expect(failedRecords.count == failed)
        #expect(failedRecords.allSatisfy { $0.lastError?.contains("Image pixel is invalid") == true })
        // Every success was downloaded (more than once only when a kill fell between download and commit).
        #expect(stats.resultFetches.count == succeeded)
        #expect(stats.resultFetches.values.reduce(0, +) <= succeeded + kills)

        let lock = try #require(try c.lock)
        // A shared render is recorded once; the cells that share it point at it.
        let owners = lock.renders.filter { $0.value.sameAs == nil }
        #expect(owners.count == succeeded)
        #expect(lock.renders.values.allSatisfy { r in r.sameAs.map { lock.renders[$0]?.key == r.key } ?? true })
        let sharing = lock.renders.filter { $0.value.sameAs != nil }
        // Every cell of a fetched render is in the lock, and no other.
        let plan = try #require(TroupePlan.Campaign.open(manifest: c.dir.appendingPathComponent("troupe.yaml").path,
                                                         status: LockStatus(nil)).plan)
        let fetched = Set(renders.filter { $0.state == .fetched }.map(\.key))
        let cellsOfFetched = plan.jobs.filter { $0.kind == .render && fetched.contains($0.key) }.flatMap(\.names)
        #expect(Set(lock.renders.keys) == Set(cellsOfFetched))
        #expect(plan.jobs.filter { $0.kind == .render }.flatMap(\.names).count == 231)
        for (cell, r) in sharing {
            let mine = FileManager.default.contents(atPath: c.dir.appendingPathComponent("out/renders/\(cell).mp4").path)
            let theirs = FileManager.default.contents(atPath: c.dir.appendingPathComponent("out/renders/\(r.sameAs!).mp4").path)
            #expect(mine != nil && mine == theirs, "\(cell) is exported from the render it shares")
        }
        let lockUnits = lock.unitsCharged
        let storeUnits = renders.filter { $0.state == .fetched }.reduce(0) { $0 + ($1.unitsCharged ?? 0) }
        #expect(abs(lockUnits - stats.unitsCharged) < 1e-6)
        #expect(abs(storeUnits - stats.unitsCharged) < 1e-6)
        #expect(stats.unitsCharged == Double(succeeded) * 4.5)
    }

    /// The trials' simulator: time scale 50, tasks of 10–30 s, 10 % 5xx, 5 % failed tasks,
    /// 5 % dropped connections, 5 s billed.
    static func faulty(concurrencyLimit: Int) -> SimConfiguration {
        var config = SimConfiguration()
        config.timeScale = 50
        config.latencyMin = 10
        config.latencyMax = 30
        config.concurrencyLimit = concurrencyLimit
        config.serverErrorRate = 0.1
        config.failedTaskRate = 0.05
        config.dropRate = 0.05
        config.billedSeconds = 5
        return config
    }

    /// SIGINT stops submitting and exits 130 promptly, leaving tasks at the provider; the next
    /// run adopts them and submits only what never was.
    @Test func interruptThenResume() async throws {
        var config = SimConfiguration()
        config.timeScale = 50
        config.latencyMin = 20
        config.latencyMax = 40
        config.concurrencyLimit = 4
        let sim = try await KlingSimServer.start(config)
        defer { Task { await sim.stop() } }
        let c = try Campaign(RemoteManifest.text(characters: 4, clips: 5, concurrency: 4, rate: "20/s"), sim: sim)
        let p = try c.launch()
        let deadline = Date().addingTimeInterval(30)
        while await sim.stats().creates < 6, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        let interruptedAt = Date()
        p.interrupt()
        while p.isRunning, Date().timeIntervalSince(interruptedAt) < 10 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!p.isRunning, "SIGINT must stop the run promptly")
        if p.isRunning { kill(p.processIdentifier, SIGKILL) }
        p.waitUntilExit()
        #expect(p.terminationStatus == 130)
        let before = await sim.stats().creates
        #expect(before < 20)

        #expect(try await c.finish() == 0)
        let stats = await sim.stats()
        #expect(stats.creates == 20 && stats.duplicateRejections == 0)
        #expect(try c.lock?.renders.count == 20)
    }
}
