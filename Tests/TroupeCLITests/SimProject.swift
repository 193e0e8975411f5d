import Foundation
import KlingSim
import TroupeTestSupport

/// A folder holding a manifest, and a troupe-sim to run it against: what most CLI tests
/// against a provider start from. Tasks take 5–10 simulated seconds at 50× unless `configure`
/// says otherwise; `close()` stops the simulator and removes the folder.
struct SimProject {
    let sim: KlingSimServer
    let dir: URL
    /// KLING_* for a troupe process talking to `sim`.
    let env: [String: String]

    static func start(_ manifest: String, name: String,
                      _ configure: (inout SimConfiguration) -> Void = { _ in }) async throws -> SimProject {
        var config = SimConfiguration()
        config.timeScale = 50
        config.latencyMin = 5
        config.latencyMax = 10
        config.billedSeconds = 5
        configure(&config)
        let sim = try await KlingSimServer.start(config)
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-\(name)-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        let project = SimProject(sim: sim, dir: dir, env: RemoteManifest.environment(simulator: sim.baseURL))
        try project.write(manifest)
        return project
    }

    /// Replaces the manifest.
    func write(_ manifest: String) throws {
        try manifest.write(to: dir.appendingPathComponent("troupe.yaml"), atomically: true, encoding: .utf8)
    }

    func close() {
        let sim = sim
        Task { await sim.stop() }
        try? FileManager.default.removeItem(at: dir)
    }
}
