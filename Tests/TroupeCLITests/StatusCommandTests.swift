import Foundation
import Testing
import KlingSim
import TroupeTestSupport

/// `troupe status`, the real binary, against troupe-sim: job states, failures with the
/// provider's words, and units spent equal to what the provider charged, re-rolls included.
@Suite(.serialized) struct StatusCommandTests {
    func status(_ dir: URL, _ env: [String: String]) async throws -> String {
        let r = try await troupeAsync(["status"], in: dir, environment: env)
        #expect(r.status == 0, "\(r.stderr)")
        return r.stdout
    }

    @Test func statusCountsStatesFailuresAndWhatWasCharged() async throws {
        let p = try await SimProject.start(RemoteManifest.text(characters: 2, clips: 3), name: "status") {
            $0.timeScale = 100
            $0.failedTaskRate = 0.4
            $0.seed = 7
        }
        defer { Task { p.close() } }
        let (sim, dir, env) = (p.sim, p.dir, p.env)

        let fresh = try await status(dir, env)
        #expect(fresh.contains("troupe.yaml: 12 jobs planned"), "\(fresh)")
        #expect(fresh.contains("never started: 12") && fresh.contains("units spent: 0 units"), "\(fresh)")

        let run = try await troupeAsync(["run", "--time-scale", "100", "--poll-interval", "1"], in: dir, environment: env)
        let failed = run.stderr.components(separatedBy: "\n").filter { $0.hasPrefix("  failed render:") }.count
        #expect(failed > 0 && failed < 6, "the seed fails some renders, not all: \(run.stderr)")
        let after = try await status(dir, env)
        let charged = await sim.stats().unitsCharged
        #expect(after.contains("  failed: \(failed)\n"), "\(after)")
        #expect(after.contains("  fetched: \((6 - failed) * 2)\n"), "renders and their exports: \(after)")
        #expect(after.contains("units spent: \(Self.format(charged)) units"), "charged \(charged): \(after)")
        #expect(after.components(separatedBy: "Image pixel is invalid").count - 1 == failed, "\(after)")

        // A re-roll pays again; status still says what the provider charged in all.
        let plan = try await troupeAsync(["plan", "--all"], in: dir, environment: env)
        let cell = plan.stdout.components(separatedBy: "\n").compactMap { line -> String? in
            guard line.contains("render:"), line.contains("cached") || line.contains("locked") else { return nil }
            return line.split(separator: " ").first { $0.hasPrefix("render:") }.map { String($0.dropFirst("render:".count)) }
        }.first
        let target = try #require(cell, "a finished cell to re-roll: \(plan.stdout)")
        // A re-rolled task may fail too (not charged): again until one is paid.
        var total = charged
        for _ in 0..<6 where total == charged {
            let reroll = try await troupeAsync(["run", "--reroll", target, "--time-scale", "100", "--poll-interval", "1"], in: dir, environment: env)
            #expect(reroll.stderr.contains("re-rolled: render:\(target)"), "\(reroll.stderr)")
            total = await sim.stats().unitsCharged
        }
        #expect(total > charged)
        #expect(try await status(dir, env).contains("units spent: \(Self.format(total)) units"))
    }

    static func format(_ x: Double) -> String {
        x == x.rounded() ? String(Int(x)) : String(format: "%.1f", x)
    }
}
