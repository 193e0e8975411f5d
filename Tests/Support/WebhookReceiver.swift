public import Foundation
internal import Hummingbird

/// A webhook on a real socket that keeps what it is sent: `POST /hook/…` answers `failures`
/// (status codes, one per request, in order) first, then 200.
public final class WebhookReceiver: Sendable {
    public struct Received: Sendable {
        public var path: String
        public var body: Data
        /// The body as a JSON object, when it is one.
        public var json: [String: Any]? { (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] }
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    private let server: LocalHTTPServer
    private let state: State
    public var baseURL: String { server.baseURL }

    private init(server: LocalHTTPServer, state: State) {
        self.server = server
        self.state = state
    }

    public static func start(failures: [Int] = [], alwaysFail: Int? = nil) async throws -> WebhookReceiver {
        let state = State(failures: failures, alwaysFail: alwaysFail)
        let router = Router()
        router.post("/hook/**") { request, _ in
            var request = request
            let body = Data(try await request.text().utf8)
            let status = await state.receive(Received(path: request.uri.path, body: body))
            return Response.text(status, status == 200 ? "ok" : "no", type: "text/plain")
        }
        return WebhookReceiver(server: try await LocalHTTPServer.start(router), state: state)
    }

    public func stop() async { await server.stop() }
    /// Every request, the failed ones included.
    public func received() async -> [Received] { await state.received }
    /// The requests answered 200.
    public func delivered() async -> [Received] { await state.delivered }

    actor State {
        var failures: [Int]
        let alwaysFail: Int?
        var received: [Received] = []
        var delivered: [Received] = []

        init(failures: [Int], alwaysFail: Int?) {
            self.failures = failures
            self.alwaysFail = alwaysFail
        }

        func receive(_ r: Received) -> Int {
            received.append(r)
            if let alwaysFail { return alwaysFail }
            if !failures.isEmpty { return failures.removeFirst() }
            delivered.append(r)
            return 200
        }
    }
}
