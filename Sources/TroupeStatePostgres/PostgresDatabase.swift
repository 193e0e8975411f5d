import Foundation
import Logging
import NIOSSL
import PostgresNIO
import TroupeSupport

/// A value bound to a statement: the few column types troupe's tables use.
enum SQLValue: Sendable {
    case text(String?)
    case int(Int?)
    case double(Double?)
    case date(Date?)
    case texts([String])

    func append(to bindings: inout PostgresBindings) throws {
        switch self {
        case .text(let v): bindings.append(v)
        case .int(let v): bindings.append(v)
        case .double(let v): bindings.append(v)
        case .date(let v): bindings.append(v)
        case .texts(let v): bindings.append(v)
        }
    }
}

/// The server, through PostgresNIO's `PostgresClient`: a pool of connections whose statements
/// are awaited, never waited for on a thread, so a runner's job tasks do not tie up the
/// cooperative pool while the server answers. Every write troupe makes is a single statement
/// (CTEs), so no transaction spans two calls. A statement the server has not finished within
/// `timeout` is cancelled by the server itself (`statement_timeout`), which also bounds the
/// slot function's wait for the account's row lock.
final class PostgresDatabase: Sendable {
    let location: PostgresLocation
    private let client: PostgresClient
    /// The pool runs as long as this task; cancelling it closes every connection.
    private let running: Task<Void, Never>
    private static let logger = Logger(label: "troupe.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    /// Statements sent, by what they were for (`scripts/bench.sh teams` prints them per render).
    let statements = Locked<[String: Int]>([:])

    /// `connections`: statements in flight at once; one more is kept for a listener.
    init(location: PostgresLocation, connections: Int = 4, timeoutSeconds: Int = 60) throws {
        self.location = location
        var config = PostgresClient.Configuration(host: location.host, port: location.port, username: location.user,
                                                  password: location.password, database: location.database,
                                                  tls: try Self.tls(location.sslMode))
        config.options.connectTimeout = .seconds(10)
        config.options.maximumConnections = connections + 1
        config.options.additionalStartupParameters = [("statement_timeout", "\(timeoutSeconds * 1000)")]
        let client = PostgresClient(configuration: config, backgroundLogger: Self.logger)
        self.client = client
        running = Task { await client.run() }
    }

    private static func tls(_ mode: String) throws -> PostgresClient.Configuration.TLS {
        switch mode {
        case "disable": .disable
        case "require": .require(.makeClientConfiguration())
        default: .prefer(.makeClientConfiguration())
        }
    }

    /// Connects now, on a connection of its own (so a wrong URL or password is reported before
    /// any work starts, instead of a pool retrying it in the background).
    func open() async throws {
        var config = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                      password: location.password, database: location.database,
                                                      tls: .disable)
        if location.sslMode != "disable" {
            let context = try NIOSSLContext(configuration: .makeClientConfiguration())
            config.tls = location.sslMode == "require" ? .require(context) : .prefer(context)
        }
        config.options.connectTimeout = .seconds(10)
        do {
            let connection = try await PostgresConnection.connect(configuration: config, id: 0, logger: Self.logger)
            try await connection.close()
        } catch {
            throw PostgresFailure(location: location, doing: "connect", error: error)
        }
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    func query(_ sql: String, _ values: [SQLValue] = [], doing: String) async throws -> [PostgresRow] {
        var bindings = PostgresBindings(capacity: values.count)
        for v in values { try v.append(to: &bindings) }
        statements.withLock { $0[doing, default: 0] += 1 }
        do {
            var rows: [PostgresRow] = []
            for try await row in try await client.query(PostgresQuery(unsafeSQL: sql, binds: bindings), logger: Self.logger) {
                rows.append(row)
            }
            return rows
        } catch {
            throw PostgresFailure(location: location, doing: doing, error: error)
        }
    }

    /// Calls `handler` with each payload NOTIFY sends on `channel`, on a pool connection kept
    /// for it until the listener is cancelled; returns once the server listens.
    func listen(_ channel: String, handler: @escaping @Sendable (String) -> Void) async throws -> PostgresListener {
        let (ready, readiness) = AsyncStream.makeStream(of: Result<Void, any Error>.self)
        let client = client, location = location
        let task = Task {
            do {
                try await client.withConnection { connection in
                    try await connection.listen(on: channel) { notices in
                        readiness.yield(.success(()))
                        for try await note in notices { handler(note.payload) }
                    }
                }
            } catch {
                readiness.yield(.failure(PostgresFailure(location: location, doing: "listening for freed slots", error: error)))
            }
            readiness.finish()
        }
        for await answer in ready {
            try answer.get()
            return PostgresListener(task: task)
        }
        throw PostgresFailure(location: location, doing: "listening for freed slots", error: CancellationError())
    }

    /// Closes every connection; nothing may use the database afterwards.
    func close() async {
        running.cancel()
        await running.value
    }
}

/// A LISTEN on a connection of its own, until cancelled.
struct PostgresListener: Sendable {
    let task: Task<Void, Never>
    func cancel() { task.cancel() }
}

/// What the server (or the way to it) said, without the password and with what to do.
public struct PostgresFailure: Error, CustomStringConvertible {
    public var location: PostgresLocation
    public var doing: String
    public var message: String
    public var sqlState: String?

    init(location: PostgresLocation, doing: String, error: any Error) {
        self.location = location
        self.doing = doing
        if let failure = error as? PostgresFailure {
            self = failure
            return
        }
        if let psql = error as? PSQLError {
            sqlState = psql.serverInfo?[.sqlState]
            if let text = psql.serverInfo?[.message] {
                message = text
            } else if let underlying = psql.underlying {
                message = "\(underlying)"
            } else {
                message = "\(psql.code)"
            }
        } else {
            message = "\(error)"
        }
    }

    public var description: String {
        var hint = ""
        if sqlState == "28P01" || sqlState == "28000" {
            hint = "; check the user, and the password in PGPASSWORD or ~/.pgpass"
        } else if sqlState == "3D000" {
            hint = "; create it (createdb \(location.database)) or name another"
        } else if sqlState == "57014" {
            hint = "; the server cancelled a statement that took too long: is it overloaded, or is a lock held?"
        } else if sqlState == nil {
            hint = "; is the server running and reachable at \(location.host):\(location.port)?"
        }
        return "PostgreSQL at \(location) (\(doing)): \(message)\(hint)"
    }
}

extension PostgresRow {
    /// Column `name` of this row, decoded (NULL as nil).
    func value<T: PostgresDecodable>(_ name: String, as type: T.Type = T.self) throws -> T? where T._DecodableType == T {
        try makeRandomAccess()[name].decode(T?.self)
    }
}
