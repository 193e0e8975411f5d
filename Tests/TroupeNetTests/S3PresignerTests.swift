import Foundation
import Testing
@testable import TroupeNet
import TroupeSupport

@Suite struct S3PresignerTests {
    static let example = S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE",
                                       secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")

    /// AWS's published "GET object presigned URL" example (SigV4 query-string auth).
    @Test func matchesAWSPublishedExample() {
        let presigner = S3Presigner(credentials: Self.example, region: "us-east-1")
        let url = presigner.presign(method: "GET", host: "examplebucket.s3.amazonaws.com", path: "/test.txt",
                                    expires: 86400, date: Date(timeIntervalSince1970: 1_369_353_600))
        #expect(url == "https://examplebucket.s3.amazonaws.com/test.txt"
            + "?X-Amz-Algorithm=AWS4-HMAC-SHA256"
            + "&X-Amz-Credential=AKIAIOSFODNN7EXAMPLE%2F20130524%2Fus-east-1%2Fs3%2Faws4_request"
            + "&X-Amz-Date=20130524T000000Z&X-Amz-Expires=86400&X-Amz-SignedHeaders=host"
            + "&X-Amz-Signature=aeeed9bbccd4d02ee5c0109b86d86835f995330da4c265957d157751f604d404")
    }

    @Test func encodesLikeSigV4() {
        #expect(PercentEncoding.encode("a b+c/d~e_f.g-h", keepingSlashes: true) == "a%20b%2Bc/d~e_f.g-h")
        #expect(PercentEncoding.encode("a/b") == "a%2Fb")
        #expect(PercentEncoding.encode("é") == "%C3%A9")
    }

    @Test func sessionTokenIsSignedIntoTheQuery() {
        var credentials = Self.example
        credentials.sessionToken = "tok/en=="
        let url = S3Presigner(credentials: credentials, region: "eu-west-1")
            .presign(method: "PUT", host: "h", path: "/k", expires: 60, date: Date(timeIntervalSince1970: 0))
        #expect(url.contains("X-Amz-Security-Token=tok%2Fen%3D%3D"))
        #expect(url.contains("19700101%2Feu-west-1%2Fs3"))
    }

    @Test func credentialsComeFromEnvironmentThenProfile() throws {
        let env = try S3Credentials.resolve(environment: ["AWS_ACCESS_KEY_ID": "id", "AWS_SECRET_ACCESS_KEY": "s3cr3t-value",
                                                          "AWS_SESSION_TOKEN": "token"])
        #expect(env.accessKeyID == "id" && env.sessionToken == "token")
        #expect(!"\(env)".contains("s3cr3t-value"))

        let file = FileManager.default.temporaryDirectory.appendingPathComponent("aws-creds-\(UUID())").path
        try "[default]\naws_access_key_id = d\naws_secret_access_key = ds\n\n[work]\naws_access_key_id=w\naws_secret_access_key=ws\naws_session_token=wt\n"
            .write(toFile: file, atomically: true, encoding: .utf8)
        defer { try? FileManager.default.removeItem(atPath: file) }
        let work = try S3Credentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": file, "AWS_PROFILE": "work"])
        #expect(work.accessKeyID == "w" && work.secretAccessKey == "ws" && work.sessionToken == "wt")
        let fallback = try S3Credentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": file])
        #expect(fallback.accessKeyID == "d")
        #expect(throws: S3Error.self) { try S3Credentials.resolve(environment: ["AWS_SHARED_CREDENTIALS_FILE": file + "-missing"]) }
    }

    @Test func plainHTTPOnlyOnLoopback() throws {
        let http = HTTPClient()
        let credentials = Self.example
        _ = try S3Store(configuration: .init(bucket: "b", endpoint: "http://127.0.0.1:9000"), credentials: credentials, http: http)
        _ = try S3Store(configuration: .init(bucket: "b", endpoint: "https://minio.example.com"), credentials: credentials, http: http)
        #expect(throws: S3Error.self) {
            try S3Store(configuration: .init(bucket: "b", endpoint: "http://minio.example.com"), credentials: credentials, http: http)
        }
        #expect(throws: S3Error.self) {
            try S3Store(configuration: .init(bucket: "b", endpoint: "ftp://127.0.0.1"), credentials: credentials, http: http)
        }
    }

    @Test func pathStyleURLsForCustomEndpoints() throws {
        let store = try S3Store(configuration: .init(bucket: "media", endpoint: "http://127.0.0.1:9000", prefix: "p/"),
                                credentials: Self.example, http: HTTPClient())
        #expect(store.presignedURL(method: "GET", key: "p/abc").hasPrefix("http://127.0.0.1:9000/media/p/abc?X-Amz-"))
        let aws = try S3Store(configuration: .init(bucket: "media", region: "eu-west-1"), credentials: Self.example, http: HTTPClient())
        #expect(aws.presignedURL(method: "GET", key: "k").hasPrefix("https://media.s3.eu-west-1.amazonaws.com/k?"))
    }
}
