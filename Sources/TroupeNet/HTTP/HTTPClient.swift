import Foundation

/// An HTTP/1.1 and HTTP/2 client on libcurl's multi interface: one event-loop thread
/// drives every request of this client, so hundreds can be in flight for the cost of
/// their sockets. TLS verification is always on; `http_proxy`/`https_proxy`/`no_proxy`
/// are honoured as libcurl does by default.
public final class HTTPClient: Sendable {
    public struct Configuration: Sendable {
        public var connectTimeout: Duration
        /// Whole-request timeout unless the request sets its own.
        public var timeout: Duration
        /// 0 means no limit; above the limit libcurl queues requests until a connection frees.
        public var maxConnectionsPerHost: Int
        public var maxTotalConnections: Int
        public var userAgent: String

        public init(connectTimeout: Duration = .seconds(10), timeout: Duration = .seconds(60),
                    maxConnectionsPerHost: Int = 0, maxTotalConnections: Int = 0,
                    userAgent: String = "troupe/0.1") {
            self.connectTimeout = connectTimeout
            self.timeout = timeout
            self.maxConnectionsPerHost = maxConnectionsPerHost
            self.maxTotalConnections = maxTotalConnections
            self.userAgent = userAgent
        }
    }

    public let configuration: Configuration
    private let loop: CurlEventLoop

    public init(configuration: Configuration = Configuration()) {
        self.configuration = configuration
        loop = CurlEventLoop(configuration: configuration)
    }

    deinit { loop.shutdown() }

    /// Sends one request and returns the response of any status; throws `HTTPError` only
    /// when there is no response, and `CancellationError` when the task is cancelled.
    public func send(_ request: HTTPRequest) async throws -> HTTPResponse {
        let outcome = try await perform(request, sink: nil)
        return HTTPResponse(status: outcome.status, headers: outcome.headers, body: outcome.body)
    }

    /// Streams `url` into `path` (temp file, fsync, rename), hashing on the fly.
    /// Follows redirects; throws `HTTPError.badStatus` for a non-2xx answer.
    public func download(_ url: String, to path: String, headers: HTTPHeaders = [:]) async throws -> (sha256: String, bytes: Int) {
        try await download(url, sink: try DownloadSink(destination: path), headers: headers)
    }

    /// Streams `url` into `path`, a new name nobody else uses (a temp file of the caller's):
    /// written in place and fsynced, removed on failure. One rename fewer than `download(_:to:)`.
    public func download(_ url: String, toNew path: String, headers: HTTPHeaders = [:]) async throws -> (sha256: String, bytes: Int) {
        try await download(url, sink: try DownloadSink(destination: path, fresh: true), headers: headers)
    }

    private func download(_ url: String, sink: DownloadSink, headers: HTTPHeaders) async throws -> (sha256: String, bytes: Int) {
        let request = HTTPRequest(url: url, headers: headers, timeout: .seconds(3600), followRedirects: true)
        do {
            let outcome = try await perform(request, sink: sink)
            guard (200..<300).contains(outcome.status) else {
                throw HTTPError.badStatus(outcome.status, body: String(decoding: outcome.body.prefix(512), as: UTF8.self))
            }
            return try sink.commit()
        } catch {
            sink.discard()
            throw error
        }
    }

    private func perform(_ request: HTTPRequest, sink: DownloadSink?) async throws -> CurlOutcome {
        try Task.checkCancellation()
        let transfer = try CurlTransfer(request: request, configuration: configuration, sink: sink, easy: try loop.easyPool.take())
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                transfer.attach(continuation)
                loop.enqueue(transfer)
            }
        } onCancel: {
            loop.cancel(transfer)
        }
    }
}
