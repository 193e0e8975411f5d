import Foundation

/// A flag an operation polls (through FFmpeg's AVIOInterruptCB and between frames) to stop early.
/// Cancelled operations throw `MediaError.cancelled` and leave no output behind.
public final class MediaCancellation: @unchecked Sendable {
    private let lock = NSLock()
    private var flag = false

    public init() {}

    public var isCancelled: Bool { lock.withLock { flag } }

    public func cancel() { lock.withLock { flag = true } }

    /// Runs a blocking media operation off the cooperative pool, cancelling it when the task is.
    public static func run<T: Sendable>(
        _ body: @escaping @Sendable (MediaCancellation) throws -> T
    ) async throws -> T {
        let token = MediaCancellation()
        return try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { continuation in
                Thread.detachNewThread {
                    continuation.resume(with: Result { try body(token) })
                }
            }
        } onCancel: {
            token.cancel()
        }
    }

    /// Runs a media operation that may suspend (a preview waiting for another's analysis of its
    /// clip) on the current task, cancelling it when the task is.
    public static func run<T: Sendable>(
        suspending body: (MediaCancellation) async throws -> T
    ) async throws -> T {
        let token = MediaCancellation()
        return try await withTaskCancellationHandler {
            try await body(token)
        } onCancel: {
            token.cancel()
        }
    }
}
