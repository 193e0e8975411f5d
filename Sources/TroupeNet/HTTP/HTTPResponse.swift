public import Foundation

/// A complete response: status, headers of the final hop, and the body in memory.
public struct HTTPResponse: Sendable {
    public var status: Int
    public var headers: HTTPHeaders
    public var body: Data

    public init(status: Int, headers: HTTPHeaders = [:], body: Data = Data()) {
        self.status = status
        self.headers = headers
        self.body = body
    }

    public var isSuccess: Bool { (200..<300).contains(status) }

    /// `Retry-After` in seconds when the server sent one (delta-seconds form only).
    public var retryAfter: Duration? {
        guard let raw = headers["Retry-After"]?.trimmingCharacters(in: .whitespaces),
              let seconds = Double(raw), seconds >= 0 else { return nil }
        return .milliseconds(Int64(seconds * 1000))
    }
}
