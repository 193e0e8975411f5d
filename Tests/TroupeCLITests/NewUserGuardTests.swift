import Foundation
import Testing
import TroupeTestSupport

/// What a new user meets first on Kling: a price without a bucket, and `--locked` saying what
/// it would create before asking for any key.
@Suite struct NewUserGuardTests {
    static let noKeys = ["KLING_ACCESS_KEY": "", "KLING_SECRET_KEY": "", "KLING_BASE_URL": ""]

    /// `troupe init`'s project (local media) on Kling, without `uploads:`: plan prices it with a
    /// located warning that run will need `uploads:`; run refuses, before any credential.
    @Test func planPricesLocalMediaWithoutUploadsAndRunRefuses() async throws {
        let p = try await offPool { try CLIProject() }
        let plan = try await troupeAsync(["plan", "--provider", "kling"], in: p.dir, environment: Self.noKeys)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stderr.contains("troupe.yaml:"), "located: \(plan.stderr)")
        #expect(plan.stderr.contains("warning: provider 'kling' fetches media by URL, but"), "\(plan.stderr)")
        #expect(plan.stderr.contains("`troupe run` will need `uploads:`"), "\(plan.stderr)")
        #expect(plan.stdout.contains("units"), "priced: \(plan.stdout)")
        let json = try await troupeAsync(["plan", "--provider", "kling", "--json"], in: p.dir, environment: Self.noKeys)
        #expect(json.status == 0, "\(json.stderr)")
        #expect(try JSONSerialization.jsonObject(with: Data(json.stdout.utf8)) is [String: Any], "\(json.stdout.prefix(300))")

        let run = try await troupeAsync(["run", "--provider", "kling"], in: p.dir, environment: Self.noKeys)
        #expect(run.status == 2, "\(run.stderr)")
        #expect(run.stderr.contains("error: provider 'kling' fetches media by URL"), "\(run.stderr)")
        #expect(!run.stderr.contains("KLING_ACCESS_KEY"), "\(run.stderr)")

        // As a new user would: provider.use switched to kling in the manifest. One warning, not two.
        let manifest = p.dir.appendingPathComponent("troupe.yaml")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        try text.replacingOccurrences(of: "use: preview", with: "use: kling").write(to: manifest, atomically: true, encoding: .utf8)
        let switched = try await troupeAsync(["plan"], in: p.dir, environment: Self.noKeys)
        #expect(switched.status == 0, "\(switched.stderr)")
        #expect(switched.stderr.components(separatedBy: "fetches media by URL").count == 2, "\(switched.stderr)")
        let refused = try await troupeAsync(["run"], in: p.dir, environment: Self.noKeys)
        #expect(refused.status == 2 && refused.stderr.contains("error: provider 'kling' fetches media by URL"), "\(refused.stderr)")
    }

    /// A Kling campaign never rendered: `run --locked` names the renders it would have to create
    /// (exit 3) with no Kling key in the environment.
    @Test func lockedNamesMissingRendersBeforeAskingForKeys() async throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-locked-keys-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try RemoteManifest.text(characters: 2, clips: 1).write(to: dir.appendingPathComponent("troupe.yaml"), atomically: true, encoding: .utf8)
        let r = try await troupeAsync(["run", "--locked"], in: dir, environment: Self.noKeys)
        #expect(r.status == 3, "\(r.stderr)")
        #expect(r.stderr.contains("--locked creates no paid task, and 2 would have to be created (nothing was run)"), "\(r.stderr)")
        #expect(r.stderr.contains("render:c0/k0 (4.5 units): not in troupe.lock"), "\(r.stderr)")
        #expect(r.stderr.contains("they would cost 9 units"), "\(r.stderr)")
        #expect(!r.stderr.contains("KLING_"), "no credential asked for: \(r.stderr)")
        let only = try await troupeAsync(["run", "--locked", "--only", "c1/*"], in: dir, environment: Self.noKeys)
        #expect(only.status == 3 && only.stderr.contains("render:c1/k0") && !only.stderr.contains("render:c0/k0"), "\(only.stderr)")
    }
}
