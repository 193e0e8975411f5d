import Foundation
import Testing
import TroupeTestSupport

/// `troupe status --timeline` and `--timeline --json`, the real binary, after a real run.
@Suite(.serialized) struct StatusTimelineTests {
    @Test func theTimelineAsJSONValidatesAndAddsUpToTheRun() throws {
        let p = try CLIProject()
        let none = try troupe(["status", "--timeline", "--json"], in: p.dir)
        #expect(none.status == 0, "\(none.stderr)")
        let empty = try #require(try JSONSerialization.jsonObject(with: Data(none.stdout.utf8)) as? [String: Any])
        #expect(empty["run"] is NSNull && (empty["jobs"] as? [Any])?.isEmpty == true)

        #expect(try troupe(["run"], in: p.dir).status == 0)
        let r = try troupe(["status", "--timeline", "--json"], in: p.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let file = p.dir.appendingPathComponent("timeline.json")
        try r.stdout.write(to: file, atomically: true, encoding: .utf8)
        try RunCommandTests().expectValid(file.path, schema: "timeline.schema.json", lines: false)
        let doc = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let run = try #require(doc["run"] as? [String: Any])
        let length = try #require(run["seconds"] as? Double)
        let jobs = try #require(doc["jobs"] as? [[String: Any]])
        #expect(jobs.count == 16 && run["jobs"] as? Int == 16)
        var last = 0.0
        for job in jobs {
            let phases = try #require(job["phases"] as? [String: Double])
            let seconds = try #require(job["seconds"] as? Double)
            #expect(abs(phases.values.reduce(0, +) - seconds) <= 0.005, "\(job)")
            last = max(last, try #require(job["end"] as? Double))
        }
        #expect(abs(last - length) <= 0.05 * length, "the last bar ends at \(last) s of a \(length) s run")
        let slowest = try #require(doc["slowest"] as? [[String: Any]])
        #expect(slowest.count == 10)
        #expect((slowest.first?["seconds"] as? Double) == jobs.compactMap { $0["seconds"] as? Double }.max())

        let text = try troupe(["status", "--timeline"], in: p.dir)
        #expect(text.status == 0, "\(text.stderr)")
        #expect(text.stdout.contains("troupe.yaml: 16 jobs planned"), "the usual status comes first: \(text.stdout)")
        #expect(text.stdout.contains("last run: started ") && text.stdout.contains("16 jobs; their time by phase:"), "\(text.stdout)")
        for label in ["waiting for a slot", "at the provider", "downloading", "post-steps", "slowest jobs:"] {
            #expect(text.stdout.contains(label), "\(label): \(text.stdout)")
        }
        let json = try troupe(["status", "--json"], in: p.dir)
        #expect(json.status == 2 && json.stderr.contains("--json goes with --timeline"), "\(json.stderr)")
    }
}
