import Foundation
import TroupeProviders
import Testing
import TroupeManifest
import TroupeMedia
import TroupePlan
import TroupeSupport
@testable import TroupeRun
import TroupeCache
import TroupeInit
@testable import TroupeState

/// A fresh `troupe init` project in a temporary folder.
final class Project: @unchecked Sendable {
    let dir: String
    var manifest: String { dir + "/troupe.yaml" }
    var state: String { dir + "/.troupe" }
    let store: StateStore
    var cache: ResultCache

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-run-\(UUID().uuidString)").path
        try ExampleProject.write(to: dir)
        store = try StateStore(path: dir + "/.troupe/state.sqlite")
        cache = ResultCache(stateDirectory: dir + "/.troupe")
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    func plan() async throws -> Plan {
        let lock = try Lockfile.read(Campaign.lockPath(forManifest: manifest))
        let c = Campaign.open(manifest: manifest, status: try await StoreStatus(lock: lock, store: store, cache: cache))
        guard let p = c.plan else { throw RunError.unsupported(c.diagnostics.map(\.message).joined(separator: "\n")) }
        return p
    }

    func run(_ options: RunOptions = RunOptions()) async throws -> RunSummary {
        let executor = await Executor(plan: try plan(), store: store, cache: cache, backend: PreviewProvider(),
                                observer: Observers([]), options: options)
        return try await executor.run()
    }

    func edit(_ transform: (String) -> String) throws {
        let text = try String(contentsOfFile: manifest, encoding: .utf8)
        try transform(text).write(toFile: manifest, atomically: true, encoding: .utf8)
    }
}

@Suite(.serialized) struct ExecutorTests {
    /// out/ on another file system than the cache (/dev/shm, a tmpfs, against the temp
    /// folder, through an allowed `out` symlink): exports are copies made by a job of their own, whole and equal to their cache
    /// object; a second run finds them by content and does nothing; a damaged copy is made again.
    @Test func exportsToAnotherFileSystemAreCopiedAndFoundAgain() async throws {
        guard let shm = FileStats.statNow("/dev/shm"), let tmp = FileStats.statNow(FileManager.default.temporaryDirectory.path),
              shm.device != tmp.device else {
            Issue.record("this test needs /dev/shm on another file system than \(FileManager.default.temporaryDirectory.path)")
            return
        }
        // A studio's out/ on a shared drive: a symlink troupe is told it may follow.
        let p = try Project()
        let shared = "/dev/shm/troupe-out-\(UUID().uuidString)"
        try FileManager.default.createDirectory(atPath: shared, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: shared) }
        try FileManager.default.createSymbolicLink(atPath: p.dir + "/out", withDestinationPath: shared)
        p.cache.project.symlinkAllowed = "out"
        let first = try await p.run()
        #expect(first.failed.isEmpty && first.done == 16, "\(first.failed)")
        let lock = try #require(try Lockfile.read(p.dir + "/troupe.lock"))
        let wave = p.dir + "/out/renders/mochi/wave.mp4"
        let exported = try #require(FileStats.statNow(wave)), object = try #require(FileStats.statNow(p.cache.path(of: lock.renders["mochi/wave"]!.sha256!)))
        #expect(exported.device != object.device && exported.size == object.size)
        #expect(try Data(contentsOf: URL(fileURLWithPath: wave)) == Data(contentsOf: URL(fileURLWithPath: p.cache.path(of: lock.renders["mochi/wave"]!.sha256!))))
        let second = try await p.run()
        #expect(second.done == 0 && second.alreadyDone == 16)
        // A copy altered in place is no longer the render: made again from the cache.
        let handle = try #require(FileHandle(forWritingAtPath: wave))
        try handle.seek(toOffset: 100)
        try handle.write(contentsOf: Data("damage".utf8))
        try handle.close()
        let third = try await p.run()
        #expect(third.done == 1 && third.exported == ["out/renders/mochi/wave.mp4"])
        #expect(try DigestCache.hashFile(wave) == lock.renders["mochi/wave"]!.sha256!)
    }

    @Test func demoRunsEndToEndAndASecondRunDoesNothing() async throws {
        let p = try Project()
        let first = try await p.run()
        #expect(first.failed.isEmpty, "\(first.failed)")
        #expect(first.done == 16 && first.alreadyDone == 0)

        // Renders: billed seconds at the std height; outputs: concatenations, the showreel trimmed.
        let wave = try MediaProbe.probe(p.dir + "/out/renders/mochi/wave.mp4")
        #expect(wave.height == 720 && abs(wave.durationSeconds - 4) < 0.1)
        #expect(wave.hasAudio)
        let reel = try MediaProbe.probe(p.dir + "/out/mochi-reel.mp4")
        #expect(abs(reel.durationSeconds - 9) < 0.1)
        let showreel = try MediaProbe.probe(p.dir + "/out/showreel.mp4")
        #expect(abs(showreel.durationSeconds - 12) < 0.1)

        let lock = try #require(try Lockfile.read(p.dir + "/troupe.lock"))
        #expect(Set(lock.renders.keys) == ["mochi/hop", "mochi/wave", "pip/hop", "pip/wave"])
        #expect(Set(lock.outputs.keys) == ["mochi-reel", "pip-reel", "showreel"])
        #expect(lock.elements["mochi"] != nil)
        #expect(lock.renders.values.allSatisfy { $0.sha256.map(p.cache.verify) == true })

        let second = try await p.run()
        #expect(second.done == 0 && second.alreadyDone == 16 && second.failed.isEmpty)
        #expect(try await p.plan().jobs.filter { $0.kind == .render }.allSatisfy { $0.status != .new })
        #expect(Maintenance.verify(lock: lock, cache: p.cache, baseDirectory: p.dir).isEmpty)
    }

    @Test func changingAPromptRerunsOnlyWhatDependsOnIt() async throws {
        let p = try Project()
        _ = try await p.run()
        try p.edit {
            $0.replacingOccurrences(of: "  - characters: [\"*\"]\n    clips: [\"*\"]\n",
                                    with: "  - characters: [mochi]\n    clips: [\"*\"]\n"
                                        + "  - characters: [pip]\n    clips: [\"*\"]\n    with: {prompt: \"pip, brighter\"}\n")
        }
        let plan = try await p.plan()
        let newRenders = plan.jobs.filter { $0.kind == .render && $0.status == .new }.map(\.id).sorted()
        #expect(newRenders == ["render:pip/hop", "render:pip/wave"])
        let summary = try await p.run()
        // pip's two renders, their exports, pip-reel and showreel with their exports.
        #expect(summary.done == 2 + 2 + 2 + 2, "\(summary)")
    }

    @Test func onlyRunsTheNamedCellsAndWhatTheyNeed() async throws {
        let p = try Project()
        var options = RunOptions()
        options.only = ["mochi/*"]
        let s = try await p.run(options)
        #expect(s.failed.isEmpty)
        #expect(FileManager.default.fileExists(atPath: p.dir + "/out/renders/mochi/wave.mp4"))
        #expect(!FileManager.default.fileExists(atPath: p.dir + "/out/renders/pip/wave.mp4"))
        #expect(!FileManager.default.fileExists(atPath: p.dir + "/out/showreel.mp4"))
    }

    @Test func verifyNoticesACorruptCacheObjectAndGCKeepsWhatIsReferenced() async throws {
        let p = try Project()
        _ = try await p.run()
        let lock = try #require(try Lockfile.read(p.dir + "/troupe.lock"))
        let sha = try #require(lock.renders["pip/hop"]?.sha256)
        let path = p.cache.path(of: sha)
        var bytes = try Data(contentsOf: URL(fileURLWithPath: path))
        bytes[bytes.count / 2] ^= 0xFF
        // Bit rot in place (objects are read-only; this is the disk, not a program). The export
        // is a hard link to the object, so it shows the damage too.
        chmod(path, 0o644)
        try bytes.write(to: URL(fileURLWithPath: path))
        // The object is reported; its export is the same file, so it is not counted twice.
        let problems = Maintenance.verify(lock: lock, cache: p.cache, baseDirectory: p.dir)
        #expect(problems.map(\.kind) == [.corruptObject])
        #expect(problems.allSatisfy { $0.subject == "render pip/hop" })
        #expect(problems.contains { $0.description.contains("does not match its hash") })

        // An unreferenced object goes; referenced ones stay.
        let stray = try p.cache.temporaryFile()
        try Data("stray".utf8).write(to: URL(fileURLWithPath: stray))
        let (strayHash, _) = try p.cache.ingest(stray)
        let before = p.cache.objects().count
        let dry = try Maintenance.gc(locks: [lock], cache: p.cache, dryRun: true)
        #expect(dry.objects.map(\.sha256).contains(strayHash) && p.cache.contains(strayHash))
        let removed = try Maintenance.gc(locks: [lock], cache: p.cache).objects.count
        #expect(removed == dry.objects.count)
        #expect(!p.cache.contains(strayHash))
        #expect(p.cache.objects().count == before - removed)
        // What the lock records is all still there.
        #expect(Maintenance.verify(lock: lock, cache: p.cache, baseDirectory: p.dir).map(\.kind) == [.corruptObject])
    }

    @Test func stateStoreLedgerIsAppendOnlyAndMigrationsAreIdempotent() throws {
        let p = try Project()
        var r = JobRecord(key: "k1", id: "render:a/b", kind: .render, now: Date())
        r.externalTaskId = "troupe-k1"
        try p.store.commitIntent(r, at: Date())
        r.state = .submitted
        try p.store.save(r, ledger: "created", detail: "task 1", at: Date())
        let again = try StateStore(path: p.state + "/state.sqlite")
        #expect(try again.record("k1")?.state == .submitted)
        #expect(try again.ledger().map(\.event) == ["intent", "created"])
        #expect(throws: (any Error).self) { try again.rawExecute("UPDATE ledger SET event = 'x'") }
        #expect(throws: (any Error).self) { try again.rawExecute("DELETE FROM ledger") }
    }
}
