import Foundation
import Testing
import TroupeSupport

@Suite struct TemporaryFilesTests {
    static func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-tmp-\(UUID().uuidString)").path
        try AtomicFile.makeFolder(dir)
        return dir
    }

    /// A process that has exited and been reaped: its pid answers ESRCH.
    static func deadPid() throws -> Int32 {
        let p = Process()
        p.executableURL = URL(fileURLWithPath: "/bin/true")
        try p.run()
        p.waitUntilExit()
        return p.processIdentifier
    }

    @Test func namesAreHiddenBesideTheTargetAndNameTheirProcess() {
        let temp = TemporaryFiles.path(beside: "/a/b/clip.mp4")
        #expect(temp.hasPrefix("/a/b/.clip.mp4.troupe-tmp.\(getpid())."))
        #expect(!temp.hasSuffix(".mp4"))
        #expect(TemporaryFiles.path(beside: "/a/b/clip.mp4", keepingExtension: true).hasSuffix(".mp4"))
        #expect(TemporaryFiles.path(beside: "plain").hasPrefix(".plain.troupe-tmp."))
        #expect(TemporaryFiles.path(beside: "x") != TemporaryFiles.path(beside: "x"))
        #expect(TemporaryFiles.isTemporary(name: (temp as NSString).lastPathComponent))
        #expect(!TemporaryFiles.isTemporary(name: "clip.mp4"))
        #expect(!TemporaryFiles.isTemporary(name: ".clip.mp4.troupe-tmp.x.y"))
        #expect(!TemporaryFiles.isTemporary(name: ".clip.troupe-tmp.0.y"))
    }

    @Test func removeStaleRemovesOnlyDeadProcessesFiles() throws {
        let dir = try Self.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let dead = try Self.deadPid()
        let mine = TemporaryFiles.path(beside: dir + "/mine.mp4")
        let names = [
            "deadA": ".a.troupe-tmp.\(dead).zz-1",
            "deadB": ".b.mp4.troupe-tmp.\(dead).zz-2.mp4",
            "parent": ".c.troupe-tmp.\(getppid()).zz-3",
            "samePidEarlierProcess": ".d.troupe-tmp.\(getpid()).earlier-1",
            "ordinary": "e.mp4",
            "lookalike": "f.troupe-tmp.\(dead).zz-4",
        ]
        for name in names.values { _ = FileManager.default.createFile(atPath: dir + "/" + name, contents: Data("x".utf8)) }
        _ = FileManager.default.createFile(atPath: mine, contents: Data("x".utf8))
        try FileManager.default.createDirectory(atPath: dir + "/.g.troupe-tmp.\(dead).zz-5", withIntermediateDirectories: false)

        let removed = Set(TemporaryFiles.removeStale(in: dir).map { ($0 as NSString).lastPathComponent })
        #expect(removed == [names["deadA"]!, names["deadB"]!, names["samePidEarlierProcess"]!])
        let left = Set(try FileManager.default.contentsOfDirectory(atPath: dir))
        #expect(left == [names["parent"]!, names["ordinary"]!, names["lookalike"]!, (mine as NSString).lastPathComponent,
                         ".g.troupe-tmp.\(dead).zz-5"])
        #expect(TemporaryFiles.removeStale(in: dir + "/absent").isEmpty)
    }
}

@Suite struct AtomicFileTests {
    @Test func writeCopyAndCommitLeaveOnlyTheTarget() throws {
        let dir = try TemporaryFilesTests.folder()
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try AtomicFile.write(Array("one".utf8), to: dir + "/sub/a.txt")
        try AtomicFile.write(Array("two".utf8), to: dir + "/sub/a.txt")
        #expect(try String(contentsOfFile: dir + "/sub/a.txt", encoding: .utf8) == "two")
        try AtomicFile.copy(dir + "/sub/a.txt", to: dir + "/b.txt")
        #expect(try String(contentsOfFile: dir + "/b.txt", encoding: .utf8) == "two")
        let temp = TemporaryFiles.path(beside: dir + "/c.mp4", keepingExtension: true)
        _ = FileManager.default.createFile(atPath: temp, contents: Data("three".utf8))
        try AtomicFile.commit(temporary: temp, to: dir + "/c.mp4")
        #expect(try String(contentsOfFile: dir + "/c.mp4", encoding: .utf8) == "three")
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir)) == ["sub", "b.txt", "c.mp4"])
        #expect(throws: AtomicFile.WriteError.self) { try AtomicFile.write([1], to: dir + "/none/x", makingFolder: false) }
        #expect(throws: AtomicFile.WriteError.self) { try AtomicFile.copy(dir + "/absent", to: dir + "/d") }
        #expect(Set(try FileManager.default.contentsOfDirectory(atPath: dir)) == ["sub", "b.txt", "c.mp4"])
    }
}
