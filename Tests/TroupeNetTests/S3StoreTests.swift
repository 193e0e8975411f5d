import Foundation
import Testing
@testable import TroupeNet
import TroupeTestSupport

@Suite(.motoServer)
struct S3StoreTests {
    let http = HTTPClient()
    let credentials = S3Credentials(accessKeyID: "testing", secretAccessKey: "testing-secret")

    func store(bucket: String = "troupe-test", lifetime: Duration = .seconds(600)) async throws -> S3Store {
        let moto = try #require(MotoServer.current)
        let store = try S3Store(configuration: .init(bucket: bucket, endpoint: moto.endpoint, prefix: "inputs/", urlLifetime: lifetime),
                                credentials: credentials, http: http)
        try await store.createBucket()
        return store
    }

    func temporaryFile(_ contents: Data, ext: String = "mp4") throws -> String {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("s3-\(UUID()).\(ext)").path
        try contents.write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func uploadsOnceAndServesThePresignedURL() async throws {
        let store = try await store()
        let contents = Data("clip-\(UUID())".utf8) + Data(repeating: 7, count: 300_000)
        let first = try temporaryFile(contents), second = try temporaryFile(contents)
        defer { try? FileManager.default.removeItem(atPath: first); try? FileManager.default.removeItem(atPath: second) }

        let a = try await store.upload(file: first)
        #expect(a.uploaded)
        #expect(a.key == "inputs/" + a.sha256)
        #expect(a.bytes == contents.count)
        let b = try await store.upload(file: second)
        #expect(!b.uploaded, "same content is not uploaded twice")
        #expect(b.key == a.key)

        let download = FileManager.default.temporaryDirectory.appendingPathComponent("s3-dl-\(UUID())").path
        defer { try? FileManager.default.removeItem(atPath: download) }
        let (digest, bytes) = try await http.download(b.url, to: download)
        #expect(digest == a.sha256 && bytes == contents.count)
        #expect(a.url.contains("X-Amz-Expires=600"))
    }

    @Test func existsAnswersForMissingKeys() async throws {
        let store = try await store()
        #expect(try await store.exists(key: "inputs/none") == false)
    }

    @Test func missingBucketIsReportedWithS3sWords() async throws {
        let moto = try #require(MotoServer.current)
        _ = try await store(bucket: "missing-bucket-check")
        let store = try S3Store(configuration: .init(bucket: "no-such-bucket", endpoint: moto.endpoint), credentials: credentials, http: http)
        let file = try temporaryFile(Data("x".utf8))
        defer { try? FileManager.default.removeItem(atPath: file) }
        await #expect {
            _ = try await store.upload(file: file)
        } throws: { error in
            guard case .requestFailed(let status, _, _) = error as? S3Error else { return false }
            return status == 404
        }
    }
}
