import Foundation
import Testing
import KlingSim
import TroupeTestSupport

/// `troupe plan` and `troupe run`, the real binary, against troupe-sim: what plan says a run
/// will spend is what it then spends, across edits, runs and reverts.
@Suite(.serialized) struct PlanRunAgreementTests {
    func newUnits(_ dir: URL, _ env: [String: String]) async throws -> Double {
        let r = try await troupeAsync(["plan", "--json"], in: dir, environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as! [String: Any]
        let totals = json["totals"] as! [String: Any]
        let byStatus = totals["by_status"] as! [String: [String: Any]]
        #expect(totals["units"] as? Double == byStatus["new"]?["units"] as? Double)
        return byStatus["new"]?["units"] as? Double ?? -1
    }

    @Test func planSaysWhatTheRunWillSpend() async throws {
        var config = SimConfiguration()
        config.timeScale = 50
        config.latencyMin = 5
        config.latencyMax = 10
        config.billedSeconds = 5
        let sim = try await KlingSimServer.start(config)
        defer { Task { await sim.stop() } }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-agree-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        let env = RemoteManifest.environment(simulator: sim.baseURL)
        let base = RemoteManifest.text(characters: 2, clips: 2)
        let edited = base.replacingOccurrences(of: "prompt: \"sim\"", with: "prompt: \"sim, slower\"")
        var charged = 0.0
        var steps: [Double] = []
        for text in [base, edited, base, edited] {
            try text.write(to: dir.appendingPathComponent("troupe.yaml"), atomically: true, encoding: .utf8)
            let planned = try await newUnits(dir, env)
            // After the first run, plan reads the status the run left (.troupe/status); the
            // store itself says the same.
            let snapshot = dir.appendingPathComponent(".troupe/status").path
            if !steps.isEmpty {
                #expect(FileManager.default.fileExists(atPath: snapshot))
                try FileManager.default.moveItem(atPath: snapshot, toPath: snapshot + ".aside")
                #expect(try await newUnits(dir, env) == planned)
                try FileManager.default.moveItem(atPath: snapshot + ".aside", toPath: snapshot)
            }
            let r = try await troupeAsync(["run", "--time-scale", "50", "--poll-interval", "1"], in: dir, environment: env)
            #expect(r.status == 0, "\(r.stderr)")
            let now = await sim.stats().unitsCharged
            #expect(abs(planned - (now - charged)) < 1e-9, "plan said \(planned), the provider charged \(now - charged)")
            steps.append(now - charged)
            charged = now
        }
        #expect(steps == [18, 18, 0, 0])
        // A locked run of the finished campaign pays nothing and says so.
        let locked = try await troupeAsync(["run", "--locked", "--time-scale", "50"], in: dir, environment: env)
        #expect(locked.status == 0 && locked.stderr.contains("nothing to do"), "\(locked.stderr)")
        #expect(await sim.stats().unitsCharged == charged)
    }
}
