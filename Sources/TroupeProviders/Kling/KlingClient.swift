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
        try KlingTask(try await object(call("POST", "/v1/videos/motion-control", body: request.jsonBody(), data: KlingTask.Wire.read)))
    }

    /// Query by task_id or external_task_id (Kling accepts either in the path).
    public func motionControlTask(id: String) async throws -> KlingTask {
        try KlingTask(try await object(call("GET", "/v1/videos/motion-control/" + Self.pathComponent(id), data: KlingTask.Wire.read)))
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
        // One element that is not an object fails the page, as before.
        let list = try await call("GET", "/v1/videos/motion-control?pageNum=\(page)&pageSize=\(pageSize)") { reader throws(JSONSyntaxError) in
            try reader.readList(KlingTask.Wire.read)
        }
        guard let list else { throw KlingError.unexpectedResponse(status: 200, message: "list data is not an array") }
        return try list.map { item throws(KlingError) in try KlingTask(item) }
    }

    /// The account's resource packs bought in the last 400 days (Kling lists packs by purchase
    /// time; an annual pack is still live then). Kling allows one such call a second.
    public func resourcePacks() async throws -> [ResourcePack] {
        let end = Int64(now().timeIntervalSince1970 * 1000), start = end - 400 * 86_400_000
        return try await object(call("GET", "/account/costs?start_time=\(start)&end_time=\(end)", data: ResourcePack.readList))
    }

    // MARK: Elements

    public func createElement(_ request: ElementRequest) async throws -> KlingElementTask {
        try KlingElementTask(try await object(call("POST", "/v1/general/advanced-custom-elements", body: request.jsonBody(), data: KlingElementTask.Wire.read)))
    }

    public func elementTask(id: String) async throws -> KlingElementTask {
        try KlingElementTask(try await object(call("GET", "/v1/general/advanced-custom-elements/" + Self.pathComponent(id), data: KlingElementTask.Wire.read)))
    }

    // MARK: Transport

    /// `data` of a code-0 answer that must be an object.
    private func object<Payload>(_ data: Payload?) throws(KlingError) -> Payload {
        guard let data else { throw .unexpectedResponse(status: 200, message: "data is not an object") }
        return data
    }

    /// Sends one request; returns `data` of a code-0 answer as `readData` reads it (nil when absent
    /// or of another shape), throws `KlingError` otherwise.
    private func call<Payload>(_ method: String, _ path: String, body: Data? = nil,
                               data readData: (inout JSONReader) throws(JSONSyntaxError) -> Payload?) async throws -> Payload? {
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
        let answer = KlingAnswer(body: response.body, data: readData)
        logger.debug("kling call", metadata: ["request": "\(request)", "status": "\(response.status)",
                                              "code": "\(answer.code.map(String.init) ?? "-")",
                                              "request_id": "\(answer.requestID ?? "")"])
        if response.isSuccess, answer.code == 0 { return answer.data }
        throw answer.error(status: response.status, body: response.body, retryAfter: response.retryAfter)
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
