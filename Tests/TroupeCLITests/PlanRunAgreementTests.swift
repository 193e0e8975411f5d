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
        let base = RemoteManifest.text(characters: 2, clips: 2)
        let p = try await SimProject.start(base, name: "agree")
        defer { Task { p.close() } }
        let (sim, dir, env) = (p.sim, p.dir, p.env)
        let edited = base.replacingOccurrences(of: "prompt: \"sim\"", with: "prompt: \"sim, slower\"")
        var charged = 0.0
        var steps: [Double] = []
        for text in [base, edited, base, edited] {
            try p.write(text)
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
