import Foundation
import TroupeProviders
import Testing
import KlingSim
import TroupeManifest
import TroupeMedia
import TroupePlan
import TroupeNet
import TroupeTestSupport
@testable import TroupeRun
import TroupeCache
import TroupeInit
import TroupeState

/// A campaign folder run in-process against an in-process troupe-sim, at compressed time.
final class SimCampaign: @unchecked Sendable {
    static let timeScale = 50.0
    let dir: String
    let sim: KlingSimServer
    var env: [String: String]
    var manifest: String { dir + "/troupe.yaml" }
    let store: StateStore
    let cache: ResultCache

    /// `copying`: a folder whose files (not its .troupe/) become this campaign's, as a fresh clone.
    init(_ text: String? = nil, sim: KlingSimServer, s3: String? = nil, example: Bool = false, copying: String? = nil) throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-sim-\(UUID().uuidString)").path
        if let copying {
            try FileManager.default.copyItem(atPath: copying, toPath: dir)
            try? FileManager.default.removeItem(atPath: dir + "/.troupe")
            try? FileManager.default.removeItem(atPath: dir + "/out")
            if let text { try text.write(toFile: dir + "/troupe.yaml", atomically: true, encoding: .utf8) }
        } else if example { try ExampleProject.write(to: dir) } else {
            try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
            try text!.write(toFile: dir + "/troupe.yaml", atomically: true, encoding: .utf8)
        }
        self.sim = sim
        env = RemoteManifest.environment(simulator: sim.baseURL, s3: s3)
        store = try StateStore(path: dir + "/.troupe/state.sqlite")
        cache = ResultCache(stateDirectory: dir + "/.troupe")
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    static func simulator(_ change: (inout SimConfiguration) -> Void = { _ in },
                          renderer: any ResultRenderer = PlaceholderRenderer()) async throws -> KlingSimServer {
        var c = SimConfiguration()
        c.timeScale = timeScale
        c.latencyMin = 5
        c.latencyMax = 10
        c.billedSeconds = 5
        change(&c)
        return try await KlingSimServer.start(c, renderer: renderer)
    }

    func plan() async throws -> Plan {
        let lock = try Lockfile.read(Campaign.lockPath(forManifest: manifest))
        let c = Campaign.open(manifest: manifest, status: try await StoreStatus(lock: lock, store: store, cache: cache))
        guard let p = c.plan else { throw RunError.unsupported(c.diagnostics.map(\.message).joined(separator: "\n")) }
        return p
    }

    /// `timeout` only bounds a stuck run: on two loaded cores (every suite starting at once in
    /// CI) four tracked previews and their uploads have taken over two minutes.
    func run(_ options: RunOptions = RunOptions(), timeout: Duration = .seconds(600)) async throws -> RunSummary {
        let plan = try await plan()
        var options = options
        options.maxUnits = options.maxUnits ?? plan.manifest.budget?.maxUnits
        let remote = try RemoteBackend.make(for: plan, environment: env, timeScale: Self.timeScale, pollInterval: 1)
        let executor = Executor(plan: plan, store: store, cache: cache, backend: PreviewProvider(), remote: remote,
                                observer: Observers([]), options: options)
        // Bounded: a stuck run fails the test instead of hanging the suite, and says so.
        let timedOut = Flag()
        let watchdog = Task {
            try await Task.sleep(for: timeout)
            timedOut.set()
            executor.requestStop()
        }
        defer { watchdog.cancel() }
        let summary = try await executor.run()
        if timedOut.isSet { throw SimCampaignTimeout(seconds: timeout, summary: summary) }
        return summary
    }

    func edit(_ transform: (String) -> String) throws {
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        try transform(text).write(toFile: manifest, atomically: true, encoding: .utf8)
    }

    var lock: Lockfile? { get throws { try Lockfile.read(dir + "/troupe.lock") } }
}

struct SimCampaignTimeout: Error, CustomStringConvertible {
    let seconds: Duration
    let summary: RunSummary
    var description: String {
        "the run was stopped after \(seconds): \(summary.done) done, \(summary.notRun) not run, \(summary.failed.count) failed"
    }
}

/// Set once, read from any task.
final class Flag: @unchecked Sendable {
    private let lock = NSLock()
    private var value = false
    func set() { lock.withLock { value = true } }
    var isSet: Bool { lock.withLock { value } }
}

@Suite(.serialized) struct RemoteExecutorTests {
    /// The example project on kling: local media uploaded to a real S3 emulator, the element
    /// created once, renders made by the simulator from the fetched inputs, outputs joined.
    @Test func exampleProjectRendersThroughUploadsAndTheSimulator() async throws {
        let moto = try await MotoServer.launch()
        defer { moto.terminate() }
        let sim = try await SimCampaign.simulator(renderer: PreviewResultRenderer())
        defer { Task { await sim.stop() } }
        let p = try SimCampaign(sim: sim, s3: moto.endpoint, example: true)
        try p.edit {
            $0.replacingOccurrences(of: "provider: {use: preview, model: kling-v3, mode: std}",
                                    with: "provider: {use: kling, model: kling-v3, mode: std, concurrency: 3, rate: 20/s}\nuploads: {s3: {bucket: troupe-test, endpoint: \"\(moto.endpoint)\"}}")
        }
        let bucket = try S3Store(configuration: S3Configuration(bucket: "troupe-test", endpoint: moto.endpoint),
                                 credentials: S3Credentials(accessKeyID: "test", secretAccessKey: "test"), http: HTTPClient())
        try await bucket.createBucket()

        let first = try await p.run()
        #expect(first.failed.isEmpty, "\(first.failed)")
        let stats = await sim.stats()
        #expect(stats.creates == 4)  // four renders; the element is counted apart
        #expect(stats.duplicateRejections == 0)
        #expect(stats.peakConcurrency <= 3)
        let wave = try MediaProbe.probe(p.dir + "/out/renders/mochi/wave.mp4")
        #expect(wave.height == 720 && abs(wave.durationSeconds - 4) < 0.1)
        let showreel = try MediaProbe.probe(p.dir + "/out/showreel.mp4")
        #expect(abs(showreel.durationSeconds - 12) < 0.1)

        let lock = try #require(try p.lock)
        #expect(lock.elements["mochi"]?.elementId != nil)
        #expect(lock.renders.count == 4)
        let lockUnits = lock.renders.values.reduce(0) { $0 + ($1.units ?? 0) }
        #expect(abs(lockUnits - stats.unitsCharged) < 1e-6 && stats.unitsCharged > 0)
        #expect(first.unitsSpent == stats.unitsCharged)

        let second = try await p.run()
        #expect(second.done == 0 && second.failed.isEmpty)
        #expect(await sim.stats().creates == 4)
    }

    /// The example project with a clip copied under another name and a second character on
    /// pip's image: cells with identical inputs are one render — one create per external id,
    /// the lock's units add up to the charge, and every cell's export is the shared result.
    @Test func identicalInputsAreCreatedAndPaidOnce() async throws {
        let moto = try await MotoServer.launch()
        defer { moto.terminate() }
        let sim = try await SimCampaign.simulator(renderer: PreviewResultRenderer())
        defer { Task { await sim.stop() } }
        let p = try SimCampaign(sim: sim, s3: moto.endpoint, example: true)
        try FileManager.default.copyItem(atPath: p.dir + "/media/hop.mp4", toPath: p.dir + "/media/hop-take2.mp4")
        try p.edit {
            $0.replacingOccurrences(of: "provider: {use: preview, model: kling-v3, mode: std}",
                                    with: "provider: {use: kling, model: kling-v3, mode: std, concurrency: 3, rate: 20/s}\nuploads: {s3: {bucket: troupe-test, endpoint: \"\(moto.endpoint)\"}}")
                .replacingOccurrences(of: "  hop:  {video: media/hop.mp4}", with: "  hop:  {video: media/hop.mp4}\n  hop-again: {video: media/hop-take2.mp4}")
                .replacingOccurrences(of: "  pip:   {image: media/pip.png}", with: "  pip:   {image: media/pip.png}\n  pip-twin: {image: media/pip.png}")
        }
        let bucket = try S3Store(configuration: S3Configuration(bucket: "troupe-test", endpoint: moto.endpoint),
                                 credentials: S3Credentials(accessKeyID: "test", secretAccessKey: "test"), http: HTTPClient())
        try await bucket.createBucket()

        // 9 cells, 4 renders: mochi/hop-again = mochi/hop; pip-twin/* and pip/hop-again = pip's.
        let plan = try await p.plan()
        let renders = plan.jobs.filter { $0.kind == .render }
        #expect(renders.count == 4)
        #expect(renders.first { $0.id == "render:pip/hop" }?.names == ["pip/hop", "pip/hop-again", "pip-twin/hop", "pip-twin/hop-again"])
        let planned = plan.totals.units

        let first = try await p.run()
        #expect(first.failed.isEmpty, "\(first.failed)")
        let stats = await sim.stats()
        #expect(stats.creates == 4 && stats.duplicateRejections == 0)
        #expect(stats.createsByExternalID.count == 4 && stats.createsByExternalID.values.allSatisfy { $0 == 1 },
                "\(stats.createsByExternalID)")
        #expect(abs(first.unitsSpent - stats.unitsCharged) < 1e-6 && stats.unitsCharged > 0)
        // The plan priced each shared render once, as the provider charged it.
        #expect(abs(stats.unitsCharged - renders.reduce(0) { $0 + $1.units }) < 1e-6, "\(stats.unitsCharged) vs \(planned)")

        let lock = try #require(try p.lock)
        #expect(lock.format == 2 && lock.renders.count == 9)
        #expect(abs(lock.unitsCharged - stats.unitsCharged) < 1e-6)
        #expect(lock.renders["pip-twin/hop-again"]?.sameAs == "pip/hop")
        #expect(lock.renders["pip-twin/hop-again"]?.units == nil)
        let status = try await Maintenance.status(of: try p.plan(), store: p.store)
        #expect(abs(status.unitsSpent - stats.unitsCharged) < 1e-6)
        for (cell, owner) in [("pip-twin/hop-again", "pip/hop"), ("mochi/hop-again", "mochi/hop"), ("pip-twin/wave", "pip/wave")] {
            let a = try Data(contentsOf: URL(fileURLWithPath: p.dir + "/out/renders/\(cell).mp4"))
            let b = try Data(contentsOf: URL(fileURLWithPath: p.dir + "/out/renders/\(owner).mp4"))
            #expect(!a.isEmpty && a == b, "\(cell) is \(owner)'s render")
        }
        // pip-reel and pip-twin-reel have the same inputs: one post-step, two exports.
        #expect(try Data(contentsOf: URL(fileURLWithPath: p.dir + "/out/pip-twin-reel.mp4"))
                == Data(contentsOf: URL(fileURLWithPath: p.dir + "/out/pip-reel.mp4")))
        #expect(Maintenance.verify(lock: lock, cache: p.cache, baseDirectory: p.dir).isEmpty)

        // A lock of the old shape (format 1: every cell with the task's units) is read, nothing
        // is paid again, and it is rewritten in the new shape.
        var old = lock
        old.format = 1
        for (cell, r) in lock.renders {
            guard let owner = r.sameAs else { continue }
            old.renders[cell] = lock.renders[owner]
        }
        #expect(old.unitsCharged > stats.unitsCharged)
        try old.encoded().write(to: URL(fileURLWithPath: p.dir + "/troupe.lock"))
        let again = try await p.run()
        #expect(again.done == 0 && again.failed.isEmpty)
        #expect(await sim.stats().creates == 4)
        #expect(try p.lock == lock)

        // A fresh clone with only the old-shape lock adopts every shared task by its external id.
        try old.encoded().write(to: URL(fileURLWithPath: p.dir + "/troupe.lock"))
        try FileManager.default.removeItem(atPath: p.dir + "/.troupe")
        let clone = try SimCampaign(sim: sim, s3: moto.endpoint, example: false, copying: p.dir)
        let cloned = try await clone.run()
        #expect(cloned.failed.isEmpty, "\(cloned.failed)")
        let after = await sim.stats()
        #expect(after.creates == 4 && after.duplicateRejections == 0)
        #expect(abs((try clone.lock?.unitsCharged ?? 0) - stats.unitsCharged) < 1e-6)
    }

    /// Edits, runs and reverts: before every run, plan's new units (from the same lock, state
    /// store and cache) are exactly what the run then spends.
    @Test func planNewUnitsAreWhatTheRunSpends() async throws {
        let sim = try await SimCampaign.simulator()
        defer { Task { await sim.stop() } }
        let base = RemoteManifest.text(characters: 2, clips: 2)
        let edited = base.replacingOccurrences(of: "renders:\n  - characters: [\"*\"]\n    clips: [\"*\"]\n",
                                               with: "renders:\n  - characters: [\"*\"]\n    clips: [\"*\"]\n    exclude: [{character: c1}]\n  - characters: [c1]\n    clips: [\"*\"]\n    with: {prompt: \"a new take\"}\n")
        #expect(edited != base)
        let p = try SimCampaign(base, sim: sim)
        var charged = 0.0
        var spentByStep: [Double] = []
        for text in [base, edited, base, edited, base] {
            try text.write(toFile: p.manifest, atomically: true, encoding: .utf8)
            let planned = try await p.plan().totals
            let summary = try await p.run()
            #expect(summary.failed.isEmpty, "\(summary.failed)")
            let now = await sim.stats().unitsCharged
            #expect(abs(planned.units - summary.unitsSpent) < 1e-9, "plan said \(planned.units), the run spent \(summary.unitsSpent)")
            #expect(abs(summary.unitsSpent - (now - charged)) < 1e-9)
            spentByStep.append(summary.unitsSpent)
            charged = now
        }
        // Four renders, then c1's two again with the new prompt; reverts and repeats pay nothing.
        #expect(spentByStep == [18, 9, 0, 0, 0])
        #expect(try await p.plan().totals.byStatus[.locked]?.jobs == 4)
    }

    /// A fresh clone (lock, no .troupe/) whose provider has forgotten every task: `--locked`
    /// refuses, creates nothing, and says what it would have cost.
    @Test func lockedNeverCreatesEvenWhenTheProviderForgot() async throws {
        let sim = try await SimCampaign.simulator()
        defer { Task { await sim.stop() } }
        let text = RemoteManifest.text(characters: 2, clips: 2)
        let p = try SimCampaign(text, sim: sim)
        _ = try await p.run()
        #expect(await sim.stats().creates == 4)
        try FileManager.default.removeItem(atPath: p.dir + "/.troupe")
        try FileManager.default.removeItem(atPath: p.dir + "/out")

        // The provider still knows them: a locked clone adopts all four and spends nothing.
        var locked = RunOptions()
        locked.locked = true
        let clone = try SimCampaign(sim: sim, copying: p.dir)
        let adopted = try await clone.run(locked)
        #expect(adopted.failed.isEmpty && adopted.lockedRefused.isEmpty, "\(adopted.failed)")
        #expect(adopted.unitsSpent == 0)
        #expect(await sim.stats().creates == 4)
        #expect(FileManager.default.fileExists(atPath: clone.dir + "/out/renders/c1/k1.mp4"))

        // Wiped: every query says "not found"; an unlocked run would create them again.
        await sim.reset()
        let wiped = try SimCampaign(sim: sim, copying: p.dir)
        let refused = try await wiped.run(locked)
        #expect(Set(refused.lockedRefused.map(\.job)) == ["render:c0/k0", "render:c0/k1", "render:c1/k0", "render:c1/k1"])
        #expect(refused.lockedRefused.allSatisfy { $0.reason.contains("no longer knows") && $0.units == 4.5 })
        #expect(refused.unitsSpent == 0)
        let stats = await sim.stats()
        #expect(stats.creates == 0 && stats.createsByExternalID.isEmpty)

        // A cell the lock does not record is refused before anything runs.
        let more = try SimCampaign(RemoteManifest.text(characters: 3, clips: 2), sim: sim, copying: p.dir)
        await #expect(throws: LockedRunRefused.self) { try await more.run(locked) }
        #expect(await sim.stats().requests == stats.requests, "nothing was asked of the provider")
        // And --reroll with --locked is refused, whatever the caller.
        var both = locked
        both.reroll = ["c0/k0"]
        await #expect(throws: LockedRunRefused.self) { try await clone.run(both) }
        #expect(await sim.stats().creates == 0)
    }

    /// 5xx, dropped connections and failed tasks, with a gate wider than the account's limit:
    /// every render is created exactly once and either fetched or failed with the provider's words.
    @Test func faultsNeverPayTwice() async throws {
        let sim = try await SimCampaign.simulator {
            $0.serverErrorRate = 0.1
            $0.dropRate = 0.1
            $0.failedTaskRate = 0.1
            $0.concurrencyLimit = 4
            // Tasks long enough (0.6–0.8 s) that the first wave is still running when the 5th
            // create goes, however loaded the machine: at 0.1 s a slow CI machine finished one
            // first and never met the limit.
            $0.latencyMin = 30
            $0.latencyMax = 40
        }
        defer { Task { await sim.stop() } }
        let p = try SimCampaign(RemoteManifest.text(characters: 6, clips: 5, concurrency: 6), sim: sim)
        let summary = try await p.run()
        let stats = await sim.stats()
        #expect(stats.duplicateRejections == 0)
        #expect(stats.creates == 30, "every render created exactly once")
        #expect(stats.createsByExternalID.count == 30)
        #expect((stats.rejections["1303"] ?? 0) > 0, "the gate was wider than the account: 1303 expected")
        let failedTasks = stats.tasks["failed"] ?? 0
        #expect(summary.failed.filter { $0.id.hasPrefix("render:") }.count == failedTasks)
        #expect(summary.failed.allSatisfy { "\($0.error)".contains("Image pixel is invalid") }, "\(summary.failed)")
        #expect(stats.resultFetches.count == stats.tasks["succeed"] ?? 0)
        let lock = try #require(try p.lock)
        #expect(lock.renders.count == 30 - failedTasks)
        #expect(abs(lock.renders.values.reduce(0) { $0 + ($1.units ?? 0) } - stats.unitsCharged) < 1e-6)
        let recorded = try p.store.records().compactMap { $0.state == .fetched && $0.kind == .render ? $0.unitsCharged : nil }
        #expect(abs(recorded.reduce(0, +) - stats.unitsCharged) < 1e-6)
    }

    @Test func expiredResultURLFailsTheJobWithoutPayingTwice() async throws {
        let sim = try await SimCampaign.simulator { $0.urlExpiry = 0.001 }
        defer { Task { await sim.stop() } }
        let p = try SimCampaign(RemoteManifest.text(characters: 1, clips: 1), sim: sim)
        let summary = try await p.run()
        #expect(summary.failed.count == 1)
        #expect(summary.failed.first.map { "\($0.error)".contains("expired") } == true, "\(summary.failed)")
        let stats = await sim.stats()
        #expect(stats.creates == 1)
        #expect(stats.resultFetches.isEmpty)
        // The task was paid: its units are on record though the file never arrived.
        let record = try #require(try p.store.records().first { $0.kind == .render })
        #expect(record.unitsCharged == 4.5 && record.state == .failed)
        // The next run does not pay again by itself; it says how to.
        let again = try await p.run()
        #expect(again.failed.first.map { "\($0.error)".contains("--reroll") } == true)
        #expect(await sim.stats().creates == 1)
    }

    /// The plan says 5 s per render; the provider bills 8: the run stops starting renders
    /// before the deductions pass max_units.
    @Test func budgetReachedAtRunTimeStopsNewRenders() async throws {
        let sim = try await SimCampaign.simulator { $0.billedSeconds = 8 }
        defer { Task { await sim.stop() } }
        // 10 renders × 4.5 planned = 45 units; the simulator charges 7.2 each.
        let p = try SimCampaign(RemoteManifest.text(characters: 2, clips: 5, concurrency: 2, maxUnits: 45), sim: sim)
        let summary = try await p.run()
        #expect(summary.budgetRefused?.maxUnits == 45, "\(String(describing: summary.budgetRefused))")
        #expect(summary.budgetRefused.map { "\($0)".contains("max_units 45") } == true)
        let stats = await sim.stats()
        #expect(stats.creates < 10)
        #expect(stats.unitsCharged <= 45 + 7.2 * 2, "at most what was in flight when the budget ran out")
        #expect(summary.notRun > 0)
    }

    @Test func rejectedCredentialsStopTheRunAndKeepNothingSecret() async throws {
        let sim = try await SimCampaign.simulator()
        defer { Task { await sim.stop() } }
        let p = try SimCampaign(RemoteManifest.text(characters: 2, clips: 2), sim: sim)
        p.env["KLING_SECRET_KEY"] = "wrong-secret-value"
        let summary = try await p.run()
        #expect(summary.stopReason?.contains("credentials") == true, "\(String(describing: summary.stopReason))")
        #expect(await sim.stats().creates == 0)
        let db = try Data(contentsOf: URL(fileURLWithPath: p.dir + "/.troupe/state.sqlite"))
        #expect(db.range(of: Data("wrong-secret-value".utf8)) == nil)
        // With the right key the same campaign completes; nothing was lost.
        p.env["KLING_SECRET_KEY"] = "sim-secret-key"
        let again = try await p.run()
        #expect(again.failed.isEmpty && again.done > 0)
        #expect(await sim.stats().creates == 4)
    }

    @Test func rerollIsTheOnlyWayToPayAgain() async throws {
        let sim = try await SimCampaign.simulator()
        defer { Task { await sim.stop() } }
        let p = try SimCampaign(RemoteManifest.text(characters: 2, clips: 1), sim: sim)
        _ = try await p.run()
        let before = try #require(try p.lock?.renders["c0/k0"])
        var options = RunOptions()
        options.reroll = ["c0/*"]
        let summary = try await p.run(options)
        #expect(summary.rerolled == ["render:c0/k0"])
        let stats = await sim.stats()
        #expect(stats.creates == 3)
        #expect(stats.createsByExternalID.keys.contains { $0.hasSuffix("-r1") })
        let after = try #require(try p.lock?.renders["c0/k0"])
        #expect(after.key == before.key && after.taskId != before.taskId)
        #expect(try p.store.ledger().contains { $0.event == "reroll" })
        // status counts what the replaced task was charged too: it equals the provider's total.
        let status = try await Maintenance.status(of: try p.plan(), store: p.store)
        #expect(abs(status.unitsSpent - stats.unitsCharged) < 1e-9 && stats.unitsCharged == 3 * 4.5)
        // Without --reroll nothing is paid again.
        _ = try await p.run()
        #expect(await sim.stats().creates == 3)
    }

    /// A fresh clone has troupe.lock but no .troupe/: the element id is taken from the lock and
    /// renders are adopted by their external ids — the provider is asked, never paid again.
    @Test func freshCloneAdoptsTasksInsteadOfPayingAgain() async throws {
        let sim = try await SimCampaign.simulator()
        defer { Task { await sim.stop() } }
        let extra = "elements:\n  e: {from_video: \"https://media.example/e.mp4\", sha256: \(String(repeating: "ab", count: 32)), duration: 5}\n"
        let text = RemoteManifest.text(characters: 2, clips: 2, extra: extra)
            .replacingOccurrences(of: "c0: {image:", with: "c0: {element: e, image:")
        let p = try SimCampaign(text, sim: sim)
        let first = try await p.run()
        #expect(first.failed.isEmpty, "\(first.failed)")
        let elementID = try #require(try p.lock?.elements["e"]?.elementId)
        try FileManager.default.removeItem(atPath: p.dir + "/.troupe")
        let clone = try SimCampaign(text, sim: sim)
        try FileManager.default.removeItem(atPath: clone.dir + "/troupe.yaml")
        try FileManager.default.copyItem(atPath: p.dir + "/troupe.yaml", toPath: clone.dir + "/troupe.yaml")
        try FileManager.default.copyItem(atPath: p.dir + "/troupe.lock", toPath: clone.dir + "/troupe.lock")
        let second = try await clone.run()
        #expect(second.failed.isEmpty, "\(second.failed)")
        let stats = await sim.stats()
        #expect(stats.creates == 4 && stats.duplicateRejections == 0)
        #expect(try clone.lock?.elements["e"]?.elementId == elementID)
    }
}
