import Foundation
import Testing
import KlingSim
import TroupeTestSupport

/// Results that expire at the provider (issue 27): the lock records when each was made;
/// status, verify and the report warn at 25 days while no shared cache holds the file; a
/// locked run tells a result expired at the provider from one the provider forgot.
@Suite(.serialized) struct ExpiringResultsTests {
    static let run = ["run", "--time-scale", "50", "--poll-interval", "1"]

    /// The lock as JSON, and a way to write it back.
    static func lock(_ p: SimProject) throws -> [String: Any] {
        let data = try Data(contentsOf: p.dir.appendingPathComponent("troupe.lock"))
        return try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
    }

    /// Moves render `name`'s made_at `days` days into the past, as if time had passed.
    static func age(_ p: SimProject, _ name: String, days: Int) throws {
        var lock = try lock(p)
        var renders = try #require(lock["renders"] as? [String: [String: Any]])
        let stamp = ISO8601DateFormatter().string(from: Date().addingTimeInterval(-Double(days) * 86_400 - 3_600))
        renders[name]?["made_at"] = stamp
        lock["renders"] = renders
        let data = try JSONSerialization.data(withJSONObject: lock, options: [.prettyPrinted, .sortedKeys])
        try data.write(to: p.dir.appendingPathComponent("troupe.lock"))
    }

    @Test func theLockSaysWhenAndOldResultsAreWarnedAbout() async throws {
        let p = try await SimProject.start(RemoteManifest.text(characters: 1, clips: 2), name: "expiry-warn")
        defer { Task { p.close() } }
        let started = Date()
        let first = try await troupeAsync(Self.run, in: p.dir, environment: p.env)
        #expect(first.status == 0, "\(first.stderr)")
        // On the run's clock, which --time-scale 50 runs fifty times as fast as the wall's.
        let latest = started.addingTimeInterval(50 * Date().timeIntervalSince(started) + 2)
        let renders = try #require(try Self.lock(p)["renders"] as? [String: [String: Any]])
        #expect(renders.count == 2)
        for (name, r) in renders {
            let made = try #require((r["made_at"] as? String).flatMap { ISO8601DateFormatter().date(from: $0) }, "\(name): \(r)")
            #expect(made >= started.addingTimeInterval(-1) && made <= latest, "\(name) made at \(made)")
        }
        // A second run rewrites nothing: when a result was made does not move.
        let before = try Data(contentsOf: p.dir.appendingPathComponent("troupe.lock"))
        #expect(try await troupeAsync(Self.run, in: p.dir, environment: p.env).status == 0)
        #expect(try Data(contentsOf: p.dir.appendingPathComponent("troupe.lock")) == before)

        // 24 days: nothing said. 27 days: status, verify and the report say it, with what to do.
        try Self.age(p, "c0/k0", days: 24)
        #expect(try await troupeAsync(["status"], in: p.dir, environment: p.env).stderr.isEmpty)
        try Self.age(p, "c0/k0", days: 27)
        let warning = "warning: 1 locked render(s) were made 25 or more days ago and no shared cache holds their files: c0/k0 (27 days)"
        for command in [["status"], ["verify"], ["report"]] {
            let r = try await troupeAsync(command, in: p.dir, environment: p.env)
            #expect(r.status == 0, "\(command): \(r.stderr)")
            #expect(r.stderr.contains(warning) && r.stderr.contains("troupe cache push"), "\(command): \(r.stderr)")
            #expect(!r.stderr.contains("c0/k1 ("), "\(command): \(r.stderr)")
        }
        let page = try String(contentsOf: p.dir.appendingPathComponent("out/report/index.html"), encoding: .utf8)
        #expect(page.contains("class=\"warnings\"") && page.contains("c0/k0 (27 days)"))
    }

    @Test func aLockedRunTellsAnExpiredResultFromAForgottenOne() async throws {
        let p = try await SimProject.start(RemoteManifest.text(characters: 1, clips: 2), name: "expiry-locked")
        defer { Task { p.close() } }
        #expect(try await troupeAsync(Self.run, in: p.dir, environment: p.env).status == 0)
        try Self.age(p, "c0/k0", days: 40)
        try Self.age(p, "c0/k1", days: 2)
        // A fresh clone (no state, no cache), and a provider that knows neither task any more.
        for folder in [".troupe", "out"] { try FileManager.default.removeItem(at: p.dir.appendingPathComponent(folder)) }
        let provider = try await KlingSimServer.start(await p.sim.configuration)
        defer { Task { await provider.stop() } }
        let env = RemoteManifest.environment(simulator: provider.baseURL)
        let r = try await troupeAsync(Self.run + ["--locked"], in: p.dir, environment: env)
        #expect(r.status == 3, "\(r.stderr)")
        let lines = r.stderr.split(separator: "\n")
        let expired = lines.first { $0.contains("render:c0/k0") }, forgotten = lines.first { $0.contains("render:c0/k1") }
        #expect(expired?.contains("expired at the provider (made 40 days ago)") == true, "\(r.stderr)")
        #expect(forgotten?.contains("the provider no longer knows task") == true, "\(r.stderr)")
        #expect(forgotten?.contains("expired") == false, "\(r.stderr)")
        #expect(await provider.stats().creates == 0)
    }
}
