public import Foundation

/// A server a test starts (Python's http.server, moto_server): stopped however the test ends.
///
/// Stopped with SIGKILL, not SIGTERM: a child inherits the signal mask of the thread that
/// spawned it, and the test process's worker threads block nearly every signal (an
/// http.server started from one showed `SigBlk: fffffffe3bfaea27`, SIGTERM among them), so a
/// plain `terminate()` left every such server running after the suite. A
/// watchdog shell beside it kills it when the test process is gone (finished, crashed or
/// killed before `stop`), as the PostgreSQL server's does.
public final class ServerProcess: @unchecked Sendable {
    public let process: Process
    private let watchdog: Process
    private let lock = NSLock()
    private var stopped = false

    /// Starts `arguments` (looked up on PATH) in `directory`, its error output to `log`.
    public init(_ arguments: [String], in directory: URL? = nil, log: FileHandle? = nil) throws {
        process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = directory }
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = log ?? FileHandle.nullDevice
        try process.run()
        let server = process.processIdentifier
        watchdog = Process()
        watchdog.executableURL = URL(fileURLWithPath: "/bin/sh")
        watchdog.arguments = ["-c", """
            while [ -d /proc/\(getpid()) ] && kill -0 \(server) 2>/dev/null; do sleep 0.5; done
            kill -KILL \(server) 2>/dev/null
            """]
        watchdog.standardInput = FileHandle.nullDevice
        watchdog.standardOutput = FileHandle.nullDevice
        watchdog.standardError = FileHandle.nullDevice
        do { try watchdog.run() } catch {
            kill(server, SIGKILL)
            process.waitUntilExit()
            throw error
        }
    }

    public var pid: Int32 { process.processIdentifier }

    /// Kills the server and waits for it (and its watchdog) to be gone. Idempotent.
    public func stop() {
        let first = lock.withLock { () -> Bool in
            defer { stopped = true }
            return !stopped
        }
        guard first else { return }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        watchdog.waitUntilExit()
    }

    deinit { stop() }
}
