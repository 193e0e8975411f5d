import Foundation
import TroupeSupport

/// An object as a listing reports it.
public struct S3Object: Sendable, Equatable {
    public var key: String
    public var bytes: Int

    public init(key: String, bytes: Int) {
        self.key = key
        self.bytes = bytes
    }
}

/// Objects by key, for a shared store of results: GET to a file, PUT (in parts when large), LIST.
extension S3Store {
    /// Downloads `key` into `path`, a new name only the caller uses, hashing as it arrives
    /// (the file is fsynced, or removed on failure). nil when there is no such object.
    public func download(key: String, toNew path: String) async throws -> (sha256: String, bytes: Int)? {
        do {
            return try await http.download(presignedURL(method: "GET", key: key, lifetime: .seconds(3600)), toNew: path)
        } catch HTTPError.badStatus(let status, let body) {
            if status == 404 { return nil }
            throw Self.failure(HTTPResponse(status: status, body: Data(body.utf8)))
        }
    }

    /// Stores `file` under `key`: one PUT, or a multipart upload above `multipartThreshold`.
    public func put(file: String, key: String, contentType: String? = nil) async throws {
        guard let size = FileStats.statNow(file).map({ Int($0.size) }) else { throw S3Error.unreadableFile(file) }
        var headers = HTTPHeaders()
        headers["Content-Type"] = contentType ?? Self.contentType(for: file)
        if size > configuration.multipartThreshold {
            return try await putInParts(file: file, size: size, key: key, headers: headers)
        }
        let response = try await http.send(HTTPRequest(method: "PUT", url: presignedURL(method: "PUT", key: key, lifetime: .seconds(3600)),
                                                       headers: headers, body: .file(path: file), timeout: .seconds(3600)))
        guard response.isSuccess else { throw Self.failure(response) }
    }

    /// Every object whose key starts with `prefix`, page by page (ListObjectsV2).
    public func list(prefix: String, pageSize: Int? = nil) async throws -> [S3Object] {
        var objects: [S3Object] = []
        var token: String?
        repeat {
            var query = ["list-type": "2", "prefix": prefix]
            if let token { query["continuation-token"] = token }
            if let pageSize { query["max-keys"] = String(pageSize) }
            let response = try await http.send(HTTPRequest(url: bucketURL(method: "GET", query: query)))
            guard response.isSuccess else { throw Self.failure(response) }
            let page = S3XML(response.body)
            for entry in page.elements("Contents") {
                guard let key = entry.first("Key") else { continue }
                objects.append(S3Object(key: key, bytes: entry.first("Size").flatMap { Int($0) } ?? 0))
            }
            token = page.first("IsTruncated") == "true" ? page.first("NextContinuationToken") : nil
        } while token != nil
        return objects
    }

    func objectURL(method: String, key: String, query: [String: String], lifetime: Int = 3600) -> String {
        presigner.presign(method: method, scheme: scheme, host: host, path: path(for: key), expires: lifetime, query: query)
    }

    func bucketURL(method: String, query: [String: String]) -> String {
        presigner.presign(method: method, scheme: scheme, host: host, path: pathStyle ? "/\(configuration.bucket)" : "/",
                          expires: 300, query: query)
    }

    /// CreateMultipartUpload, the parts (four at a time), CompleteMultipartUpload; parts of a
    /// failed upload are aborted (S3 bills stored parts until then).
    private func putInParts(file: String, size: Int, key: String, headers: HTTPHeaders) async throws {
        let created = try await http.send(HTTPRequest(method: "POST", url: objectURL(method: "POST", key: key, query: ["uploads": ""]),
                                                      headers: headers))
        guard created.isSuccess, let uploadID = S3XML(created.body).first("UploadId") else { throw Self.failure(created) }
        do {
            let partSize = max(configuration.partSize, 1)
            let count = (size + partSize - 1) / partSize
            var etags = [String](repeating: "", count: count)
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                var next = 0, finished = 0
                while finished < count {
                    while next < count && next - finished < 4 {
                        let n = next, offset = n * partSize
                        group.addTask {
                            let etag = try await self.putPart(file: file, key: key, uploadID: uploadID, number: n + 1,
                                                              offset: offset, length: min(partSize, size - offset))
                            return (n, etag)
                        }
                        next += 1
                    }
                    guard let (n, etag) = try await group.next() else { break }
                    etags[n] = etag
                    finished += 1
                }
            }
            var body = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
            for (i, etag) in etags.enumerated() {
                body += "<Part><PartNumber>\(i + 1)</PartNumber><ETag>\(S3XML.escape(etag))</ETag></Part>"
            }
            body += "</CompleteMultipartUpload>"
            var xml = HTTPHeaders()
            xml["Content-Type"] = "application/xml"
            let done = try await http.send(HTTPRequest(method: "POST", url: objectURL(method: "POST", key: key, query: ["uploadId": uploadID]),
                                                       headers: xml, body: .bytes(Data(body.utf8)), timeout: .seconds(3600)))
            // S3 may answer 200 and still fail: the error is then in the body.
            guard done.isSuccess, S3XML(done.body).first("Code") == nil else { throw Self.failure(done) }
        } catch {
            _ = try? await http.send(HTTPRequest(method: "DELETE", url: objectURL(method: "DELETE", key: key, query: ["uploadId": uploadID])))
            throw error
        }
    }

    private func putPart(file: String, key: String, uploadID: String, number: Int, offset: Int, length: Int) async throws -> String {
        let url = objectURL(method: "PUT", key: key, query: ["partNumber": String(number), "uploadId": uploadID])
        let response = try await http.send(HTTPRequest(method: "PUT", url: url,
                                                       body: .filePart(path: file, offset: Int64(offset), length: Int64(length)),
                                                       timeout: .seconds(3600)))
        guard response.isSuccess, let etag = response.headers["ETag"] else { throw Self.failure(response) }
        return etag
    }
}

/// Just enough XML for S3's answers: elements by name, text unescaped. Keys and tokens
/// are the only text read; S3 never nests an element inside one of the same name.
struct S3XML {
    let text: Substring

    init(_ data: Data) { text = Substring(String(decoding: data, as: UTF8.self)) }
    init(_ text: Substring) { self.text = text }

    /// The contents of every `<name>…</name>` in order.
    func elements(_ name: String) -> [S3XML] {
        var out: [S3XML] = []
        var rest = text[...]
        let open = "<\(name)>", close = "</\(name)>"
        while let start = rest.range(of: open), let end = rest.range(of: close, range: start.upperBound..<rest.endIndex) {
            out.append(S3XML(rest[start.upperBound..<end.lowerBound]))
            rest = rest[end.upperBound...]
        }
        return out
    }

    func first(_ name: String) -> String? {
        let open = "<\(name)>", close = "</\(name)>"
        guard let start = text.range(of: open), let end = text.range(of: close, range: start.upperBound..<text.endIndex) else { return nil }
        return Self.unescape(text[start.upperBound..<end.lowerBound])
    }

    static func unescape(_ s: Substring) -> String {
        guard s.contains("&") else { return String(s) }
        return s.replacingOccurrences(of: "&lt;", with: "<").replacingOccurrences(of: "&gt;", with: ">")
            .replacingOccurrences(of: "&quot;", with: "\"").replacingOccurrences(of: "&apos;", with: "'")
            .replacingOccurrences(of: "&#34;", with: "\"").replacingOccurrences(of: "&amp;", with: "&")
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
