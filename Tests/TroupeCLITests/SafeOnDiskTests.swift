import Foundation
import Testing
import KlingSim
import TroupeTestSupport

/// A folder outside the project that a symlink in a hostile repository points at: it must be
/// byte-identical after every troupe command.
final class Victim: @unchecked Sendable {
    let dir: URL
    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-victim-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("nested"), withIntermediateDirectories: true)
        // Names troupe would write (an export, a lock, a cache shard) and ones it would delete.
        try Data("a user's file\n".utf8).write(to: dir.appendingPathComponent("hop.mp4"))
        try Data("notes\n".utf8).write(to: dir.appendingPathComponent("lock"))
        try Data(repeating: 7, count: 4096).write(to: dir.appendingPathComponent("nested/state.sqlite"))
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("cache/tmp"), withIntermediateDirectories: true)
        try Data("draft\n".utf8).write(to: dir.appendingPathComponent("cache/tmp/draft.txt"))
        snapshot = try Self.contents(of: dir)
    }
    private var snapshot: [String: Data] = [:]
    deinit { try? FileManager.default.removeItem(at: dir) }

    static func contents(of dir: URL) throws -> [String: Data] {
        var out: [String: Data] = [:]
        for path in try FileManager.default.subpathsOfDirectory(atPath: dir.path) {
            let url = dir.appendingPathComponent(path)
            var isDir: ObjCBool = false
            _ = FileManager.default.fileExists(atPath: url.path, isDirectory: &isDir)
            out[path] = isDir.boolValue ? Data("<dir>".utf8) : try Data(contentsOf: url)
        }
        return out
    }

    var untouched: Bool { (try? Self.contents(of: dir)) == snapshot }
}

extension CLIProject {
    /// An empty project folder.
    convenience init(empty: Void) throws {
        try self.init(folder: FileManager.default.temporaryDirectory.appendingPathComponent("troupe-cli-\(UUID().uuidString)"))
    }
}

/// Nothing written, linked or deleted outside the project; what troupe writes is checked.
@Suite(.serialized) struct SafeOnDiskTests {
    /// `troupe init` in a fresh folder, off the cooperative pool (2 threads on a 2-core machine:
    /// a test blocked on a child process must not stall other suites' async tests).
    func project() async throws -> CLIProject { try await offPool { try CLIProject() } }

    func link(_ p: CLIProject, _ name: String, to victim: Victim) throws {
        let at = p.dir.appendingPathComponent(name)
        try FileManager.default.createDirectory(at: at.deletingLastPathComponent(), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: at, withDestinationURL: victim.dir)
    }

    @Test func aSymlinkedOutIsRefusedUnlessAllowed() async throws {
        let p = try await project(), victim = try Victim()
        try link(p, "out", to: victim)
        let run = try await troupeAsync(["run"], in: p.dir)
        #expect(run.status == 1, "\(run.stderr)")
        #expect(run.stderr.contains("/out: is a symlink") && run.stderr.contains("--allow-symlinked-out"), "\(run.stderr)")
        let report = try await troupeAsync(["report"], in: p.dir)
        #expect(report.status != 0 && report.stderr.contains("symlink"), "\(report.stderr)")
        #expect(try await troupeAsync(["gc"], in: p.dir).status == 0)
        #expect(victim.untouched)
        // A studio pointing out/ at a shared drive says so.
        let shared = try Victim()
        try FileManager.default.removeItem(at: p.dir.appendingPathComponent("out"))
        try link(p, "out", to: shared)
        let allowed = try await troupeAsync(["run", "--allow-symlinked-out"], in: p.dir)
        #expect(allowed.status == 0, "\(allowed.stderr)")
        #expect(FileManager.default.fileExists(atPath: shared.dir.appendingPathComponent("showreel.mp4").path))
    }

    @Test func aSymlinkedFolderInsideOutIsRefusedEvenWhenOutMayBeOne() async throws {
        let p = try await project(), victim = try Victim()
        try link(p, "out/renders/mochi", to: victim)
        for args in [["run"], ["run", "--allow-symlinked-out"]] {
            let run = try await troupeAsync(args, in: p.dir)
            #expect(run.status == 1, "\(run.stderr)")
            #expect(run.stderr.contains("out/renders/mochi: is a symlink"), "\(run.stderr)")
        }
        // What is not under the symlink is exported.
        #expect(FileManager.default.fileExists(atPath: p.dir.appendingPathComponent("out/renders/pip/hop.mp4").path))
        // Another manifest in the folder exports to out/<manifest>/.
        try FileManager.default.copyItem(at: p.dir.appendingPathComponent("troupe.yaml"), to: p.dir.appendingPathComponent("demo.yaml"))
        try link(p, "out/demo/renders/pip", to: victim)
        let demo = try await troupeAsync(["run", "demo.yaml"], in: p.dir)
        #expect(demo.status == 1 && demo.stderr.contains("out/demo/renders/pip: is a symlink"), "\(demo.stderr)")
        #expect(FileManager.default.fileExists(atPath: p.dir.appendingPathComponent("out/demo/renders/mochi/hop.mp4").path))
        // A lock that is a symlink is never written through.
        try FileManager.default.removeItem(at: p.dir.appendingPathComponent("demo.lock"))
        try FileManager.default.createSymbolicLink(at: p.dir.appendingPathComponent("demo.lock"),
                                                   withDestinationURL: victim.dir.appendingPathComponent("lock"))
        #expect(try await troupeAsync(["run", "demo.yaml"], in: p.dir).status != 0)
        #expect(victim.untouched)
    }

    @Test func aSymlinkedStateFolderIsAnErrorForEveryCommand() async throws {
        let p = try await project(), victim = try Victim()
        try link(p, ".troupe", to: victim)
        for args in [["run"], ["gc"], ["report"], ["status"], ["run", "--allow-symlinked-out"]] {
            let r = try await troupeAsync(args, in: p.dir)
            #expect(r.status != 0, "\(args): \(r.stdout)")
            #expect(r.stderr.contains(".troupe: is a symlink"), "\(args): \(r.stderr)")
        }
        // Commands that only read go on, and write none of their caches through it.
        for args in [["validate"], ["plan"]] { #expect(try await troupeAsync(args, in: p.dir).status == 0) }
        #expect(victim.untouched)
        #expect(!FileManager.default.fileExists(atPath: p.dir.appendingPathComponent("out").path))
    }

    @Test func gcDeletesOnlyRegularFilesItMadeAndCountsTempFiles() async throws {
        let p = try await project(), victim = try Victim()
        #expect(try await troupeAsync(["run"], in: p.dir).status == 0)
        let tmp = p.dir.appendingPathComponent(".troupe/cache/tmp")
        // Symlinks planted where gc deletes: in the temp folder and as a cache object's name.
        try FileManager.default.createSymbolicLink(at: tmp.appendingPathComponent("12-ab-1.mp4"),
                                                   withDestinationURL: victim.dir.appendingPathComponent("hop.mp4"))
        let shard = p.dir.appendingPathComponent(".troupe/cache/sha256/00")
        try FileManager.default.createDirectory(at: shard, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: shard.appendingPathComponent(String(repeating: "0", count: 62)),
                                                   withDestinationURL: victim.dir.appendingPathComponent("lock"))
        // A killed run's leftovers, one hidden.
        try Data(repeating: 1, count: 3000).write(to: tmp.appendingPathComponent("99-zz-1.mp4"))
        try Data(repeating: 1, count: 2000).write(to: tmp.appendingPathComponent(".99-zz-2.mp4.part"))
        let gc = try await troupeAsync(["gc"], in: p.dir)
        #expect(gc.status == 0, "\(gc.stderr)")
        #expect(gc.stdout.contains("and 2 temp file(s)"), "\(gc.stdout)")
        #expect(victim.untouched)
        #expect(FileManager.default.fileExists(atPath: tmp.path), "the temp folder is there for the next run")
        #expect(try await troupeAsync(["verify"], in: p.dir).status == 0)
    }

    @Test func gcDuringARunDoesNotBreakIt() async throws {
        let p = try await project()
        let process = Process()
        process.executableURL = SignalsAndPipesTests.binary
        // --wait: a gc that takes the campaign first (the run process still starting) is
        // waited for, not a reason for the run to give up.
        process.arguments = ["run", "--wait"]
        process.currentDirectoryURL = p.dir
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        var gcStatuses: Set<Int32> = []
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline {
            gcStatuses.insert(try await troupeAsync(["gc"], in: p.dir).status)
        }
        process.waitUntilExit()
        #expect(process.terminationStatus == 0)
        #expect(gcStatuses.isSubset(of: [0, 3]), "gc waits for nothing: it runs or says who holds the campaign")
        let verify = try await troupeAsync(["verify"], in: p.dir)
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    @Test func verifyFailsOnDeletedExportsAndOnOutputsTheLockDoesNotList() async throws {
        let p = try await project()
        #expect(try await troupeAsync(["run"], in: p.dir).status == 0)
        #expect(try await troupeAsync(["verify"], in: p.dir).status == 0)
        for name in ["out/showreel.mp4", "out/renders/pip/hop.mp4"] {
            try FileManager.default.removeItem(at: p.dir.appendingPathComponent(name))
        }
        let deleted = try await troupeAsync(["verify"], in: p.dir)
        #expect(deleted.status == 1)
        #expect(deleted.stderr.contains("out/showreel.mp4 is missing") && deleted.stderr.contains("out/renders/pip/hop.mp4 is missing"), "\(deleted.stderr)")
        #expect(deleted.stderr.contains("troupe run troupe.yaml"))
        #expect(try await troupeAsync(["run"], in: p.dir).status == 0)
        #expect(try await troupeAsync(["verify"], in: p.dir).status == 0)
        // As a kill between the exports and the lock leaves it: out/ holds more than the lock lists.
        let lockURL = p.dir.appendingPathComponent("troupe.lock")
        var lock = try #require(try JSONSerialization.jsonObject(with: Data(contentsOf: lockURL)) as? [String: Any])
        var outputs = try #require(lock["outputs"] as? [String: Any])
        outputs["showreel"] = nil
        outputs["mochi-reel"] = nil
        lock["outputs"] = outputs
        try JSONSerialization.data(withJSONObject: lock, options: [.prettyPrinted, .sortedKeys]).write(to: lockURL)
        let killed = try await troupeAsync(["verify"], in: p.dir)
        #expect(killed.status == 1, "\(killed.stdout)\(killed.stderr)")
        #expect(!killed.stdout.contains("ok"))
        #expect(killed.stderr.contains("out/showreel.mp4 is not in the lock"), "\(killed.stderr)")
        #expect(try await troupeAsync(["run"], in: p.dir).status == 0)
        #expect(try await troupeAsync(["verify"], in: p.dir).status == 0)
    }

    @Test func commandsStartedTogetherOnAFreshProjectNeverFailOnTheStore() async throws {
        let pairs: [([String], [String])] = Array(repeating: (["run"], ["run"]), count: 7)
            + Array(repeating: (["run"], ["status"]), count: 7) + Array(repeating: (["status"], ["status"]), count: 6)
        // A one-render project (the example's media), so twenty pairs take seconds, not minutes.
        let template = try await project()
        let small = """
            troupe: 1
            name: race
            provider: {use: preview, model: kling-v3, mode: std}
            characters:
              pip: {image: media/pip.png}
            clips:
              hop: {video: media/hop.mp4}
            renders:
              - characters: [pip]
                clips: [hop]

            """
        for (a, b) in pairs {
            let p = try CLIProject(empty: ())
            try FileManager.default.copyItem(at: template.dir.appendingPathComponent("media"), to: p.dir.appendingPathComponent("media"))
            try small.write(to: p.dir.appendingPathComponent("troupe.yaml"), atomically: true, encoding: .utf8)
            async let first = troupeAsync(a, in: p.dir)
            async let second = troupeAsync(b, in: p.dir)
            let results = try await [(a, first), (b, second)]
            var ran = 0
            for (args, r) in results {
                #expect(!r.stderr.contains("SQLite") && !r.stderr.contains("database is locked"), "\(args): \(r.stderr)")
                if args == ["status"] { #expect(r.status == 0, "\(r.stderr)") }
                if args == ["run"] {
                    #expect(r.status == 0 || r.status == 3, "\(r.stderr)")
                    if r.status == 3 { #expect(r.stderr.contains("another troupe command is using") && r.stderr.contains("pid "), "\(r.stderr)") }
                    if r.status == 0 { ran += 1 }
                }
            }
            if a == ["run"] { #expect(ran >= 1) }
        }
    }

    @Test func aDamagedStateDatabaseIsMovedAsideAndRebuilt() async throws {
        let p = try await project()
        #expect(try await troupeAsync(["run"], in: p.dir).status == 0)
        let db = p.dir.appendingPathComponent(".troupe/state.sqlite")
        try Data("this is not a database, just damage".utf8).write(to: db)
        try? FileManager.default.removeItem(atPath: db.path + "-wal")
        let status = try await troupeAsync(["status"], in: p.dir)
        #expect(status.status == 2 && status.stderr.contains("`troupe run` moves a damaged state database aside"), "\(status.stderr)")
        let run = try await troupeAsync(["run"], in: p.dir)
        #expect(run.status == 0, "\(run.stderr)")
        #expect(run.stderr.contains("the state database was damaged") && run.stderr.contains("state.sqlite.damaged-"), "\(run.stderr)")
        let aside = try FileManager.default.contentsOfDirectory(atPath: p.dir.appendingPathComponent(".troupe").path)
            .filter { $0.hasPrefix("state.sqlite.damaged-") }
        #expect(!aside.isEmpty)
        #expect(try await troupeAsync(["verify"], in: p.dir).status == 0)
        let after = try await troupeAsync(["status"], in: p.dir)
        #expect(after.status == 0 && after.stdout.contains("recovered"), "\(after.stdout)")
    }

    @Test func aDamagedStateDatabaseIsRebuiltWithoutPayingAgain() async throws {
        let p = try await SimProject.start(RemoteManifest.text(characters: 2, clips: 2), name: "damage")
        defer { Task { p.close() } }
        let (sim, dir, env) = (p.sim, p.dir, p.env)
        let first = try await troupeAsync(["run", "--time-scale", "50", "--poll-interval", "1"], in: dir, environment: env)
        #expect(first.status == 0, "\(first.stderr)")
        let creates = await sim.stats().creates
        #expect(creates == 4)
        // Truncated mid-page, its WAL gone.
        let db = dir.appendingPathComponent(".troupe/state.sqlite")
        let bytes = try Data(contentsOf: db)
        try bytes.prefix(min(bytes.count, 1500)).write(to: db)
        try? FileManager.default.removeItem(atPath: db.path + "-wal")
        try? FileManager.default.removeItem(atPath: db.path + "-shm")
        try FileManager.default.removeItem(at: dir.appendingPathComponent("out"))
        try FileManager.default.removeItem(at: dir.appendingPathComponent(".troupe/cache/sha256"))
        let second = try await troupeAsync(["run", "--time-scale", "50", "--poll-interval", "1"], in: dir, environment: env)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(await sim.stats().creates == creates, "nothing is created (paid) again")
        for name in ["out/renders/c0/k0.mp4", "out/renders/c1/k1.mp4"] {
            #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent(name).path), "\(name)")
        }
        let verify = try await troupeAsync(["verify"], in: dir, environment: env)
        #expect(verify.status == 0, "\(verify.stderr)")
    }

    @Test func afterAGracefulStopTheLockListsOnlyWhatExists() async throws {
        // Several timings: the SIGINT lands before, between and after post-steps.
        for delay in [800, 1500, 2500, 4000] {
            let p = try await project()
            let process = Process()
            process.executableURL = SignalsAndPipesTests.binary
            process.arguments = ["run", "--concurrency", "1"]
            process.currentDirectoryURL = p.dir
            process.standardOutput = FileHandle.nullDevice
            process.standardError = FileHandle.nullDevice
            try process.run()
            try await Task.sleep(for: .milliseconds(delay))
            kill(process.processIdentifier, SIGINT)
            let deadline = Date().addingTimeInterval(60)
            while process.isRunning, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
            process.waitUntilExit()
            // Before the run has started (still planning), SIGINT ends it as it ends any program.
            #expect(process.terminationReason == .uncaughtSignal || [0, 130].contains(process.terminationStatus))
            let data = (try? Data(contentsOf: p.dir.appendingPathComponent("troupe.lock"))) ?? Data("{}".utf8)
            let lock = try #require(try JSONSerialization.jsonObject(with: data) as? [String: Any])
            for name in ((lock["outputs"] as? [String: Any]) ?? [:]).keys {
                #expect(FileManager.default.fileExists(atPath: p.dir.appendingPathComponent("out/\(name).mp4").path),
                        "the lock lists output \(name), whose export is not there (SIGINT after \(delay) ms)")
            }
        }
    }

    @Test func initWritesTheSchemaAnEditorLoadsOffline() async throws {
        let p = try await project()
        let manifest = try String(contentsOf: p.dir.appendingPathComponent("troupe.yaml"), encoding: .utf8)
        #expect(manifest.hasPrefix("# yaml-language-server: $schema=.troupe-schema/manifest.schema.json\n"))
        let copy = try Data(contentsOf: p.dir.appendingPathComponent(".troupe-schema/manifest.schema.json"))
        let original = try Data(contentsOf: repoRoot.appendingPathComponent("schemas/manifest.schema.json"))
        #expect(copy == original, "scripts/embed-schema.sh regenerates the copy troupe init writes")
    }

    @Test func fileSystemErrorsAreSaidInPlainWords() async throws {
        let p = try await project()
        // A file where troupe makes its output folder.
        try Data("not a folder".utf8).write(to: p.dir.appendingPathComponent("out"))
        let run = try await troupeAsync(["run"], in: p.dir)
        #expect(run.status == 1)
        #expect(run.stderr.contains("out: is not a folder"), "\(run.stderr)")
        #expect(!run.stderr.contains("NSCocoaErrorDomain") && !run.stderr.contains("Code="), "\(run.stderr)")
        // A folder troupe init cannot make.
        let initInFile = try await troupeAsync(["init", "/dev/null/demo"], in: p.dir)
        #expect(initInFile.status == 1)
        #expect(initInFile.stderr == "error: /dev/null/demo: a part of the path is not a folder\n", "\(initInFile.stderr)")
        // A FIFO given as a clip.
        let fifo = p.dir.appendingPathComponent("media/pipe.mp4").path
        #expect(mkfifo(fifo, 0o644) == 0)
        let manifest = p.dir.appendingPathComponent("troupe.yaml")
        try String(contentsOf: manifest, encoding: .utf8).replacingOccurrences(of: "media/hop.mp4", with: "media/pipe.mp4")
            .write(to: manifest, atomically: true, encoding: .utf8)
        let validate = try await troupeAsync(["validate"], in: p.dir)
        #expect(validate.status == 2)
        #expect(validate.stderr.contains("not a regular file"), "\(validate.stderr)")
        #expect(!validate.stderr.contains("no such file"), "\(validate.stderr)")
    }

    @Test func anOutputTrimLongerThanItsInputsIsAValidateError() async throws {
        let p = try await project()
        let manifest = p.dir.appendingPathComponent("troupe.yaml")
        let text = try String(contentsOf: manifest, encoding: .utf8)
        try text.replacingOccurrences(of: "trim: [0, 12]", with: "trim: [0, 40]").write(to: manifest, atomically: true, encoding: .utf8)
        let line = text.split(separator: "\n", omittingEmptySubsequences: false).firstIndex { $0.contains("trim: [0, 12]") }! + 1
        let r = try await troupeAsync(["validate"], in: p.dir)
        #expect(r.status == 2)
        #expect(r.stderr.contains("troupe.yaml:\(line):"), "\(r.stderr)")
        #expect(r.stderr.contains("output 'showreel' is trimmed to end at 40 s, but its inputs last 18 s"), "\(r.stderr)")
    }
}
