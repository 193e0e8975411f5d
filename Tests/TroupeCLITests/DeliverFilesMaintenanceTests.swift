import Foundation
import Testing
import TroupeCache
import TroupePlan
import TroupeTestSupport

/// A deliverable's poster and GIF are outputs like its MP4: recorded in the lock, checked by
/// `troupe verify`, kept by `troupe gc` while the manifest makes them and collected once it no
/// longer does. Real files from the real binary on preview (small `size:` deliverables).
@Suite(.serialized) struct DeliverFilesMaintenanceTests {
    static let manifest = """
    troupe: 1
    name: deliver-files
    provider: {use: preview, model: kling-v3, mode: std}
    characters:
      pip: {image: media/pip.png}
    clips:
      hop: {video: media/hop.mp4}
    renders:
      - characters: ["*"]
        clips: ["*"]
    outputs:
      - name: keep
        from: pip/hop
        size: 320x180
        poster: 1.0
        gif: {width: 160, fps: 6, from: 0, to: 1}
      - name: drop
        from: pip/hop
        size: 240x240
        poster: 0.5
        gif: {width: 120, fps: 6, from: 0, to: 1}

    """

    @Test func postersAndGIFsAreLockedVerifiedKeptAndCollected() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-cli-deliver-files-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir.appendingPathComponent("media"), withIntermediateDirectories: true)
        for file in ["pip.png", "hop.mp4"] {
            try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("manifests/demo/media/" + file),
                                             to: dir.appendingPathComponent("media/" + file))
        }
        try Self.manifest.write(to: dir.appendingPathComponent("troupe.yaml"), atomically: true, encoding: .utf8)
        let out = dir.appendingPathComponent("out").path
        let run = try troupe(["run", "--report"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")

        // The lock records the stills beside the MP4s, with the exported files' digests.
        let lock = try #require(try Lockfile.read(dir.appendingPathComponent("troupe.lock").path))
        for name in ["keep", "keep.jpg", "keep.gif", "drop", "drop.jpg", "drop.gif"] {
            let file = out + "/" + Lockfile.exportFile(ofOutput: name)
            let entry = lock.outputs[name]
            #expect(entry?.sha256 != nil && entry?.sha256 == (try? DigestCache.hashFile(file)), "\(name)")
        }
        // The report's own pictures (out/report/posters/*.jpg) are not exports.
        #expect(FileManager.default.fileExists(atPath: out + "/report/index.html"))
        let ok = try troupe(["verify"], in: dir)
        #expect(ok.status == 0 && ok.stdout.contains("1 renders and 6 outputs match"), "\(ok.stdout)\(ok.stderr)")

        // A still missing or altered, and a stray one, are mismatches; run restores what it makes.
        try FileManager.default.removeItem(atPath: out + "/keep.gif")
        // Atomically: a new file, not written through the hard link into the cache object.
        try Data("not the poster".utf8).write(to: URL(fileURLWithPath: out + "/drop.jpg"), options: .atomic)
        try Data("GIF89a".utf8).write(to: URL(fileURLWithPath: out + "/stray.gif"), options: .atomic)
        let bad = try troupe(["verify"], in: dir)
        #expect(bad.status == 1)
        #expect(bad.stderr.contains("mismatch: output keep.gif: out/keep.gif is missing"), "\(bad.stderr)")
        #expect(bad.stderr.contains("mismatch: output drop.jpg: out/drop.jpg differs from the locked result"), "\(bad.stderr)")
        #expect(bad.stderr.contains("mismatch: file: out/stray.gif is made by no job of this manifest"), "\(bad.stderr)")
        try FileManager.default.removeItem(atPath: out + "/stray.gif")
        try FileManager.default.removeItem(atPath: out + "/drop.jpg")
        #expect(try troupe(["run"], in: dir).status == 0)
        #expect(try troupe(["verify"], in: dir).status == 0)

        // gc keeps every object the lock names, stills included.
        let cache = ResultCache(stateDirectory: dir.appendingPathComponent(".troupe").path)
        let live = lock.outputs.values.compactMap(\.sha256)
        let gc = try troupe(["gc"], in: dir)
        #expect(gc.status == 0, "\(gc.stderr)")
        #expect(live.allSatisfy { cache.contains($0) }, "\(gc.stdout)")

        // The deliverable removed from the manifest: its MP4, poster and GIF objects go together.
        let dropped = ["drop", "drop.jpg", "drop.gif"].compactMap { lock.outputs[$0]?.sha256 }
        #expect(dropped.count == 3)
        let shorter = Self.manifest.components(separatedBy: "  - name: drop\n")[0]
        try shorter.write(to: dir.appendingPathComponent("troupe.yaml"), atomically: true, encoding: .utf8)
        #expect(try troupe(["run"], in: dir).status == 0)
        let after = try #require(try Lockfile.read(dir.appendingPathComponent("troupe.lock").path))
        #expect(Set(after.outputs.keys) == ["keep", "keep.jpg", "keep.gif"])
        let dry = try troupe(["gc", "--dry-run"], in: dir)
        for sha in dropped { #expect(dry.stdout.contains(cache.path(of: sha)), "\(dry.stdout)") }
        #expect(try troupe(["gc"], in: dir).status == 0)
        #expect(dropped.allSatisfy { !cache.contains($0) })
        #expect(after.outputs.values.compactMap(\.sha256).allSatisfy { cache.contains($0) })
        // Their exports are left in out/, where verify names them for removal.
        let stale = try troupe(["verify"], in: dir)
        for file in ["out/drop.mp4", "out/drop.jpg", "out/drop.gif"] {
            #expect(stale.stderr.contains("mismatch: file: \(file) is made by no job of this manifest"), "\(stale.stderr)")
        }
    }
}
