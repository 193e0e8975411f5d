import Foundation
import Logging
import NIOCore
import NIOPosix
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

/// One connection to the server, used from synchronous code: each statement is sent on
/// NIO's event loop and waited for on the calling thread (never an event-loop thread). One
/// statement at a time per call and no multi-statement transactions: every write troupe
/// makes is a single statement (CTEs), so calls from many jobs can share the connection.
/// A connection that broke is made again for the next statement.
final class PostgresConnectionBox: @unchecked Sendable {
    let location: PostgresLocation
    private let lock = NSLock()
    private var connection: PostgresConnection?
    private let logger = Logger(label: "troupe.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    /// Statements sent, for `scripts/bench.sh` (statements per render).
    let statements = Locked(0)

    init(location: PostgresLocation) {
        self.location = location
    }

    /// Connects now (so a wrong URL or password is reported before any work starts).
    func open() throws { _ = try current() }

    fileprivate func current() throws -> PostgresConnection {
        try lock.withLock {
            if let connection, !connection.isClosed { return connection }
            let tls: PostgresConnection.Configuration.TLS
            switch location.sslMode {
            case "disable": tls = .disable
            case "require": tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
            default: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
            }
            var config = PostgresConnection.Configuration(host: location.host, port: location.port, username: location.user,
                                                          password: location.password, database: location.database, tls: tls)
            config.options.connectTimeout = .seconds(10)
            do {
                let made = try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: config,
                                                          id: 1, logger: logger).wait()
                connection = made
                return made
            } catch {
                throw PostgresFailure(location: location, doing: "connect", error: error)
            }
        }
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    func query(_ sql: String, _ values: [SQLValue] = [], doing: String) throws -> [PostgresRow] {
        var bindings = PostgresBindings(capacity: values.count)
        for v in values { try v.append(to: &bindings) }
        let statement = PostgresQuery(unsafeSQL: sql, binds: bindings)
        statements.withLock { $0 += 1 }
        let connection = try current()
        do {
            return try connection.query(statement, logger: logger).wait().rows
        } catch {
            throw PostgresFailure(location: location, doing: doing, error: error)
        }
    }

    // PostgresNIO asserts that a connection is closed before it goes (a store whose opening
    // failed half-way is released with its connection open).
    deinit { close() }

    func close() {
        let c = lock.withLock { () -> PostgresConnection? in
            defer { connection = nil }
            return connection
        }
        try? c?.close().wait()
    }
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

extension PostgresConnectionBox {
    /// Calls `handler` with each payload NOTIFY sends on `channel`, on a connection of its own
    /// (kept until the process ends or `close`): the statement connection stays free.
    func listen(_ channel: String, handler: @escaping @Sendable (String) -> Void) throws -> PostgresConnectionBox {
        let listener = PostgresConnectionBox(location: location)
        let connection = try listener.current()
        connection.addListener(channel: channel) { _, note in handler(note.payload) }
        try listener.query("LISTEN \(channel)", doing: "listening for freed slots")
        return listener
    }
}
