import Foundation
import TroupeProviders
import TroupeManifest
import TroupePlan
import TroupeReport
import TroupeRun
import TroupeCache
import TroupeState
import TroupeInit

/// A `troupe init` project in a temporary folder, in the states a report has to show: planned
/// only, half rendered by the real executor on the preview provider, with a failure and an
/// excluded cell.
final class DemoCampaign: @unchecked Sendable {
    let dir: String
    var manifest: String { dir + "/troupe.yaml" }
    var state: String { dir + "/.troupe" }
    var reportDir: String { dir + "/out/report" }

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-report-\(UUID().uuidString)").path
        try ExampleProject.write(to: dir)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// The plan as `troupe report` makes it: status from the lock and, once it exists, the state store.
    func plan(store: StateStore?) async throws -> Plan {
        let lock = try Lockfile.read(Campaign.lockPath(forManifest: manifest))
        let status: any JobStatusSource = try store.map { StoreStatus(lock: lock, rows: try $0.states(), cache: ResultCache(stateDirectory: state)) }
            ?? LockStatus(lock)
        let c = Campaign.open(manifest: manifest, status: status)
        guard let p = c.plan else { throw CampaignError(message: c.diagnostics.map(\.message).joined(separator: "\n")) }
        return p
    }

    func report(store: StateStore?, now: Date = Date()) async throws -> CampaignReport.Result {
        try await CampaignReport.write(plan: try plan(store: store), store: store,
                                 lock: try Lockfile.read(Campaign.lockPath(forManifest: manifest)),
                                 stateDirectory: state, to: reportDir, now: now)
    }

    /// Renders mochi's row with the real executor (preview provider: local, free), records a
    /// provider refusal for pip/wave as the executor would, and excludes pip/hop in the manifest.
    /// Leaves: mochi/wave, mochi/hop done (and mochi-reel); pip/wave failed; pip/hop excluded.
    func renderHalfWithAFailure() async throws -> StateStore {
        let store = try StateStore(path: state + "/state.sqlite")
        var options = RunOptions()
        options.only = ["mochi/*", "mochi-reel"]
        let executor = await Executor(plan: try plan(store: store), store: store, cache: ResultCache(stateDirectory: state),
                                backend: PreviewProvider(), observer: Observers([]), options: options)
        let summary = try await executor.run()
        guard summary.failed.isEmpty else { throw CampaignError(message: "\(summary.failed)") }

        let plan = try await plan(store: store)
        let pipWave = try renderKey(plan, "pip/wave")
        var failed = JobRecord(key: pipWave, id: "render:pip/wave", kind: .render, state: .failed, units: 0, now: Date())
        failed.lastError = Self.failureReason
        try store.save(failed)

        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        let excluded = text.replacingOccurrences(of: "    clips: [\"*\"]\n", with: "    clips: [\"*\"]\n    exclude: [{character: pip, clip: hop}]\n")
        guard excluded != text else { throw CampaignError(message: "the demo manifest changed: cannot exclude pip/hop") }
        try excluded.write(toFile: manifest, atomically: true, encoding: .utf8)
        return store
    }

    /// A provider's refusal, with markup in it: the page must show it as text.
    static let failureReason = "1301: the image <b>violates</b> the content policy & was refused"

    /// The render job of a cell, through its export (render jobs may serve several cells).
    func renderKey(_ plan: Plan, _ cell: String) throws -> String {
        guard let export = plan.jobs.first(where: { $0.id == "export:out/renders/\(cell).mp4" }), let r = export.deps.first else {
            throw CampaignError(message: "no export job for \(cell)")
        }
        return plan.jobs[r].key
    }
}

struct CampaignError: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// One half-rendered demo for every test that needs it (rendering is the slow part).
actor SharedDemo {
    static let shared = SharedDemo()
    private var made: (DemoCampaign, StateStore)?

    func halfRendered() async throws -> (DemoCampaign, StateStore) {
        if let made { return made }
        let demo = try DemoCampaign()
        let store = try await demo.renderHalfWithAFailure()
        made = (demo, store)
        return (demo, store)
    }
}
