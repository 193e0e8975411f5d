import Foundation
import TroupeProviders
import TroupeSupport
import Testing
import KlingSim
import TroupeTestSupport
import TroupeManifest
import TroupePlan
@testable import TroupeRun
import TroupeCache
import TroupeState

/// Stops the run the moment a post-step is done: before its export can start.
final class StopAfterFirstPost: RunObserver, @unchecked Sendable {
    var executor: Executor?
    func observe(_ event: RunEvent) {
        if event.kind == .jobDone, event.jobKind == "post" { executor?.requestStop() }
    }
    func flush() {}
}

@Suite(.serialized) struct SafeOnDiskRunTests {
    /// Appends bytes to a read-only cache object, as a program writing through an export would.
    func damage(_ cache: ResultCache, _ sha: String) throws {
        let path = cache.path(of: sha)
        chmod(path, 0o644)
        let h = try #require(FileHandle(forWritingAtPath: path))
        _ = try h.seekToEnd()
        try h.write(contentsOf: Data("14 bytes here!".utf8))
        try h.close()
        chmod(path, 0o444)
    }

    @Test func aDamagedRenderIsQuarantinedAndMadeAgainBeforeAPostStepUsesIt() async throws {
        let p = try Project()
        #expect(try await p.run().failed.isEmpty)
        let lock = try #require(try Lockfile.read(p.dir + "/troupe.lock"))
        let render = try #require(lock.renders["mochi/hop"]?.sha256)
        try damage(p.cache, render)
        // A changed post-step needs the render again.
        try p.edit { $0.replacingOccurrences(of: "trim: [0, 12]", with: "trim: [0, 11]") }
        let cache = ResultCache(stateDirectory: p.state)
        let executor = await Executor(plan: try p.plan(), store: p.store, cache: cache, backend: PreviewProvider(),
                                observer: Observers([]), options: RunOptions())
        let summary = try await executor.run()
        #expect(summary.failed.isEmpty, "\(summary.failed)")
        let q = try #require(cache.quarantined.entries.first)
        #expect(q.sha256 == render && q.job == "render:mochi/hop", "\(cache.quarantined.entries)")
        #expect(q.movedTo.hasPrefix(".troupe/quarantine/"))
        #expect(FileManager.default.fileExists(atPath: p.dir + "/" + q.movedTo))
        // Every result the lock lists hashes to its name, the export included.
        let after = try #require(try Lockfile.read(p.dir + "/troupe.lock"))
        for sha in after.renders.values.compactMap(\.sha256) + after.outputs.values.compactMap(\.sha256) {
            #expect(cache.verify(sha))
        }
        #expect(try DigestCache.hashFile(p.dir + "/out/renders/mochi/hop.mp4") == after.renders["mochi/hop"]?.sha256)
    }

    @Test func anInputDamagedDuringTheRunFailsItsJobNamingIt() throws {
        let p = try Project()
        let file = try p.cache.temporaryFile()
        try Data("a result".utf8).write(to: URL(fileURLWithPath: file))
        let (sha, _) = try p.cache.ingest(file)
        #expect(try p.cache.checkedInput(sha, for: "post:reel") == p.cache.path(of: sha))
        try damage(p.cache, sha)
        #expect(throws: ResultCache.Damaged.self) { try p.cache.checkedInput(sha, for: "post:reel") }
        #expect(!p.cache.contains(sha))
        let message = "\(p.cache.quarantined.entries)"
        #expect(message.contains("post:reel"))
    }

    @Test func aDamagedFetchedRenderIsDownloadedAgainWithoutPaying() async throws {
        let sim = try await SimCampaign.simulator()
        defer { Task { await sim.stop() } }
        let p = try SimCampaign(RemoteManifest.text(characters: 2, clips: 2), sim: sim)
        #expect(try await p.run().failed.isEmpty)
        let creates = await sim.stats().creates
        let sha = try #require(try p.lock?.renders["c1/k0"]?.sha256)
        try damage(p.cache, sha)
        let second = try await p.run()
        #expect(second.failed.isEmpty, "\(second.failed)")
        #expect(await sim.stats().creates == creates)
        #expect(p.cache.verify(sha))
        #expect(p.cache.quarantined.entries.map(\.job) == ["render:c1/k0"])
        #expect(try DigestCache.hashFile(p.dir + "/out/renders/c1/k0.mp4") == sha)
    }

    @Test func theTempFolderIsMadeAgainWhenSomethingRemovedIt() throws {
        let p = try Project()
        let first = try p.cache.temporaryFile()
        try FileManager.default.removeItem(atPath: p.cache.temporaryDirectory)
        let second = try p.cache.temporaryFile()
        #expect(first != second)
        #expect(FileManager.default.createFile(atPath: second, contents: Data("x".utf8)))
    }

    @Test func aStopBetweenAPostStepAndItsExportLeavesItOutOfTheLock() async throws {
        let p = try Project()
        let observer = StopAfterFirstPost()
        var options = RunOptions()
        options.localConcurrency = 1
        let executor = await Executor(plan: try p.plan(), store: p.store, cache: p.cache, backend: PreviewProvider(),
                                observer: observer, options: options)
        observer.executor = executor
        let summary = try await executor.run()
        #expect(summary.interrupted)
        let lock = try #require(try Lockfile.read(p.dir + "/troupe.lock"))
        #expect(!lock.renders.isEmpty, "paid renders are always recorded")
        for name in lock.outputs.keys {
            #expect(FileManager.default.fileExists(atPath: p.dir + "/out/\(name).mp4"), "the lock lists \(name), which is not in out/")
        }
        // The next run makes the rest and lists it.
        #expect(try await p.run().failed.isEmpty)
        #expect(try Lockfile.read(p.dir + "/troupe.lock")?.outputs.count == 3)
    }

    @Test func storesCreatedTogetherOnAFreshFolderAllOpen() async throws {
        for _ in 0..<5 {
            let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-race-\(UUID().uuidString)").path
            defer { try? FileManager.default.removeItem(atPath: dir) }
            let errors = try await withThrowingTaskGroup(of: String?.self) { group in
                for _ in 0..<6 {
                    group.addTask {
                        try await offThread {
                            do { _ = try StateStore(path: dir + "/.troupe/state.sqlite"); return nil } catch { return "\(error)" }
                        }
                    }
                }
                return try await group.reduce(into: [String]()) { if let e = $1 { $0.append(e) } }
            }
            #expect(errors.isEmpty, "\(errors)")
        }
    }

    @Test func aDamagedDatabaseIsMovedAsideAndTheRecoveryRecorded() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-damaged-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let path = dir + "/state.sqlite"
        try Data(repeating: 0x41, count: 8192).write(to: URL(fileURLWithPath: path))
        #expect(throws: (any Error).self) { try StateStore(path: path) }
        let (store, recovered) = try StateStore.openRecovering(path: path)
        let r = try #require(recovered)
        #expect(r.movedTo.hasPrefix("state.sqlite.damaged-"))
        #expect(FileManager.default.fileExists(atPath: dir + "/" + r.movedTo))
        #expect(try store.recoveries().count == 1)
        // A healthy one is left as it is.
        let (_, again) = try StateStore.openRecovering(path: path)
        #expect(again == nil)
    }

    @Test func theProjectFolderRefusesSymlinksAndPathsOutside() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-folder-\(UUID().uuidString)").path
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir + "/elsewhere", withIntermediateDirectories: true)
        try FileManager.default.createDirectory(atPath: dir + "/p", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: dir + "/p/out", withDestinationPath: dir + "/elsewhere")
        var project = ProjectFolder(root: dir + "/p")
        #expect(throws: ProjectFolder.Refused.self) { try project.checkWritable(dir + "/p/out/renders/x.mp4") }
        #expect(throws: ProjectFolder.Refused.self) { try project.checkWritable(dir + "/p/out") }
        #expect(throws: ProjectFolder.Refused.self) { try project.checkWritable(dir + "/elsewhere/x.mp4") }
        #expect(throws: ProjectFolder.Refused.self) { try project.checkWritable(dir + "/p/a/../../elsewhere/x.mp4") }
        #expect(try FileManager.default.contentsOfDirectory(atPath: dir + "/elsewhere").isEmpty)
        try project.checkWritable(dir + "/p/a/b/c.txt")
        #expect(FileManager.default.fileExists(atPath: dir + "/p/a/b"))
        project.symlinkAllowed = "out"
        try project.checkWritable(dir + "/p/out/renders/x.mp4")
        #expect(FileManager.default.fileExists(atPath: dir + "/elsewhere/renders"))
        // Only out itself: a symlink further down is refused still.
        try FileManager.default.createSymbolicLink(atPath: dir + "/p/a/b/link", withDestinationPath: dir + "/elsewhere")
        #expect(throws: ProjectFolder.Refused.self) { try project.checkWritable(dir + "/p/a/b/link/x.mp4") }
    }
}

/// Blocking work on a dispatch thread, not the cooperative pool.
func offThread<T: Sendable>(_ work: @escaping @Sendable () throws -> T) async throws -> T {
    try await withCheckedThrowingContinuation { continuation in
        DispatchQueue.global().async {
            do { continuation.resume(returning: try work()) } catch { continuation.resume(throwing: error) }
        }
    }
}
