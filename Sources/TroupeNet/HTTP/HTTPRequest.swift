public import Foundation

/// One HTTP request as the client sends it. The URL is a string so that presigned
/// query strings pass through byte for byte, without Foundation re-encoding them.
public struct HTTPRequest: Sendable {
    /// What goes after the headers.
    public enum Body: Sendable {
        case none
        case bytes(Data)
        /// Streamed from a file on disk, so uploads of large videos never sit in memory.
        case file(path: String)
        /// `length` bytes of a file from `offset`: one part of a multipart upload, never in memory.
        case filePart(path: String, offset: Int64, length: Int64)
    }

    public var method: String
    public var url: String
    public var headers: HTTPHeaders
    public var body: Body
    /// Overrides the client's total timeout for this request.
    public var timeout: Duration?
    public var followRedirects: Bool

    public init(method: String = "GET", url: String, headers: HTTPHeaders = [:], body: Body = .none,
                timeout: Duration? = nil, followRedirects: Bool = false) {
        self.method = method
        self.url = url
        self.headers = headers
        self.body = body
        self.timeout = timeout
        self.followRedirects = followRedirects
    }

    /// A JSON request with `Content-Type` set.
    public static func json(_ method: String, _ url: String, body: Data, headers: HTTPHeaders = [:]) -> HTTPRequest {
        var headers = headers
        headers["Content-Type"] = "application/json"
        return HTTPRequest(method: method, url: url, headers: headers, body: .bytes(body))
    }
}

extension HTTPRequest: CustomStringConvertible {
    /// Never shows headers (they carry tokens) nor the query string (presigned URLs carry signatures).
    public var description: String { "\(method) \(HTTPRequest.redact(url))" }

    /// The URL without query string or user info, safe to log.
    public static func redact(_ url: String) -> String {
        var cut = url
        if let q = cut.firstIndex(where: { $0 == "?" || $0 == "#" }) { cut = String(cut[..<q]) }
        if let scheme = cut.range(of: "://"), let at = cut[scheme.upperBound...].firstIndex(of: "@"),
           !cut[scheme.upperBound..<at].contains("/") {
            cut = String(cut[..<scheme.upperBound]) + cut[cut.index(after: at)...]
        }
        return cut
    }
}
