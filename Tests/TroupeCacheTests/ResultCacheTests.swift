import Foundation
import Testing
import TroupeSupport
import TroupeManifest
@testable import TroupeCache

/// Objects are read-only; an export is a hard link to its object on the same file system and
/// a copy elsewhere; a download is adopted without being read again.
struct ResultCacheTests {
    let root = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-cache-\(UUID().uuidString)").path

    func makeObject(_ text: String, in cache: ResultCache) throws -> String {
        let file = try cache.temporaryFile()
        try Data(text.utf8).write(to: URL(fileURLWithPath: file))
        return try cache.ingest(file).sha256
    }

    /// A killed run's temp files carry its pid: the next run removes them; a live process's
    /// files (this one's) stay.
    @Test func staleTemporaryFilesOfDeadProcessesAreRemoved() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cache = ResultCache(stateDirectory: root + "/.troupe")
        let mine = try cache.temporaryFile()
        try Data("in progress".utf8).write(to: URL(fileURLWithPath: mine))
        // A pid that has just ended.
        let gone = Process()
        gone.executableURL = URL(fileURLWithPath: "/bin/true")
        try gone.run()
        gone.waitUntilExit()
        let dead = cache.temporaryDirectory + "/.job.mp4.troupe-tmp.\(gone.processIdentifier).zz9-4.mp4"
        try Data("left by a kill".utf8).write(to: URL(fileURLWithPath: dead))
        let other = cache.temporaryDirectory + "/notes.txt"
        try Data("not ours".utf8).write(to: URL(fileURLWithPath: other))
        #expect(cache.removeStaleTemporaries() == [dead])
        #expect(FileManager.default.fileExists(atPath: mine) && FileManager.default.fileExists(atPath: other))
        #expect(!FileManager.default.fileExists(atPath: dead))
    }

    @Test func exportIsAReadOnlyHardLinkOnTheSameFileSystem() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cache = ResultCache(stateDirectory: root + "/.troupe")
        let sha = try makeObject("a render", in: cache)
        let out = root + "/out/renders/mochi/hop.mp4"
        try cache.export(sha, to: out)
        let object = try #require(FileStats.statNow(cache.path(of: sha)))
        let exported = try #require(FileStats.statNow(out))
        #expect(exported.inode == object.inode && exported.device == object.device)
        let mode = try #require(try FileManager.default.attributesOfItem(atPath: out)[.posixPermissions] as? Int)
        #expect(mode & 0o222 == 0)
        // Again, and over an older file: the same object, nothing left behind.
        try cache.export(sha, to: out)
        let other = try makeObject("another render", in: cache)
        try cache.export(other, to: out)
        #expect(try String(contentsOfFile: out, encoding: .utf8) == "another render")
        #expect(try FileManager.default.contentsOfDirectory(atPath: root + "/out/renders/mochi") == ["hop.mp4"])
    }

    @Test func exportToAnotherFileSystemCopies() throws {
        let shm = "/dev/shm/troupe-export-\(UUID().uuidString)"
        guard FileManager.default.fileExists(atPath: "/dev/shm"),
              let here = FileStats.statNow(FileManager.default.temporaryDirectory.path),
              let there = FileStats.statNow("/dev/shm"), here.device != there.device else { return }
        defer {
            try? FileManager.default.removeItem(atPath: root)
            try? FileManager.default.removeItem(atPath: shm)
        }
        // A studio's out/ on another drive: a symlink it allowed (--allow-symlinked-out).
        var cache = ResultCache(stateDirectory: root + "/.troupe")
        cache.project.symlinkAllowed = "out"
        try FileManager.default.createDirectory(atPath: shm, withIntermediateDirectories: true)
        let sha = try makeObject("a render to copy", in: cache)
        try FileManager.default.createSymbolicLink(atPath: root + "/out", withDestinationPath: shm)
        try cache.export(sha, to: root + "/out/out.mp4")
        #expect(try String(contentsOfFile: shm + "/out.mp4", encoding: .utf8) == "a render to copy")
        #expect(FileStats.statNow(shm + "/out.mp4")?.inode != FileStats.statNow(cache.path(of: sha))?.inode)
        #expect(try FileManager.default.contentsOfDirectory(atPath: shm) == ["out.mp4"])
    }

    @Test func exportOfAMissingObjectSaysSo() throws {
        defer { try? FileManager.default.removeItem(atPath: root) }
        let cache = ResultCache(stateDirectory: root + "/.troupe")
        try FileManager.default.createDirectory(atPath: root, withIntermediateDirectories: true)
        #expect(throws: ResultCache.Failure.self) { try cache.export(String(repeating: "ab", count: 32), to: root + "/out/x.mp4") }
        #expect(!FileManager.default.fileExists(atPath: root + "/out/x.mp4"))
    }
}
