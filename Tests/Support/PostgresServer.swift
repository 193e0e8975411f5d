import Foundation

/// A real PostgreSQL server from Debian's `postgresql` package for a suite: `initdb` into a
/// temp folder, run as the unprivileged `postgres` user (the tests run as root, which the
/// server refuses), on 127.0.0.1 and a free port, with a password (scram); stopped and removed
/// by `stop()`. Missing binaries are a failure naming scripts/bootstrap.sh, never a skip.
public final class PostgresServer: @unchecked Sendable {
    public struct Missing: Error, CustomStringConvertible {
        public var description: String {
            "PostgreSQL's initdb/postgres (Debian's postgresql package) not found in /usr/lib/postgresql/*/bin; run scripts/bootstrap.sh"
        }
    }
    public struct Failed: Error, CustomStringConvertible {
        public var description: String
    }

    public let port: Int
    public let user = "troupe"
    public let password = "pw-\(UInt32.random(in: 0...UInt32.max))"
    let folder: String
    let bin: String
    private let process: Process

    /// `postgres://troupe@127.0.0.1:PORT/NAME` (the password goes in PGPASSWORD).
    public func url(_ database: String) -> String { "postgres://\(user)@127.0.0.1:\(port)/\(database)" }

    /// The environment a troupe process needs to reach `database`.
    public func environment(_ database: String) -> [String: String] {
        ["TROUPE_STATE_URL": url(database), "PGPASSWORD": password]
    }

    public static func binFolder() -> String? {
        let base = "/usr/lib/postgresql"
        let versions = ((try? FileManager.default.contentsOfDirectory(atPath: base)) ?? []).sorted { (Int($0) ?? 0) > (Int($1) ?? 0) }
        return versions.map { "\(base)/\($0)/bin" }.first { FileManager.default.isExecutableFile(atPath: $0 + "/initdb") }
    }

    public static func start() throws -> PostgresServer {
        guard let bin = binFolder() else { throw Missing() }
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-pg-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let port = try MotoServer.freePort()
        let server = PostgresServer(bin: bin, folder: folder, port: port)
        try server.initialise()
        try server.launch()
        return server
    }

    init(bin: String, folder: String, port: Int) {
        self.bin = bin
        self.folder = folder
        self.port = port
        process = Process()
    }

    private var asRoot: Bool { getuid() == 0 }

    /// A process for `command`, as the postgres user when we are root.
    private func process(_ command: [String]) -> Process {
        let p = Process()
        if asRoot {
            p.executableURL = URL(fileURLWithPath: "/usr/sbin/runuser")
            p.arguments = ["-u", "postgres", "--"] + command
        } else {
            p.executableURL = URL(fileURLWithPath: command[0])
            p.arguments = Array(command.dropFirst())
        }
        return p
    }

    private func run(_ command: [String], wait: Bool = true) throws -> Process {
        let p = process(command)
        let log = FileHandle(forWritingAtPath: folder + "/server.log") ?? FileHandle.nullDevice
        p.standardOutput = log
        p.standardError = log
        try p.run()
        if wait {
            p.waitUntilExit()
            guard p.terminationStatus == 0 else {
                throw Failed(description: "\(command.joined(separator: " ")) failed: \(self.log(tail: 20))")
            }
        }
        return p
    }

    private func log(tail n: Int) -> String {
        let text = (try? String(contentsOfFile: folder + "/server.log", encoding: .utf8)) ?? ""
        return text.split(separator: "\n").suffix(n).joined(separator: "\n")
    }

    private func initialise() throws {
        _ = FileManager.default.createFile(atPath: folder + "/server.log", contents: nil)
        _ = FileManager.default.createFile(atPath: folder + "/pw", contents: Data(password.utf8))
        if asRoot {
            // The folder and the files in it belong to the postgres user, which runs the server.
            if let pw = getpwnam("postgres") {
                for path in [folder, folder + "/server.log", folder + "/pw"] { chown(path, pw.pointee.pw_uid, pw.pointee.pw_gid) }
            }
        }
        _ = try run([bin + "/initdb", "-D", folder + "/data", "-U", user, "--pwfile=" + folder + "/pw",
                     "--auth-local=trust", "--auth-host=scram-sha-256", "-E", "UTF8", "--no-sync"])
    }

    private func launch() throws {
        // A watchdog shell beside the server: when this test process is gone (finished, crashed,
        // killed), it stops the server and removes its folder, so no run leaves one behind.
        let server = [bin + "/postgres", "-D", folder + "/data", "-p", String(port), "-k", folder,
                      "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "synchronous_commit=off",
                      "-c", "full_page_writes=off", "-c", "max_connections=200"].map { "'\($0)'" }.joined(separator: " ")
        let watchdog = """
            \(server) & pg=$!
            while [ -d /proc/\(getpid()) ] && kill -0 $pg 2>/dev/null; do sleep 0.5; done
            kill -INT $pg 2>/dev/null; wait $pg; rm -rf '\(folder)'
            """
        let p = try run(["/bin/sh", "-c", watchdog], wait: false)
        processBox = p
        for _ in 0..<200 {
            if (try? psql("SELECT 1", database: "postgres")) != nil { return }
            if !p.isRunning { throw Failed(description: "postgres exited: \(log(tail: 20))") }
            usleep(100_000)
        }
        stop()
        throw Failed(description: "postgres did not start on port \(port): \(log(tail: 20))")
    }

    private var processBox: Process?

    /// Runs SQL through psql over the unix socket (trust), as the postgres user.
    @discardableResult
    public func psql(_ sql: String, database: String) throws -> String {
        let p = process([bin + "/psql", "-h", folder, "-p", String(port), "-U", user, "-d", database, "-At", "-v", "ON_ERROR_STOP=1", "-c", sql])
        let out = Pipe(), err = Pipe()
        p.standardOutput = out
        p.standardError = err
        try p.run()
        let data = out.fileHandleForReading.readDataToEndOfFile()
        let errors = err.fileHandleForReading.readDataToEndOfFile()
        p.waitUntilExit()
        guard p.terminationStatus == 0 else {
            throw Failed(description: "psql: " + (String(data: errors, encoding: .utf8) ?? ""))
        }
        return String(data: data, encoding: .utf8)?.trimmingCharacters(in: .whitespacesAndNewlines) ?? ""
    }

    /// A fresh, empty database for one test.
    public func createDatabase() throws -> String {
        let name = "t_\(UInt32.random(in: 0...UInt32.max))"
        try psql("CREATE DATABASE \(name)", database: "postgres")
        return name
    }

    /// Fast shutdown of the postmaster; the watchdog then removes the folder.
    public func stop() {
        if let pidText = try? String(contentsOfFile: folder + "/data/postmaster.pid", encoding: .utf8),
           let pid = Int32(pidText.split(separator: "\n").first ?? "") {
            kill(pid, SIGINT)
        }
        let deadline = Date().addingTimeInterval(10)
        while processBox?.isRunning == true && Date() < deadline { usleep(50_000) }
        try? FileManager.default.removeItem(atPath: folder)
    }
}

/// The one server of a test process, started on first use and stopped when the process exits.
public enum TestPostgres {
    public static let server: Result<PostgresServer, any Error> = {
        let started = Result { try PostgresServer.start() }
        if case .success(let s) = started {
            atExit.withLock { $0 = s }
            atexit { TestPostgres.atExit.withLock { $0?.stop() } }
        }
        return started
    }()

    static let atExit = LockedServer()

    /// A fresh database on the shared server: its URL and the environment to reach it.
    public static func database() throws -> (url: String, environment: [String: String], server: PostgresServer) {
        let server = try self.server.get()
        let name = try server.createDatabase()
        return (server.url(name), server.environment(name), server)
    }
}

final class LockedServer: @unchecked Sendable {
    private let lock = NSLock()
    private var server: PostgresServer?
    func withLock(_ body: (inout PostgresServer?) -> Void) { lock.withLock { body(&server) } }
}
