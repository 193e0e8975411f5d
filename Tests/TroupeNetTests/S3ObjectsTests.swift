import Foundation
import Testing
@testable import TroupeNet
import TroupeTestSupport

/// GET to a file, multipart PUT, LIST with continuation: against a real moto_server.
@Suite(.motoServer)
struct S3ObjectsTests {
    let http = HTTPClient()
    let credentials = S3Credentials(accessKeyID: "testing", secretAccessKey: "testing-secret")

    func store(threshold: Int? = nil, partSize: Int? = nil) async throws -> S3Store {
        let moto = try #require(MotoServer.current)
        var configuration = S3Configuration(bucket: "troupe-objects", endpoint: moto.endpoint, prefix: "")
        if let threshold { configuration.multipartThreshold = threshold }
        if let partSize { configuration.partSize = partSize }
        let store = try S3Store(configuration: configuration, credentials: credentials, http: http)
        try await store.createBucket()
        return store
    }

    func temporaryPath() -> String {
        FileManager.default.temporaryDirectory.appendingPathComponent("s3obj-\(UUID())").path
    }

    @Test func putThenDownloadGivesTheBytesAndTheirHash() async throws {
        let store = try await store()
        let source = temporaryPath(), copy = temporaryPath()
        defer { unlink(source); unlink(copy) }
        let contents = Data("result-\(UUID())".utf8) + Data(repeating: 3, count: 100_000)
        try contents.write(to: URL(fileURLWithPath: source))
        let key = "team/sha256/\(UUID())"
        try await store.put(file: source, key: key)
        let got = try #require(try await store.download(key: key, toNew: copy))
        #expect(got.bytes == contents.count)
        #expect(got.sha256 == (try S3Store.digest(of: source)).0)
        #expect(FileManager.default.contents(atPath: copy) == contents)
    }

    @Test func aMissingObjectIsNilAndLeavesNoFile() async throws {
        let store = try await store()
        let copy = temporaryPath()
        #expect(try await store.download(key: "team/sha256/none-\(UUID())", toNew: copy) == nil)
        #expect(!FileManager.default.fileExists(atPath: copy))
    }

    /// 12 MB in 5 MiB parts: three parts (the last one short), reassembled byte for byte.
    @Test func largeFilesGoUpInParts() async throws {
        let partSize = 5 << 20
        let store = try await store(threshold: 6 << 20, partSize: partSize)
        let source = temporaryPath(), copy = temporaryPath()
        defer { unlink(source); unlink(copy) }
        var contents = Data(count: 12_000_000)
        contents.withUnsafeMutableBytes { raw in
            for i in 0..<raw.count { raw[i] = UInt8(truncatingIfNeeded: i &* 2_654_435_761 >> 13) }
        }
        try contents.write(to: URL(fileURLWithPath: source))
        let key = "big/\(UUID())"
        try await store.put(file: source, key: key)
        let got = try #require(try await store.download(key: key, toNew: copy))
        #expect(got.bytes == contents.count)
        #expect(got.sha256 == (try S3Store.digest(of: source)).0)
        // S3 names a multipart object's ETag by its part count.
        let head = try await http.send(HTTPRequest(method: "HEAD", url: store.presignedURL(method: "HEAD", key: key)))
        #expect(head.headers["ETag"]?.hasSuffix("-3\"") == true)
    }

    @Test func listFollowsContinuationTokens() async throws {
        let store = try await store()
        let source = temporaryPath()
        defer { unlink(source) }
        try Data("x".utf8).write(to: URL(fileURLWithPath: source))
        let prefix = "list-\(UUID())/"
        for i in 0..<7 { try await store.put(file: source, key: prefix + "k\(i)&<\(i)>") }
        try await store.put(file: source, key: "other-\(UUID())")
        let objects = try await store.list(prefix: prefix, pageSize: 3)
        #expect(objects.map(\.key).sorted() == (0..<7).map { prefix + "k\($0)&<\($0)>" })
        #expect(objects.allSatisfy { $0.bytes == 1 })
    }

    @Test func operationParametersAreSignedInOrder() {
        let presigner = S3Presigner(credentials: credentials, region: "us-east-1")
        let url = presigner.presign(method: "GET", host: "h", path: "/b", expires: 60,
                                    query: ["prefix": "a b", "list-type": "2"], date: Date(timeIntervalSince1970: 0))
        #expect(url.contains("X-Amz-SignedHeaders=host&list-type=2&prefix=a%20b&X-Amz-Signature="))
    }
}
