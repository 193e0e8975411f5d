import Foundation
import Testing
import TroupeTestSupport

/// `budget:` policies through the real binary, in a real git repository: each one's ok, warn and
/// deny with its exit code, and the verdicts in plan and plan-diff JSON.
@Suite(.serialized) struct PolicyTests {
    /// 2 × 2 renders of 5 s at 0.9 units/s: 4.5 units each, 18 in all.
    static func manifest(_ budget: String, characters: Int = 2) -> String {
        RemoteManifest.text(characters: characters, clips: 2).replacingOccurrences(of: "defaults:", with: "budget: \(budget)\ndefaults:")
    }

    static func policies(_ stdout: String) throws -> [String: [String: Any]] {
        let json = try #require(try JSONSerialization.jsonObject(with: Data(stdout.utf8)) as? [String: Any])
        let list = try #require(json["policies"] as? [[String: Any]], "no policies in \(stdout.prefix(400))")
        return Dictionary(uniqueKeysWithValues: list.map { ($0["name"] as? String ?? "", $0) })
    }

    @Test func warnUnitsWarnsAndMaxRenderUnitsDenies() throws {
        let repo = try CIRecipeTests.Repo("policy")
        defer { try? FileManager.default.removeItem(at: repo.dir) }
        try repo.write("troupe.yaml", Self.manifest("{max_units: 100, warn_units: 10, max_render_units: 5}"))
        let warned = try troupe(["plan", "--json"], in: repo.dir)
        #expect(warned.status == 0, "\(warned.stderr)")
        #expect(warned.stderr.contains("warning: policy warn_units") && warned.stderr.contains("18 units"), "\(warned.stderr)")
        let checks = try Self.policies(warned.stdout)
        #expect(checks["warn_units"]?["verdict"] as? String == "warn" && checks["warn_units"]?["value"] as? Double == 18)
        #expect(checks["max_units"]?["verdict"] as? String == "ok" && checks["max_render_units"]?["verdict"] as? String == "ok")
        #expect(checks["max_increase_units"] == nil, "only a diff has an increase")

        try repo.write("troupe.yaml", Self.manifest("{max_units: 100, max_render_units: 4}"))
        let denied = try troupe(["plan", "--json"], in: repo.dir)
        #expect(denied.status == 3, "\(denied.stderr)")
        #expect(denied.stderr.contains("policy max_render_units: render") && denied.stderr.contains("4.5 units"), "\(denied.stderr)")
        #expect(try Self.policies(denied.stdout)["max_render_units"]?["verdict"] as? String == "deny")
        let run = try troupe(["run"], in: repo.dir, environment: RemoteManifest.environment(simulator: "http://127.0.0.1:9"))
        #expect(run.status == 3 && run.stderr.contains("policy max_render_units"), "refused before any request: \(run.stderr)")

        // Without any limit the JSON is as it always was: no policies key.
        try repo.write("troupe.yaml", RemoteManifest.text(characters: 2, clips: 2))
        let plain = try troupe(["plan", "--json"], in: repo.dir)
        #expect(!plain.stdout.contains("\"policies\""))
    }

    @Test func maxIncreaseUnitsDeniesABigChangeInPlanDiff() throws {
        let repo = try CIRecipeTests.Repo("increase")
        defer { try? FileManager.default.removeItem(at: repo.dir) }
        try repo.git(["init", "-q", "-b", "main"])
        try repo.write("troupe.yaml", Self.manifest("{max_increase_units: 10}"))
        try repo.commitAll("campaign")
        try repo.git(["checkout", "-q", "-b", "change"])
        // One more character: two renders, 9 units — within the increase a change may add.
        try repo.write("troupe.yaml", Self.manifest("{max_increase_units: 10}", characters: 3))
        let small = try troupe(["plan", "--diff", "main", "--json"], in: repo.dir)
        #expect(small.status == 0, "\(small.stderr)")
        #expect(try Self.policies(small.stdout)["max_increase_units"]?["value"] as? Double == 9)
        // Two more: 18 units.
        try repo.write("troupe.yaml", Self.manifest("{max_increase_units: 10}", characters: 4))
        let big = try troupe(["plan", "--diff", "main"], in: repo.dir)
        #expect(big.status == 3, "\(big.stderr)")
        #expect(big.stderr.contains("policy max_increase_units: this change adds 18 units"), "\(big.stderr)")
        #expect(big.stdout.contains("18"), "the diff is printed before the refusal: \(big.stdout)")
    }
}
