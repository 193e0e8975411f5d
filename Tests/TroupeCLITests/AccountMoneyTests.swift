import Foundation
import Testing
import KlingSim
import TroupeTestSupport

/// The account's money, through the real binary against troupe-sim: the resource packs' balance
/// read before paying, and a pack used up mid-run stopping new creates while the accepted tasks
/// are followed to their end.
@Suite(.serialized) struct AccountMoneyTests {
    static let run = ["run", "--time-scale", "50", "--poll-interval", "1"]

    @Test func aRunTheBalanceCannotPayCreatesNothing() async throws {
        // 2 × 2 renders of 5 s at 0.9 units/s: 18 units; the pack holds 10.
        let p = try await SimProject.start(RemoteManifest.text(characters: 2, clips: 2), name: "balance") { $0.packUnits = 10 }
        defer { Task { p.close() } }
        let refused = try await troupeAsync(Self.run, in: p.dir, environment: p.env)
        #expect(refused.status == 3, "\(refused.stderr)")
        #expect(refused.stderr.contains("would spend 18 units") && refused.stderr.contains("hold 10 units"), "\(refused.stderr)")
        #expect(refused.stderr.contains("12 hours") && refused.stderr.contains("--ignore-balance"), "\(refused.stderr)")
        #expect(await p.sim.stats().creates == 0)

        let account = try await troupeAsync(["status", "--account"], in: p.dir, environment: p.env)
        #expect(account.status == 0, "\(account.stderr)")
        #expect(account.stdout.contains("Motion Control pack: 10 of 10 units left, online"), "\(account.stdout)")
        #expect(!account.stdout.contains(p.env["KLING_SECRET_KEY"] ?? "?"))
    }

    @Test func aPackUsedUpMidRunStopsNewCreatesAndKeepsWhatWasAccepted() async throws {
        // One task at a time: two renders use the 9 units up, the third create is answered 1102.
        let p = try await SimProject.start(RemoteManifest.text(characters: 2, clips: 3, concurrency: 1), name: "pack") { $0.packUnits = 9 }
        defer { Task { p.close() } }
        let r = try await troupeAsync(Self.run + ["--ignore-balance"], in: p.dir, environment: p.env)
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("1102") && r.stderr.contains("Buy more units"), "\(r.stderr)")
        let stats = await p.sim.stats()
        #expect(stats.creates == 2 && stats.rejections["1102"] == 1, "no create after the first 1102: \(stats.rejections)")
        #expect(stats.resultFetches.count == 2, "the accepted tasks were downloaded")
        let lock = try String(contentsOf: p.dir.appendingPathComponent("troupe.lock"), encoding: .utf8)
        #expect(lock.components(separatedBy: "\"task_id\"").count - 1 == 2, "\(lock)")

        // Nothing left in the pack: the next run is refused by the balance, before any create.
        let again = try await troupeAsync(Self.run, in: p.dir, environment: p.env)
        #expect(again.status == 3 && again.stderr.contains("hold 0 units"), "\(again.stderr)")
        #expect(await p.sim.stats().creates == 2)
    }
}
