import Crypto
public import Foundation
import TroupeSupport

/// Where uploads go. With `endpoint` set it is an S3-compatible store addressed path-style
/// (`endpoint/bucket/key`); without, AWS S3 virtual-hosted style in `region`.
public struct S3Configuration: Sendable {
    public var bucket: String
    public var region: String
    public var endpoint: String?
    /// Prepended to the content digest to make the object key.
    public var prefix: String
    /// How long presigned GET URLs handed to the provider stay valid.
    public var urlLifetime: Duration
    /// Files larger than this go up in parts (S3 takes at most 5 GB in one PUT, and a
    /// broken part is sent again alone); tests set it low to exercise multipart on moto.
    public var multipartThreshold = 64 << 20
    /// Every part but the last has this size (S3's minimum is 5 MiB).
    public var partSize = 16 << 20

    public init(bucket: String, region: String = "us-east-1", endpoint: String? = nil, prefix: String = "troupe/",
                urlLifetime: Duration = .seconds(6 * 3600)) {
        self.bucket = bucket
        self.region = region
        self.endpoint = endpoint
        self.prefix = prefix
        self.urlLifetime = urlLifetime
    }
}

/// The outcome of `S3Store.upload`.
public struct S3Upload: Sendable, Equatable {
    public var key: String
    public var sha256: String
    public var bytes: Int
    /// Presigned GET URL, valid for the configured lifetime. Log it only via `HTTPRequest.redact`.
    public var url: String
    /// False when an object with this content was already there.
    public var uploaded: Bool
}

/// Content-addressed uploads: each distinct file is PUT once, under prefix + sha256.
public final class S3Store: Sendable {
    public let configuration: S3Configuration
    let presigner: S3Presigner
    let http: HTTPClient
    let scheme: String
    let host: String
    let pathStyle: Bool

    public init(configuration: S3Configuration, credentials: S3Credentials, http: HTTPClient) throws(S3Error) {
        self.configuration = configuration
        self.http = http
        presigner = S3Presigner(credentials: credentials, region: configuration.region)
        if let endpoint = configuration.endpoint {
            guard let url = URLComponents(string: endpoint), let scheme = url.scheme?.lowercased(),
                  let hostName = url.host, !hostName.isEmpty, scheme == "https" || scheme == "http" else {
                throw .invalidEndpoint("\(endpoint) is not an http(s) URL")
            }
            guard scheme == "https" || ["127.0.0.1", "localhost", "::1", "[::1]"].contains(hostName) else {
                throw .invalidEndpoint("plain http is allowed only on loopback; use https for \(hostName)")
            }
            guard url.path.isEmpty || url.path == "/" else { throw .invalidEndpoint("\(endpoint) must not have a path") }
            self.scheme = scheme
            let bracketed = hostName.contains(":") ? "[\(hostName)]" : hostName
            host = url.port.map { "\(bracketed):\($0)" } ?? bracketed
            pathStyle = true
        } else {
            scheme = "https"
            // Dotted bucket names break the wildcard certificate of virtual-hosted style.
            pathStyle = configuration.bucket.contains(".")
            host = pathStyle ? "s3.\(configuration.region).amazonaws.com"
                : "\(configuration.bucket).s3.\(configuration.region).amazonaws.com"
        }
    }

    func path(for key: String) -> String {
        pathStyle ? "/\(configuration.bucket)/\(key)" : "/\(key)"
    }

    public func presignedURL(method: String, key: String, lifetime: Duration? = nil, date: Date = Date()) -> String {
        let seconds = Int((lifetime ?? configuration.urlLifetime).components.seconds)
        return presigner.presign(method: method, scheme: scheme, host: host, path: path(for: key), expires: seconds, date: date)
    }

    /// Whether `key` exists (HEAD). 403 counts as "not known to exist": AWS answers a missing key with
    /// 403 when the caller may not list the bucket, and the PUT that follows reports real permission errors.
    public func exists(key: String) async throws -> Bool {
        let response = try await http.send(HTTPRequest(method: "HEAD", url: presignedURL(method: "HEAD", key: key, lifetime: .seconds(300))))
        switch response.status {
        case 200: return true
        case 404, 403: return false
        default: throw Self.failure(response)
        }
    }

    /// Uploads `file` unless its content is already stored; returns a presigned GET URL either way.
    public func upload(file: String, contentType: String? = nil) async throws -> S3Upload {
        let (digest, bytes) = try Self.digest(of: file)
        let key = configuration.prefix + digest
        var uploaded = false
        if try await !exists(key: key) {
            var headers = HTTPHeaders()
            headers["Content-Type"] = contentType ?? Self.contentType(for: file)
            let response = try await http.send(HTTPRequest(method: "PUT", url: presignedURL(method: "PUT", key: key, lifetime: .seconds(3600)),
                                                           headers: headers, body: .file(path: file), timeout: .seconds(3600)))
            guard response.isSuccess else { throw Self.failure(response) }
            uploaded = true
        }
        return S3Upload(key: key, sha256: digest, bytes: bytes, url: presignedURL(method: "GET", key: key), uploaded: uploaded)
    }

    /// Creates the bucket (for emulators and tests; production buckets are made by their owners).
    public func createBucket() async throws {
        let url = presigner.presign(method: "PUT", scheme: scheme, host: host, path: pathStyle ? "/\(configuration.bucket)" : "/",
                                    expires: 300)
        let response = try await http.send(HTTPRequest(method: "PUT", url: url))
        guard response.isSuccess || response.status == 409 else { throw Self.failure(response) }
    }

    static func digest(of path: String) throws(S3Error) -> (String, Int) {
        guard let handle = FileHandle(forReadingAtPath: path) else { throw .unreadableFile(path) }
        defer { try? handle.close() }
        var hasher = SHA256()
        var total = 0
        while true {
            let chunk: Data?
            do { chunk = try handle.read(upToCount: 1 << 20) } catch { throw .unreadableFile(path) }
            // nil or empty both mean end of file, depending on the Foundation.
            guard let chunk, !chunk.isEmpty else { break }
            hasher.update(data: chunk)
            total += chunk.count
        }
        return (Hex.lowercase(hasher.finalize()), total)
    }

    static func contentType(for path: String) -> String {
        switch (path as NSString).pathExtension.lowercased() {
        case "mp4": "video/mp4"
        case "mov": "video/quicktime"
        case "png": "image/png"
        case "jpg", "jpeg": "image/jpeg"
        default: "application/octet-stream"
        }
    }

    /// S3 error bodies are XML: <Error><Code>…</Code><Message>…</Message></Error>.
    static func failure(_ response: HTTPResponse) -> S3Error {
        let text = String(decoding: response.body.prefix(4096), as: UTF8.self)
        func element(_ name: String) -> String? {
            guard let open = text.range(of: "<\(name)>"), let close = text.range(of: "</\(name)>", range: open.upperBound..<text.endIndex) else { return nil }
            return String(text[open.upperBound..<close.lowerBound])
        }
        return .requestFailed(status: response.status, code: element("Code") ?? "HTTP\(response.status)",
                              message: element("Message") ?? (text.isEmpty ? "no details" : String(text.prefix(200))))
    }
}
