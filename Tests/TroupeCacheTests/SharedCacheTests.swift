import Foundation
import Testing
import TroupeNet
import TroupeSupport
import TroupeTestSupport
@testable import TroupeCache

/// The shared cache against a real moto_server: what one machine pushes another pulls, proved
/// by its hash; an object in S3 that does not hash to its name is refused, never adopted.
@Suite(.serialized) struct SharedCacheTests {
    func folder() throws -> String {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-shared-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try ResultCache.checkStateFolder(dir + "/.troupe")
        return dir
    }

    func object(_ text: String, in cache: ResultCache) throws -> String {
        let file = try cache.temporaryFile()
        try (Data(text.utf8) + Data(repeating: 9, count: 50_000)).write(to: URL(fileURLWithPath: file))
        return try cache.ingest(file).sha256
    }

    @Test func whatOneMachinePushesAnotherPullsAndADamagedObjectIsRefused() async throws {
        let moto = try await MotoServer.launch()
        defer { moto.terminate() }
        let shared = try SharedCache(location: SharedCacheLocation(bucket: "team-cache", prefix: "studio/cache", endpoint: moto.endpoint),
                                     credentials: S3Credentials(accessKeyID: "test", secretAccessKey: "test"), http: HTTPClient())
        try await shared.store.createBucket()
        let a = try folder(), b = try folder()
        defer { try? FileManager.default.removeItem(atPath: a); try? FileManager.default.removeItem(atPath: b) }
        let here = ResultCache(stateDirectory: a + "/.troupe"), there = ResultCache(stateDirectory: b + "/.troupe")

        let sha = try object("render-\(UUID())", in: here)
        #expect(try await shared.push(sha, from: here))
        #expect(try await !shared.push(sha, from: here), "already there: a HEAD, no upload")
        #expect(shared.key(sha) == "studio/cache/sha256/" + sha)

        #expect(try await shared.pull(sha, into: there))
        #expect(there.verify(sha))
        #expect(try await !shared.pull(String(repeating: "ab", count: 32), into: there), "absent: false, not an error")
        let listed = try await shared.list()
        #expect(listed.map(\.sha256) == [sha] && listed[0].bytes == Int(FileStats.statNow(here.path(of: sha))!.size))

        // Someone stored other bytes under a digest's name: refused, the temp file removed.
        let real = try object("post-\(UUID())", in: here)
        let wrong = try here.temporaryFile()
        try Data("not it".utf8).write(to: URL(fileURLWithPath: wrong))
        defer { unlink(wrong) }
        try await shared.store.put(file: wrong, key: shared.key(real))
        #expect(try await !shared.pull(real, into: there))
        #expect(!there.contains(real))
        #expect(try FileManager.default.contentsOfDirectory(atPath: there.temporaryDirectory).isEmpty)
        #expect(shared.log.warnings.count == 1 && shared.log.warnings[0].contains("does not hash to its name"))
        // The next push of the real object overwrites the damaged one.
        #expect(try await shared.push(real, from: here))
        #expect(try await shared.pull(real, into: there) && there.verify(real))
    }

    @Test func cacheURLs() throws {
        let full = try SharedCacheLocation.parse("s3://studio-renders/team/cache?region=eu-west-1&endpoint=http://127.0.0.1:9000")
        #expect(full == SharedCacheLocation(bucket: "studio-renders", prefix: "team/cache/", region: "eu-west-1", endpoint: "http://127.0.0.1:9000"))
        #expect(try SharedCacheLocation.parse("s3://bkt") == SharedCacheLocation(bucket: "bkt"))
        #expect(try SharedCacheLocation.parse("s3://bkt/p/").prefix == "p/")
        for bad in ["https://bkt/x", "s3://AKIA:secret@bkt/x", "s3://b/x", "s3://bkt/x?regin=us", "s3://bkt?endpoint=ftp://h"] {
            #expect(throws: SharedCacheLocation.Invalid.self) { try SharedCacheLocation.parse(bad) }
        }
        do {
            _ = try SharedCacheLocation.parse("s3://AKIA:topsecret@bkt/x")
        } catch {
            #expect(!error.description.contains("topsecret"), "a secret in the URL is never echoed")
            #expect(error.description.contains("write s3://BUCKET/PREFIX"))
        }
    }
}
