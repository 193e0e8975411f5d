public import Foundation
public import Logging
public import TroupeNet

/// The official Kling API: motion-control tasks and elements, JWT-authenticated.
/// Methods throw `KlingError`, or `CancellationError` when the task is cancelled.
public final class KlingClient: Sendable, CustomStringConvertible {
    public let baseURL: String
    private let credentials: KlingCredentials
    private let http: HTTPClient
    private let now: @Sendable () -> Date
    private let logger: Logger
    private let tokens = TokenCache()

    /// `logger` gets one debug line per call: method, URL without query, status, request_id — never the token.
    public init(credentials: KlingCredentials, baseURL: String, http: HTTPClient,
                now: @escaping @Sendable () -> Date = { Date() }, logger: Logger = Logger(label: "troupe.kling")) {
        self.credentials = credentials
        self.baseURL = baseURL.hasSuffix("/") ? String(baseURL.dropLast()) : baseURL
        self.http = http
        self.now = now
        self.logger = logger
    }

    public var description: String { "KlingClient(\(baseURL))" }

    /// Keys from KLING_ACCESS_KEY/KLING_SECRET_KEY, base URL from KLING_BASE_URL or the region.
    public static func fromEnvironment(region: KlingRegion = .singapore, http: HTTPClient,
                                       environment: [String: String]? = nil) throws -> KlingClient {
        KlingClient(credentials: try KlingCredentials.fromEnvironment(environment),
                    baseURL: KlingRegion.baseURL(for: region, environment: environment), http: http)
    }

    // MARK: Motion control

    public func createMotionControl(_ request: MotionControlRequest) async throws -> KlingTask {
        try KlingTask(json: try await call("POST", "/v1/videos/motion-control", body: request.jsonBody()).object())
    }

    /// Query by task_id or external_task_id (Kling accepts either in the path).
    public func motionControlTask(id: String) async throws -> KlingTask {
        try KlingTask(json: try await call("GET", "/v1/videos/motion-control/" + Self.pathComponent(id)).object())
    }

    /// The task with this external_task_id, or nil when Kling clearly says there is none
    /// ("safe to submit"). Any other failure throws: the answer is unknown, do not submit yet.
    public func lookup(externalTaskID: String) async throws -> KlingTask? {
        do {
            return try await motionControlTask(id: externalTaskID)
        } catch let error as KlingError where error.isNotFound {
            return nil
        }
    }

    /// One page of the account's tasks, newest first; `pageSize` up to 500.
    public func listMotionControl(page: Int = 1, pageSize: Int = 500) async throws -> [KlingTask] {
        let data = try await call("GET", "/v1/videos/motion-control?pageNum=\(page)&pageSize=\(pageSize)")
        guard let list = data.value as? [[String: Any]] else {
            throw KlingError.unexpectedResponse(status: 200, message: "list data is not an array")
        }
        return try list.map { item throws(KlingError) in try KlingTask(json: item) }
    }

    // MARK: Elements

    public func createElement(_ request: ElementRequest) async throws -> KlingElementTask {
        try KlingElementTask(json: try await call("POST", "/v1/general/advanced-custom-elements", body: request.jsonBody()).object())
    }

    public func elementTask(id: String) async throws -> KlingElementTask {
        try KlingElementTask(json: try await call("GET", "/v1/general/advanced-custom-elements/" + Self.pathComponent(id)).object())
    }

    // MARK: Transport

    private struct Payload {
        var value: Any?
        func object() throws(KlingError) -> [String: Any] {
            guard let object = value as? [String: Any] else {
                throw .unexpectedResponse(status: 200, message: "data is not an object")
            }
            return object
        }
    }

    /// Sends one request; returns `data` of a code-0 answer, throws `KlingError` otherwise.
    private func call(_ method: String, _ path: String, body: Data? = nil) async throws -> Payload {
        var headers: HTTPHeaders = ["Authorization": "Bearer " + tokens.token(at: now(), credentials), "Accept": "application/json"]
        if body != nil { headers["Content-Type"] = "application/json" }
        let request = HTTPRequest(method: method, url: baseURL + path, headers: headers, body: body.map { .bytes($0) } ?? .none)
        let response: HTTPResponse
        do {
            response = try await http.send(request)
        } catch let error as HTTPError {
            logger.debug("kling request failed", metadata: ["request": "\(request)", "error": "\(error)"])
            throw KlingError.transport(error)
        }
        let json = (try? JSONSerialization.jsonObject(with: response.body)) as? [String: Any]
        let code = (json?["code"] as? NSNumber)?.intValue
        let message = KlingJSON.string(json?["message"]) ?? String(decoding: response.body.prefix(300), as: UTF8.self)
        logger.debug("kling call", metadata: ["request": "\(request)", "status": "\(response.status)",
                                              "code": "\(code.map(String.init) ?? "-")",
                                              "request_id": "\(KlingJSON.string(json?["request_id"]) ?? "")"])
        if response.isSuccess, code == 0 { return Payload(value: json?["data"]) }
        throw KlingError.from(status: response.status, code: code, message: message, retryAfter: response.retryAfter)
    }

    static func pathComponent(_ id: String) -> String {
        id.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? id
    }
}

/// The last JWT signed and when: signing one per call cost more than parsing the answer.
/// A token lives 30 minutes; one serves for its first 5, so a clock that jumps is harmless.
final class TokenCache: @unchecked Sendable {
    private let lock = NSLock()
    private var current: (token: String, issued: Date)?

    func token(at now: Date, _ credentials: KlingCredentials) -> String {
        lock.withLock {
            if let current, now >= current.issued, now.timeIntervalSince(current.issued) < 300 { return current.token }
            let token = credentials.token(now: now)
            current = (token, now)
            return token
        }
    }
}
