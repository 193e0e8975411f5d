import Foundation
import Testing
import TroupeSupport
import TroupeTestSupport
import TroupeManifest
@testable import TroupePlan

@Suite struct PlanOutputTests {
    static let goldenDir = repoRoot.appendingPathComponent("Tests/TroupePlanTests/Golden")

    func examplePlan(_ name: String) throws -> Plan {
        let path = "manifests/\(name).yaml"
        let loaded = ManifestLoader().load(path: repoRoot.appendingPathComponent(path).path)
        let m = try #require(loaded.manifest)
        var planner = Planner(manifest: m, matrix: try #require(loaded.matrix), outputs: loaded.outputs,
                              options: PlanOptions())
        return try #require(planner.plan().0)
    }

    /// The JSON of each example is recorded; TROUPE_RECORD_GOLDEN=1 re-records.
    @Test(arguments: ["campaign", "mascot", "remote"])
    func jsonMatchesGoldenAndSchema(_ name: String) throws {
        let json = PlanJSON.render(try examplePlan(name), manifestPath: "manifests/\(name).yaml")
        let golden = Self.goldenDir.appendingPathComponent("\(name).plan.json")
        if ProcessInfo.processInfo.environment["TROUPE_RECORD_GOLDEN"] != nil {
            try json.write(to: golden, atomically: true, encoding: .utf8)
        }
        #expect(json == (try String(contentsOf: golden, encoding: .utf8)))
        _ = try JSONSerialization.jsonObject(with: Data(json.utf8))
        try validateAgainstSchema(golden.path)
    }

    func validateAgainstSchema(_ file: String) throws {
        let script = """
        import json, sys, jsonschema
        schema = json.load(open(sys.argv[1]))
        jsonschema.Draft202012Validator.check_schema(schema)
        errors = list(jsonschema.Draft202012Validator(schema).iter_errors(json.load(open(sys.argv[2]))))
        for e in errors: print(e.json_path, e.message)
        sys.exit(1 if errors else 0)
        """
let (status, out) = try runPython(script, [repoRoot.appendingPathComponent("schemas/plan.schema.json").path, file])
        #expect(status == 0, "\(out)")
    }

    @Test func jsonTotalsAreTheHandComputedOnes() throws {
        let json = PlanJSON.render(try examplePlan("campaign"), manifestPath: "campaign.yaml")
        let o = try #require(try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any])
        let totals = try #require(o["totals"] as? [String: Any])
        #expect(totals["units"] as? Double == 84)
        #expect(abs((totals["usd"] as? Double ?? 0) - 11.76) < 1e-9)
        let byChar = try #require(totals["by_character"] as? [String: Double])
        #expect(byChar == ["pip": 47.1, "pip-spring": 17.1, "bear": 9.9, "poster": 9.9])
        let jobs = try #require(o["jobs"] as? [[String: Any]])
        let finale = try #require(jobs.first { $0["id"] as? String == "render:pip/finale" })
        #expect(finale["seconds"] as? Int == 25)
        #expect(finale["units"] as? Double == 30)
        #expect((finale["deps"] as? [String]) == ["element:pip"])
        let spin = try #require(jobs.first { $0["id"] as? String == "render:pip/spin" })
        #expect((spin["deps"] as? [String]) == ["upload:clip/spin", "element:pip"])
    }

    @Test func dotHasANodePerJobAndAnEdgePerDependency() throws {
        let plan = try examplePlan("campaign")
        let dot = PlanDot.render(plan)
        #expect(dot.hasPrefix("digraph troupe {"))
        #expect(dot.components(separatedBy: "[label=").count - 1 == plan.jobs.count)
        #expect(dot.components(separatedBy: " -> ").count - 1 == plan.jobs.reduce(0) { $0 + $1.deps.count })
    }

    @Test func tableShowsTotalsAndTopJobs() throws {
        let text = PlanTable.render(try examplePlan("campaign"), manifestPath: "campaign.yaml", top: 3, maxUnits: 120)
        #expect(text.contains("to spend: 84 units ($11.76)"))
        #expect(text.contains("budget: 120 units, 36 left"))
        #expect(text.contains("most expensive jobs (top 3 of 12"))
        #expect(text.contains("render:pip/finale"))
    }
}

@Suite struct DigestCacheTests {
    @Test func warmCacheDoesNotRehashAndChangesAreNoticed() throws {
        let dir = TempDir()
        dir.write("a.bin", "first")
        let file = dir.path + "/a.bin"
        let cache = DigestCache(directory: dir.path + "/.troupe")
        let d1 = try cache.digest(ofFile: file)
        #expect(d1 == "a7937b64b8caa58f03721bb6bacf5c78cb235febe0e70b1b84cd99541461a08e")
        try cache.save()

        let warm = DigestCache(directory: dir.path + "/.troupe")
        #expect(try warm.digest(ofFile: file) == d1)
        #expect(warm.hashedFiles == 0)

        dir.write("a.bin", "second!")  // new size and mtime
        #expect(try warm.digest(ofFile: file) != d1)
        #expect(warm.hashedFiles == 1)
    }

    @Test func corruptCacheIsRebuiltWithAWarning() throws {
        let dir = TempDir()
        dir.write("a.bin", "content")
        dir.write(".troupe/digests", "garbage\u{0}\u{1}")
        let cache = DigestCache(directory: dir.path + "/.troupe")
        #expect(cache.warnings.count == 1)
        _ = try cache.digest(ofFile: dir.path + "/a.bin")
        try cache.save()
        let again = DigestCache(directory: dir.path + "/.troupe")
        #expect(again.warnings.isEmpty)
        _ = try again.digest(ofFile: dir.path + "/a.bin")
        #expect(again.hashedFiles == 0)
    }

    /// The loader's existence check and the digest cache share one stat per file per command;
    /// a fresh command sees the change.
    @Test func sharedStatsAreTakenOncePerCommand() throws {
        let dir = TempDir()
        dir.write("m.png", "one")
        let stats = FileStats()
        let loader = ManifestLoader(stats: stats)
        #expect(loader.fileExists(dir.path + "/m.png"))
        #expect(!loader.fileExists(dir.path + "/absent.png"))
        let cache = DigestCache(directory: dir.path + "/.troupe", stats: stats)
        let first = try cache.digest(ofFile: dir.path + "/m.png")
        try cache.save()
        dir.write("m.png", "two, longer")
        // Same command: the remembered stat still matches the cached digest.
        #expect(try DigestCache(directory: dir.path + "/.troupe", stats: stats).digest(ofFile: dir.path + "/m.png") == first)
        // Next command: a new stat, a new digest.
        let next = try DigestCache(directory: dir.path + "/.troupe", stats: FileStats()).digest(ofFile: dir.path + "/m.png")
        #expect(next != first)
        #expect(throws: DigestCache.Failure.self) { try cache.digest(ofFile: dir.path + "/absent.png") }
    }

    @Test func missingFileIsAnError() {
        let dir = TempDir()
        #expect(throws: DigestCache.Failure.self) { try DigestCache(directory: dir.path).digest(ofFile: dir.path + "/nope") }
    }
}
