import Foundation
public import TroupeSupport
internal import Hummingbird
import Logging
internal import NIOCore
internal import ServiceLifecycle

/// The simulator running in this process: `start` binds and returns once it listens.
public final class KlingSimServer: Sendable {
    public let port: Int
    public let host: String
    private let state: SimState
    private let group: ServiceGroup
    let runTask: Task<Void, any Error>

    public var baseURL: String { "http://\(host):\(port)" }

    private init(port: Int, host: String, state: SimState, group: ServiceGroup, runTask: Task<Void, any Error>) {
        self.group = group
        self.port = port
        self.host = host
        self.state = state
        self.runTask = runTask
    }

    public static func start(_ configuration: SimConfiguration = SimConfiguration(),
                             renderer: any ResultRenderer = PlaceholderRenderer(),
                             verbose: Bool = false, stopOnSignals: Bool = false,
                             clock: (any RunClock)? = nil) async throws -> KlingSimServer {
        let state = SimState(configuration: configuration, renderer: renderer, clock: clock)
        var logger = Logger(label: "troupe-sim")
        logger.logLevel = verbose ? .info : .warning
        let bound = BindSignal()
        let app = Application(
            router: SimRoutes.router(state: state),
            configuration: .init(address: .hostname(configuration.host, port: configuration.port),
                                 serverName: nil, backlog: 4096),
            onServerRunning: { channel in bound.resolve(.success(channel.localAddress?.port ?? 0)) },
            logger: logger)
        // Graceful shutdown (not task cancellation) lets open keep-alive connections close cleanly.
        let group = ServiceGroup(configuration: .init(services: [app],
                                                      gracefulShutdownSignals: stopOnSignals ? [.sigint, .sigterm] : [],
                                                      logger: logger))
        let runTask = Task {
            do { try await group.run() } catch { bound.resolve(.failure(error)); throw error }
            bound.resolve(.failure(CancellationError()))
        }
        let port = try await bound.value()
        return KlingSimServer(port: port, host: configuration.host, state: state, group: group, runTask: runTask)
    }

    /// Starts a simulator, runs `body` with it, and stops it however `body` ends (tests).
    public static func serving<T>(_ configuration: SimConfiguration = SimConfiguration(),
                                  renderer: any ResultRenderer = PlaceholderRenderer(), clock: (any RunClock)? = nil,
                                  _ body: (KlingSimServer) async throws -> T) async throws -> T {
        let sim = try await start(configuration, renderer: renderer, clock: clock)
        do {
            let value = try await body(sim)
            await sim.stop()
            return value
        } catch {
            await sim.stop()
            throw error
        }
    }

    /// Stops listening and waits for the server to wind down.
    public func stop() async {
        await group.triggerGracefulShutdown()
        _ = try? await runTask.value
    }

    public func stats() async -> SimStats { await state.snapshot() }
    public func reset() async { await state.reset() }
    /// Changes faults or limits while running.
    public func configure(_ change: @escaping @Sendable (inout SimConfiguration) -> Void) async { await state.update(change) }
    public var configuration: SimConfiguration { get async { await state.configuration } }
}

/// Hands the bound port (or the bind error) from the server task to `start`, exactly once.
private final class BindSignal: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<Int, any Error>?
    private var waiter: CheckedContinuation<Int, any Error>?

    func resolve(_ outcome: Result<Int, any Error>) {
        let waiter: CheckedContinuation<Int, any Error>? = lock.withLock {
            guard result == nil else { return nil }
            result = outcome
            defer { self.waiter = nil }
            return self.waiter
        }
        waiter?.resume(with: outcome)
    }

    func value() async throws -> Int {
        try await withCheckedThrowingContinuation { continuation in
            let ready: Result<Int, any Error>? = lock.withLock {
                if result == nil { waiter = continuation }
                return result
            }
            if let ready { continuation.resume(with: ready) }
        }
    }
}

extension KlingSimServer {
    /// Blocks until the server stops (SIGINT/SIGTERM end the process as usual).
    public func waitUntilStopped() async {
        _ = try? await runTask.value
    }
}
