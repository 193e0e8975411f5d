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

/// Connections to the server, used from synchronous code: a statement takes a connection of
/// its own (waiting while all are busy), is sent on NIO's event loop and waited for on the
/// calling thread (never an event-loop thread). One statement per connection at a time, so a
/// slow statement (the slot function waits for the account's row lock) delays only its own
/// caller, and a timed-out connection takes no other caller's answer with it. Every write
/// troupe makes is a single statement (CTEs), so no transaction spans two calls. A connection that broke or did not answer within `timeout`
/// is closed and made again for the next statement.
final class PostgresConnectionBox: @unchecked Sendable {
    let location: PostgresLocation
    private let size: Int
    private let timeout: Int64
    private let lock = NSCondition()
    // Under `lock`: idle connections, and how many exist (idle or in use).
    private var idle: [PostgresConnection] = []
    private var made = 0
    private let logger = Logger(label: "troupe.postgres", factory: { _ in SwiftLogNoOpLogHandler() })
    /// Statements sent, by what they were for (`scripts/bench.sh teams` prints them per render).
    let statements = Locked<[String: Int]>([:])

    init(location: PostgresLocation, size: Int = 4, timeoutSeconds: Int64 = 60) {
        self.location = location
        self.size = size
        timeout = timeoutSeconds
    }

    /// Connects now (so a wrong URL or password is reported before any work starts).
    func open() throws { give(try take()) }

    private func connect() throws -> PostgresConnection {
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
            return try PostgresConnection.connect(on: MultiThreadedEventLoopGroup.singleton.next(), configuration: config,
                                                  id: 1, logger: logger).wait()
        } catch {
            throw PostgresFailure(location: location, doing: "connect", error: error)
        }
    }

    /// An idle connection, a new one while fewer than `size` exist, else the next one given back.
    fileprivate func take() throws -> PostgresConnection {
        lock.lock()
        while true {
            while let c = idle.popLast() {
                if !c.isClosed { lock.unlock(); return c }
                made -= 1
            }
            if made < size {
                made += 1
                lock.unlock()
                do { return try connect() } catch {
                    lock.lock(); made -= 1; lock.signal(); lock.unlock()
                    throw error
                }
            }
            lock.wait()
        }
    }

    private func give(_ c: PostgresConnection) {
        lock.lock()
        idle.append(c)
        lock.signal()
        lock.unlock()
    }

    /// A connection that failed or hung: closed, and a new one may be made in its place.
    private func drop(_ c: PostgresConnection) {
        c.close().whenComplete { _ in }
        lock.lock()
        made -= 1
        lock.signal()
        lock.unlock()
    }

    /// Runs one statement and returns its rows.
    @discardableResult
    func query(_ sql: String, _ values: [SQLValue] = [], doing: String) throws -> [PostgresRow] {
        var bindings = PostgresBindings(capacity: values.count)
        for v in values { try v.append(to: &bindings) }
        let statement = PostgresQuery(unsafeSQL: sql, binds: bindings)
        statements.withLock { $0[doing, default: 0] += 1 }
        let connection = try take()
        let answer = connection.eventLoop.makePromise(of: PostgresQueryResult.self)
        connection.query(statement, logger: logger).cascade(to: answer)
        let limit = timeout
        let timer = connection.eventLoop.scheduleTask(in: .seconds(limit)) {
            answer.fail(PostgresTimeout(seconds: limit))
        }
        do {
            let rows = try answer.futureResult.wait().rows
            timer.cancel()
            give(connection)
            return rows
        } catch {
            timer.cancel()
            // A server error leaves the connection usable; anything else may not have.
            if (error as? PSQLError)?.serverInfo != nil { give(connection) } else { drop(connection) }
            throw PostgresFailure(location: location, doing: doing, error: error)
        }
    }

    // PostgresNIO asserts that a connection is closed before it goes.
    deinit { close() }

    func close() {
        let all = lock.withLock { () -> [PostgresConnection] in
            defer { idle = []; made = 0 }
            return idle
        }
        for c in all { try? c.close().wait() }
    }

    /// Calls `handler` with each payload NOTIFY sends on `channel`, on a connection of its own
    /// (kept until `close`): the statement connections stay free.
    func listen(_ channel: String, handler: @escaping @Sendable (String) -> Void) throws -> PostgresConnectionBox {
        let listener = PostgresConnectionBox(location: location, size: 1)
        let connection = try listener.take()
        connection.addListener(channel: channel) { _, note in handler(note.payload) }
        listener.give(connection)
        try listener.query("LISTEN \(channel)", doing: "listening for freed slots")
        return listener
    }
}

/// No answer from the server in time.
struct PostgresTimeout: Error, CustomStringConvertible {
    var seconds: Int64
    var description: String { "no answer in \(seconds) s" }
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
