public import Foundation
public import TroupeNet

/// fal's queue API for Kling v3 motion control: submit, then follow the returned status and response URLs.
/// Methods throw `FalError`, or `CancellationError`.
public final class FalClient: Sendable, CustomStringConvertible {
    public let baseURL: String
    /// fal's platform API (the listing of recent requests).
    public let apiURL: String
    private let key: String
    private let http: HTTPClient

    public init(key: String, baseURL: String = "https://queue.fal.run", apiURL: String = "https://api.fal.ai/v1", http: HTTPClient) {
        self.key = key
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.apiURL = apiURL.hasSuffix("/") ? String(apiURL.dropLast()) : apiURL
        self.http = http
    }

    /// From FAL_KEY (and FAL_BASE_URL, FAL_API_URL for tests and proxies).
    public static func fromEnvironment(http: HTTPClient, _ environment: [String: String]? = nil) throws(FalError) -> FalClient {
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard let key = environment["FAL_KEY"], !key.isEmpty else { throw .unauthorized("FAL_KEY is not set") }
        return FalClient(key: key, baseURL: environment["FAL_BASE_URL"] ?? "https://queue.fal.run",
                         apiURL: environment["FAL_API_URL"] ?? "https://api.fal.ai/v1", http: http)
    }

    /// The account's key, hashed by the caller into an account name; never printed.
    public var keyForAccount: String { key }

    public var description: String { "FalClient(\(baseURL))" }

    public func submit(_ request: FalMotionControlRequest) async throws -> FalQueueHandle {
        let answer = try await call("POST", baseURL + "/" + request.modelPath, body: request.jsonBody())
        guard let id = answer.requestID, let status = answer.statusURL, let response = answer.responseURL else {
            throw FalError.unexpectedResponse(status: 200, message: "submit answer lacks request_id/status_url/response_url")
        }
        return FalQueueHandle(requestID: id, statusURL: status, responseURL: response, cancelURL: answer.cancelURL)
    }

    public func status(_ handle: FalQueueHandle) async throws -> FalQueueStatus {
        let answer = try await call("GET", handle.statusURL + (handle.statusURL.contains("?") ? "&" : "?") + "logs=0")
        switch answer.status {
        case "IN_QUEUE": return .inQueue(position: answer.queuePosition)
        case "IN_PROGRESS": return .inProgress
        case "COMPLETED": return .completed(error: answer.error)
        case let other: throw FalError.unexpectedResponse(status: 200, message: "unknown queue status \(other ?? "none")")
        }
    }

    public func result(_ handle: FalQueueHandle) async throws -> FalVideo {
        let answer: FalAnswer
        do {
            answer = try await call("GET", handle.responseURL)
        } catch FalError.rejected(let status, let message) where status == 422 || status == 500 {
            throw FalError.generationFailed(requestID: handle.requestID, message: message)
        }
        guard let video = answer.video else {
            throw FalError.unexpectedResponse(status: 200, message: "result has no video.url")
        }
        return video
    }

    /// Cancels a request still in the queue; false when it already started or finished.
    public func cancel(_ handle: FalQueueHandle) async throws -> Bool {
        guard let url = handle.cancelURL else { return false }
        do {
            _ = try await call("PUT", url)
            return true
        } catch FalError.rejected(400, _) {
            return false
        }
    }

    /// Recent requests of a model (fal's platform API, `GET /models/requests/by-endpoint`),
    /// newest first, with their inputs: where a request whose submit answer was lost is found.
    public func recentRequests(model: String, since: Date, limit: Int = 100, cursor: String? = nil) async throws
        -> (items: [FalRequestRecord], next: String?) {
        var query = "endpoint_id=" + Self.escape(model) + "&start=" + Self.escape(Self.iso(since)) + "&expand=payloads&limit=\(limit)"
        if let cursor { query += "&cursor=" + Self.escape(cursor) }
        let (response, _) = try await exchange("GET", apiURL + "/models/requests/by-endpoint?" + query)
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any] ?? [:]
        let items = (json["items"] as? [[String: Any]] ?? []).compactMap(FalRequestRecord.init(json:))
        let more = json["has_more"] as? Bool ?? false
        return (items, more ? json["next_cursor"] as? String : nil)
    }

    static func iso(_ date: Date) -> String {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime]
        return f.string(from: date)
    }

    static func escape(_ s: String) -> String {
        s.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-._~"))) ?? s
    }

    /// Submit and poll until done (or `deadline` passes, when it throws and leaves the request running).
    public func run(_ request: FalMotionControlRequest, pollInterval: Duration = .seconds(5),
                    deadline: Duration = .seconds(3600)) async throws -> FalVideo {
        let handle = try await submit(request)
        let end = ContinuousClock.now + deadline
        while ContinuousClock.now < end {
            switch try await status(handle) {
            case .completed(let error?): throw FalError.generationFailed(requestID: handle.requestID, message: error)
            case .completed(nil): return try await result(handle)
            case .inQueue, .inProgress: try await Task.sleep(for: pollInterval)
            }
        }
        throw FalError.unavailable(status: 0, message: "request \(handle.requestID) still running after \(deadline)")
    }

    /// A successful answer, read; any other thrown as the `FalError` it stands for.
    private func call(_ method: String, _ url: String, body: Data? = nil) async throws -> FalAnswer {
        try await exchange(method, url, body: body).answer
    }

    private func exchange(_ method: String, _ url: String, body: Data? = nil) async throws
        -> (response: HTTPResponse, answer: FalAnswer) {
        var headers: HTTPHeaders = ["Authorization": "Key " + key, "Accept": "application/json"]
        if body != nil { headers["Content-Type"] = "application/json" }
        let response: HTTPResponse
        do {
            response = try await http.send(HTTPRequest(method: method, url: url, headers: headers, body: body.map { .bytes($0) } ?? .none))
        } catch let error as HTTPError {
            throw FalError.transport(error)
        }
        let answer = FalAnswer(response.body)
        if response.isSuccess, let answer { return (response, answer) }
        // fal errors carry `detail` (a string or a list of {msg, loc, type}) or `error`.
        let message = answer?.detail ?? answer?.error ?? String(decoding: response.body.prefix(300), as: UTF8.self)
        switch response.status {
        case 401, 403: throw FalError.unauthorized(message)
        case 429: throw FalError.rateLimited(after: response.retryAfter.map { Double($0.components.seconds) })
        case 500...: throw response.status == 500 && answer?.hasDetail == true
            ? FalError.rejected(status: 500, message: message) : FalError.unavailable(status: response.status, message: message)
        case 400..<500: throw FalError.rejected(status: response.status, message: message)
        default: throw FalError.unexpectedResponse(status: response.status, message: message)
        }
    }
}
