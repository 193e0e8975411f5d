import Foundation
import Testing
import TroupeManifest
import TroupeTestSupport
@testable import TroupePlan

/// Cells whose inputs are the same bytes have one key: the DAG has one node for it (DESIGN §3),
/// priced once, with every cell it serves listed.
@Suite struct IdenticalInputsTests {
    /// Two characters with one image (a, twin) and a clip copied under another name (c, copy).
    func project(_ dir: TempDir, extraOutputs: String = "") -> String {
        dir.write("media/a.png", "image bytes")
        dir.write("media/b.png", "other image bytes")
        dir.write("media/c.mp4", "5\nclip bytes")
        dir.write("media/copy-of-c.mp4", "5\nclip bytes")
        dir.write("media/d.mp4", "6\nother clip bytes")
        return """
        troupe: 1
        name: same
        provider: {use: kling, model: kling-v3, mode: pro}
        uploads: {s3: {bucket: b, endpoint: "http://127.0.0.1:9"}}
        characters:
          a: {image: media/a.png}
          b: {image: media/b.png}
          twin: {image: media/a.png}
        clips:
          c: {video: media/c.mp4}
          copy: {video: media/copy-of-c.mp4}
          d: {video: media/d.mp4}
        renders: [{characters: ["*"], clips: ["*"]}]
        outputs:
          - {name: a-reel, concat: [a/c, a/d]}
          - {name: twin-reel, concat: [twin/copy, twin/d]}
        \(extraOutputs)
        """
    }

    @Test func identicalCellsShareOneRenderPricedOnce() throws {
        let dir = TempDir()
        let p = try plan(project(dir), in: dir)
        let renders = p.jobs.filter { $0.kind == .render }
        // 9 cells; a, twin × c, copy are one render; b × c, copy another; a/d = twin/d.
        #expect(renders.count == 4)
        #expect(Set(renders.map(\.key)).count == 4)
        #expect(p.job("render:a/c")?.cells == ["a/c", "a/copy", "twin/c", "twin/copy"])
        #expect(p.job("render:b/c")?.cells == ["b/c", "b/copy"])
        #expect(p.job("render:a/d")?.cells == ["a/d", "twin/d"])
        #expect(p.job("render:b/d")?.cells == [])
        // Every cell still gets its own export, fed by the shared render.
        let exports = p.jobs.filter { $0.kind == .export && $0.id.hasPrefix("export:out/renders/") }
        #expect(exports.count == 9)
        let twinCopy = try #require(p.job("export:out/renders/twin/copy.mp4"))
        #expect(p.jobs[twinCopy.deps[0]].id == "render:a/c")
        // One upload per content: a.png once, c.mp4 once.
        #expect(p.jobs.filter { $0.kind == .upload }.count == 4)
        // Priced once per key: 5 s and 6 s at 1.2 units per second, twice each.
        let t = p.totals
        #expect(abs(t.units - 2 * (5 * 1.2) - 2 * (6 * 1.2)) < 1e-9)
        #expect(t.paidJobs == 4)
        // Two outputs of the same inputs are one post-step, exported twice.
        #expect(p.job("post:a-reel")?.cells == ["a-reel", "twin-reel"])
        #expect(p.job("post:twin-reel") == nil)
        #expect(p.job("export:out/twin-reel.mp4") != nil && p.job("export:out/a-reel.mp4") != nil)
    }

    @Test func jsonAndTableShowWhichCellsShare() throws {
        let dir = TempDir()
        let p = try plan(project(dir), in: dir)
        let json = PlanJSON.render(p, manifestPath: "troupe.yaml")
        let decoded = try JSONSerialization.jsonObject(with: Data(json.utf8)) as! [String: Any]
        let jobs = decoded["jobs"] as! [[String: Any]]
        let shared = try #require(jobs.first { $0["id"] as? String == "render:a/c" })
        #expect(shared["cells"] as? [String] == ["a/c", "a/copy", "twin/c", "twin/copy"])
        #expect(jobs.first { $0["id"] as? String == "render:b/d" }?["cells"] == nil)
        let totals = decoded["totals"] as! [String: Any]
        #expect(totals["paid_jobs"] as? Int == 4)
        dir.write("plan.json", json)
        let script = """
        import json, sys, jsonschema
        errors = list(jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).iter_errors(json.load(open(sys.argv[2]))))
        for e in errors: print(e.json_path, e.message)
        sys.exit(1 if errors else 0)
        """
        let (status, out) = try runPython(script, [repoRoot.appendingPathComponent("schemas/plan.schema.json").path, dir.path + "/plan.json"])
        #expect(status == 0, "\(out)")
        let table = PlanTable.render(p, manifestPath: "troupe.yaml", all: true)
        #expect(table.contains("render:a/c (+3 shared)"))
        #expect(table.contains("identical inputs: 8 cells share 3 renders, each paid once"))
    }

    @Test func plannerNotesSameImagesClipsAndCells() throws {
        let dir = TempDir()
        dir.write("troupe.yaml", project(dir))
        let loaded = ManifestLoader().load(path: dir.path + "/troupe.yaml")
        var planner = Planner(manifest: try #require(loaded.manifest), matrix: try #require(loaded.matrix),
                              outputs: loaded.outputs, options: PlanOptions(probeDuration: fakeProbe))
        let (p, diagnostics) = planner.plan()
        #expect(p != nil)
        #expect(diagnostics.allSatisfy { $0.severity == .note })
        let image = try #require(diagnostics.first { $0.message.contains("character 'twin' has the same image as 'a'") })
        #expect(image.line == 8 && image.related.first?.line == 6)
        let clip = try #require(diagnostics.first { $0.message.contains("clip 'copy' is the same video as 'c'") })
        #expect(clip.line == 11 && clip.related.first?.line == 10)
        let cells = diagnostics.filter { $0.code == "shared-render" }
        #expect(cells.count == 5)  // a/copy, twin/c, twin/copy, b/copy, twin/d
        #expect(cells.contains { $0.message.contains("cell 'twin/copy' has the same inputs and settings as 'a/c'") })
    }

    @Test func differentTrimsOrPromptsAreDifferentRenders() throws {
        let dir = TempDir()
        var text = project(dir)
        text = text.replacingOccurrences(of: "copy: {video: media/copy-of-c.mp4}", with: "copy: {video: media/copy-of-c.mp4, trim: [0, 4]}")
        text = text.replacingOccurrences(of: "renders: [{characters: [\"*\"], clips: [\"*\"]}]", with: """
        renders:
          - {characters: [a, b], clips: ["*"]}
          - {characters: [twin], clips: ["*"], with: {prompt: "another take"}}
        """)
        let p = try plan(text, in: dir)
        #expect(p.jobs.filter { $0.kind == .render }.count == 9)
        #expect(p.jobs.allSatisfy { $0.cells.isEmpty })
    }
}
