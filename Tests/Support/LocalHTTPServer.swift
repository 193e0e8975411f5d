import Foundation
internal import HTTPTypes
internal import Hummingbird
internal import Logging
internal import NIOCore
internal import ServiceLifecycle

/// A Hummingbird app on 127.0.0.1 and a free port, for the fakes a test talks to over a real
/// socket (ForgeFake, WebhookReceiver). `start` returns once it listens.
final class LocalHTTPServer: Sendable {
    let port: Int
    private let group: ServiceGroup
    private let runTask: Task<Void, any Error>

    var baseURL: String { "http://127.0.0.1:\(port)" }

    private init(port: Int, group: ServiceGroup, runTask: Task<Void, any Error>) {
        self.port = port
        self.group = group
        self.runTask = runTask
    }

    static func start(_ router: Router<BasicRequestContext>) async throws -> LocalHTTPServer {
        var logger = Logger(label: "troupe-test-server")
        logger.logLevel = .warning
        let (ports, continuation) = AsyncStream.makeStream(of: Int.self)
        let app = Application(router: router, configuration: .init(address: .hostname("127.0.0.1", port: 0)),
                              onServerRunning: { channel in continuation.yield(channel.localAddress?.port ?? 0) },
                              logger: logger)
        let group = ServiceGroup(configuration: .init(services: [app], gracefulShutdownSignals: [], logger: logger))
        // On a thread of its own: the request handlers are child tasks and inherit the preference.
        let runTask = Task(executorPreference: ServerThread.shared) {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = ports.makeAsyncIterator()
        guard let port = await iterator.next(), port > 0 else {
            _ = try await runTask.value
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "the test server did not start"])
        }
        return LocalHTTPServer(port: port, group: group, runTask: runTask)
    }

    func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await runTask.value
    }
}

/// The test servers' tasks run here, not on the cooperative pool: other tests in the process
/// block the pool's few threads (one per core) while a troupe process of theirs runs, and a
/// server waiting for one of them timed its client out.
final class ServerThread: TaskExecutor {
    static let shared = ServerThread()
    private let queue = DispatchQueue(label: "troupe.test-servers")

    func enqueue(_ job: consuming ExecutorJob) {
        let job = UnownedJob(job)
        queue.async { job.runSynchronously(on: self.asUnownedTaskExecutor()) }
    }
}

extension Response {
    static func text(_ status: Int, _ body: String, headers: [String: String] = [:], type: String = "application/json") -> Response {
        var fields = HTTPFields()
        fields[.contentType] = type
        for (name, value) in headers { if let field = HTTPField.Name(name) { fields[field] = value } }
        return Response(status: .init(code: status), headers: fields, body: .init(byteBuffer: ByteBuffer(string: body)))
    }
}

extension Request {
    mutating func text() async throws -> String {
        String(buffer: try await collectBody(upTo: 1 << 20))
    }
}
