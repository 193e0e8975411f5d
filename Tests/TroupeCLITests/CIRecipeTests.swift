import Foundation
import Testing
import KlingSim
import TroupeTestSupport

/// `troupe plan --diff` and the CI recipes of docs/ci.md, in real git repositories.
@Suite(.serialized) struct CIRecipeTests {
    struct Repo {
        let dir: URL
        init(_ name: String) throws {
            dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-git-\(name)-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        }

        @discardableResult
        func git(_ arguments: [String]) throws -> String {
            let (status, out, err) = try shell(["git"] + arguments, in: dir)
            #expect(status == 0, "git \(arguments.joined(separator: " ")): \(err)")
            return out
        }

        func write(_ name: String, _ text: String) throws {
            let url = dir.appendingPathComponent(name)
            try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try text.write(to: url, atomically: true, encoding: .utf8)
        }

        func commitAll(_ message: String) throws {
            try git(["add", "-A"])
            try git(["commit", "-q", "-m", message])
        }
    }

    static let gitEnvironment = ["GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
                                 "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1", "HOME": NSTemporaryDirectory()]

    static func shell(_ arguments: [String], in dir: URL, environment: [String: String] = [:]) throws -> (Int32, String, String) {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        p.arguments = arguments
        p.currentDirectoryURL = dir
        p.environment = ProcessInfo.processInfo.environment.merging(gitEnvironment) { $1 }.merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let o = out.fileHandleForReading.readDataToEndOfFile(), e = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        return (p.terminationStatus, String(decoding: o, as: UTF8.self), String(decoding: e, as: UTF8.self))
    }
    func shell(_ arguments: [String], in dir: URL, environment: [String: String] = [:]) throws -> (Int32, String, String) {
        try Self.shell(arguments, in: dir, environment: environment)
    }

    static var troupeFolder: String {
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("troupe")
        return FileManager.default.isExecutableFile(atPath: binary.path) ? binary.deletingLastPathComponent().path
            : Bundle.main.bundleURL.deletingLastPathComponent().path
    }

    /// A block of docs/ci.md between `<!-- recipe:NAME -->` and `<!-- end -->`, fences removed.
    func recipe(_ name: String) throws -> String {
        let doc = try String(contentsOf: repoRoot.appendingPathComponent("docs/ci.md"), encoding: .utf8)
        let start = try #require(doc.range(of: "<!-- recipe:\(name) -->"))
        let end = try #require(doc.range(of: "<!-- end -->", range: start.upperBound..<doc.endIndex))
        return doc[start.upperBound..<end.lowerBound].split(separator: "\n").filter { !$0.hasPrefix("```") }.joined(separator: "\n")
    }

    func runRecipe(_ name: String, in dir: URL, environment: [String: String]) throws -> (Int32, String, String) {
        let env = environment.merging(["PATH": Self.troupeFolder + ":" + (ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin:/bin")]) { $1 }
        return try shell(["bash", "-euo", "pipefail", "-c", try recipe(name)], in: dir, environment: env)
    }

    @Test func diffAgainstABranchNamesEveryChangedCellAndItsCost() throws {
        let repo = try Repo("diff")
        defer { try? FileManager.default.removeItem(at: repo.dir) }
        try repo.git(["init", "-q", "-b", "main"])
        try repo.write("troupe.yaml", RemoteManifest.text(characters: 2, clips: 2, maxUnits: 100))
        try repo.commitAll("campaign")
        try repo.git(["checkout", "-q", "-b", "change"])
        // c1 gets its own prompt, a third character comes in.
        let changed = RemoteManifest.text(characters: 3, clips: 2, maxUnits: 100)
            .replacingOccurrences(of: "renders:\n  - characters: [\"*\"]\n    clips: [\"*\"]\n",
                                  with: "renders:\n  - characters: [\"*\"]\n    clips: [\"*\"]\n    exclude: [{character: c1}]\n  - characters: [c1]\n    clips: [\"*\"]\n    with: {prompt: \"slower\"}\n")
        try repo.write("troupe.yaml", changed)
        try repo.commitAll("change")

        let r = try troupe(["plan", "--diff", "main", "--json"], in: repo.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        #expect((json["base"] as? [String: Any])?["units"] as? Double == 18)
        #expect((json["head"] as? [String: Any])?["units"] as? Double == 27)
        #expect((json["delta"] as? [String: Any])?["units"] as? Double == 9)
        let cells = try #require(json["cells"] as? [[String: Any]])
        let changes = Dictionary(uniqueKeysWithValues: cells.map { ($0["id"] as! String, $0["change"] as! String) })
        #expect(changes == ["c1/k0": "changed", "c1/k1": "changed", "c2/k0": "added", "c2/k1": "added"])
        #expect(json["unchanged"] as? Int == 2)
        try repo.write("diff.json", r.stdout)
        let schema = """
        import json, sys, jsonschema
        errors = list(jsonschema.Draft202012Validator(json.load(open(sys.argv[1]))).iter_errors(json.load(open(sys.argv[2]))))
        for e in errors: print(e.json_path, e.message)
        sys.exit(1 if errors else 0)
        """
        let (status, out) = try runPython(schema, [repoRoot.appendingPathComponent("schemas/plan-diff.schema.json").path,
                                                   repo.dir.appendingPathComponent("diff.json").path])
        #expect(status == 0, "\(out)")

        let md = try troupe(["plan", "--diff", "main", "--format", "markdown"], in: repo.dir)
        #expect(md.stdout.hasPrefix("**troupe cost diff**: 18 → 27 units (+9, +$1.26) against `main`: 2 changed, 2 added, 0 removed, 2 unchanged\n"), "\(md.stdout)")
        #expect(md.stdout.contains("| `c2/k0` | added |  | 4.5 | +4.5 |"))
        let table = try troupe(["plan", "--diff", "main"], in: repo.dir)
        let rows = table.stdout.split(separator: "\n").map { $0.split(separator: " ").joined(separator: " ") }
        #expect(rows.contains("c1/k0 changed 4.5 4.5 ±0") && rows.contains("c2/k1 added 4.5 +4.5"), "\(table.stdout)")
        #expect(rows.contains("c2 0 9 +9"), "\(table.stdout)")

        // Over budget: exit 3 with the diff printed.
        try repo.write("troupe.yaml", changed.replacingOccurrences(of: "max_units: 100", with: "max_units: 20"))
        let over = try troupe(["plan", "--diff", "main"], in: repo.dir)
        #expect(over.status == 3 && over.stdout.contains("cost diff:"), "\(over.stderr)")
        // An unknown revision says how to fetch one.
        let unknown = try troupe(["plan", "--diff", "nosuch"], in: repo.dir)
        #expect(unknown.status == 2 && unknown.stderr.contains("git fetch --depth=1 origin nosuch"), "\(unknown.stderr)")
    }

    /// Local media: the base's are read from git; a file changed since (even uncommitted) moves
    /// exactly its cells; one the base manifest names but git does not have is an error.
    @Test func localMediaComeFromTheRevision() throws {
        let p = try CLIProject()
        let repo = Repo(dir: p.dir)
        try repo.git(["init", "-q", "-b", "main"])
        try repo.commitAll("demo")
        // init's .gitignore keeps out and .troupe out of git in any form (a symlink too: git
        // takes a path that is not there for a file).
        for name in ["out", ".troupe"] {
            let (ignored, _, err) = try shell(["git", "check-ignore", "-q", name], in: p.dir)
            #expect(ignored == 0, "\(name) is not ignored: \(err)")
        }
        var pip = try Data(contentsOf: p.dir.appendingPathComponent("media/pip.png"))
        pip.append(0)
        try pip.write(to: p.dir.appendingPathComponent("media/pip.png"))
        let r = try troupe(["plan", "--diff", "main", "--json"], in: p.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let json = try #require(try JSONSerialization.jsonObject(with: Data(r.stdout.utf8)) as? [String: Any])
        let ids = Set((json["cells"] as? [[String: Any]] ?? []).map { $0["id"] as! String })
        #expect(ids == ["pip/wave", "pip/hop"])
        #expect(json["unchanged"] as? Int == 3)  // mochi's two cells and its element

        try repo.git(["rm", "-q", "--cached", "media/hop.mp4"])
        try repo.git(["commit", "-q", "-m", "forget hop"])
        try repo.git(["checkout", "-q", "-b", "later"])
        try repo.commitAll("hop again")
        let missing = try troupe(["plan", "--diff", "main"], in: p.dir)
        #expect(missing.status == 2)
        #expect(missing.stderr.contains("'media/hop.mp4' is not in the repository at main"), "\(missing.stderr)")
    }

    /// `troupe report --diff REF`: the page marks what changed since a revision, in words.
    @Test func theReportShowsTheDiffAgainstARevision() throws {
        let p = try CLIProject()
        let repo = Repo(dir: p.dir)
        try repo.git(["init", "-q", "-b", "main"])
        try repo.commitAll("demo")
        var pip = try Data(contentsOf: p.dir.appendingPathComponent("media/pip.png"))
        pip.append(0)
        try pip.write(to: p.dir.appendingPathComponent("media/pip.png"))
        let manifest = p.dir.appendingPathComponent("troupe.yaml")
        try String(contentsOf: manifest, encoding: .utf8)
            .replacingOccurrences(of: "  hop:  {video: media/hop.mp4}", with: "  jump: {video: media/hop.mp4}")
            .write(to: manifest, atomically: true, encoding: .utf8)
        let r = try troupe(["report", "--diff", "main"], in: p.dir)
        #expect(r.status == 0, "\(r.stderr)")
        let html = try String(contentsOf: p.dir.appendingPathComponent("out/report/index.html"), encoding: .utf8)
        func tag(_ cell: String) -> String? {
            guard let r = html.range(of: "<td data-cell=\"\(cell)\"") else { return nil }
            return String(html[r.lowerBound...].prefix { $0 != ">" })
        }
        #expect(tag("pip/wave")?.contains("data-change=\"changed\"") == true, "\(tag("pip/wave") ?? "none")")
        #expect(tag("mochi/jump")?.contains("data-change=\"added\"") == true)
        #expect(tag("mochi/wave")?.contains("data-change") == false)
        #expect(html.contains("data-removed=\"mochi/hop\"") && html.contains("data-removed=\"pip/hop\""))
        #expect(html.contains("changed since main (rendered again)"))
        #expect(html.contains("<h2 id=\"diff-h\">Since main</h2>"))
    }

    /// docs/ci.md's recipes, as written: the cost diff in a shallow clone of a pull request's
    /// branch, and `troupe run --locked` on main in a fresh clone: outputs rebuilt, nothing created.
    @Test func theDocumentedRecipesRunInRealRepositories() async throws {
        var config = SimConfiguration()
        config.timeScale = 50
        config.latencyMin = 5
        config.latencyMax = 10
        config.billedSeconds = 5
        let sim = try await KlingSimServer.start(config)
        defer { Task { await sim.stop() } }
        let env = RemoteManifest.environment(simulator: sim.baseURL)

        // The studio's repository: a campaign rendered once, its lock committed on main.
        let origin = try Repo("origin")
        defer { try? FileManager.default.removeItem(at: origin.dir) }
        try origin.git(["init", "-q", "-b", "main"])
        try origin.write("troupe.yaml", RemoteManifest.text(characters: 2, clips: 2))
        try origin.write(".gitignore", ".troupe/\nout/\n")
        let first = try await troupeAsync(["run", "--time-scale", "50", "--poll-interval", "1"], in: origin.dir, environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        try origin.commitAll("campaign and its lock")
        #expect(await sim.stats().creates == 4)

        // A pull request: a shallow clone, a branch, one prompt changed.
        let pr = try Repo("pr")
        defer { try? FileManager.default.removeItem(at: pr.dir) }
        try FileManager.default.removeItem(at: pr.dir)
        let (cloned, _, cloneErr) = try shell(["git", "clone", "-q", "--depth=1", "file://" + origin.dir.path, pr.dir.path], in: origin.dir)
        #expect(cloned == 0, "\(cloneErr)")
        try pr.git(["checkout", "-q", "-b", "slower"])
        let text = try String(contentsOf: pr.dir.appendingPathComponent("troupe.yaml"), encoding: .utf8)
        try pr.write("troupe.yaml", text.replacingOccurrences(of: "prompt: \"sim\"", with: "prompt: \"sim, slower\""))
        try pr.commitAll("slower")
        let (status, out, err) = try runRecipe("pull-request", in: pr.dir, environment: ["BASE_BRANCH": "main", "MANIFEST": "troupe.yaml"])
        #expect(status == 0, "\(err)")
        #expect(out.hasPrefix("**troupe cost diff**: 18 → 18 units (±0) against `origin/main`: 4 changed, 0 added, 0 removed, 0 unchanged"), "\(out)")
        let comment = try String(contentsOf: pr.dir.appendingPathComponent("cost-diff.md"), encoding: .utf8)
        #expect(comment == out)

        // main: a fresh clone rebuilds every output from the lock, creating nothing.
        let ci = try Repo("main")
        defer { try? FileManager.default.removeItem(at: ci.dir) }
        try FileManager.default.removeItem(at: ci.dir)
        _ = try shell(["git", "clone", "-q", "--depth=1", "file://" + origin.dir.path, ci.dir.path], in: origin.dir)
        let requestsBefore = await sim.stats().creates
        let recipeEnv = env.merging(["MANIFEST": "troupe.yaml"]) { $1 }
        let (mainStatus, _, mainErr) = try await offPool { [self] in try runRecipe("main", in: ci.dir, environment: recipeEnv) }
        #expect(mainStatus == 0, "\(mainErr)")
        #expect(await sim.stats().creates == requestsBefore, "--locked created nothing")
        #expect(FileManager.default.fileExists(atPath: ci.dir.appendingPathComponent("out/renders/c1/k1.mp4").path))
    }
}

extension CIRecipeTests.Repo {
    init(dir: URL) { self.dir = dir }
}
