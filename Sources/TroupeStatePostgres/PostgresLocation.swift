public import Foundation

/// Where shared state lives: `postgres://USER[:PASSWORD]@HOST[:PORT]/DB[?sslmode=…]`, from
/// `--state` or `TROUPE_STATE_URL`. The password comes from the URL, else `PGPASSWORD`, else
/// `~/.pgpass` (libpq's rules); it is never part of `description`.
public struct PostgresLocation: Sendable, CustomStringConvertible {
    public var user: String
    public var host: String
    public var port: Int
    public var database: String
    public var password: String?
    /// `disable` (the default on loopback), `prefer` (the default elsewhere) or `require`.
    public var sslMode: String

    /// A URL troupe cannot use, and what to write instead.
    public struct Invalid: Error, CustomStringConvertible {
        public var reason: String
        public var description: String {
            "--state / TROUPE_STATE_URL: \(reason); write postgres://USER@HOST:PORT/DATABASE (password in PGPASSWORD or ~/.pgpass)"
        }
    }

    /// Whether `text` names a PostgreSQL server at all (else it is not a state URL).
    public static func isPostgres(_ text: String) -> Bool {
        text.hasPrefix("postgres://") || text.hasPrefix("postgresql://")
    }

    public init(url text: String, environment: [String: String] = ProcessInfo.processInfo.environment,
                pgpass: String? = nil) throws(Invalid) {
        guard Self.isPostgres(text) else { throw Invalid(reason: "'\(Self.redacted(text))' is not a postgres:// URL") }
        guard let url = URLComponents(string: text) else { throw Invalid(reason: "'\(Self.redacted(text))' is not a URL") }
        guard let host = url.host, !host.isEmpty else { throw Invalid(reason: "the URL names no host") }
        let path = url.path.hasPrefix("/") ? String(url.path.dropFirst()) : url.path
        guard !path.isEmpty, !path.contains("/") else { throw Invalid(reason: "the URL names no database (…/DATABASE at its end)") }
        self.host = host
        port = url.port ?? 5432
        user = url.user.flatMap { $0.removingPercentEncoding } ?? environment["PGUSER"] ?? environment["USER"] ?? "postgres"
        database = path.removingPercentEncoding ?? path
        let loopback = ["127.0.0.1", "localhost", "::1"].contains(host)
        let mode = url.queryItems?.first { $0.name == "sslmode" }?.value ?? (loopback ? "disable" : "prefer")
        guard ["disable", "prefer", "require"].contains(mode) else {
            throw Invalid(reason: "sslmode=\(mode) is not one of disable, prefer, require")
        }
        sslMode = mode
        password = url.password.flatMap { $0.removingPercentEncoding } ?? environment["PGPASSWORD"]
            ?? Self.pgpassPassword(file: pgpass ?? environment["PGPASSFILE"] ?? (NSHomeDirectory() + "/.pgpass"),
                                   host: host, port: port, database: database, user: user)
    }

    /// The URL without its password: what messages and `troupe state status` show.
    public var description: String { "postgres://\(user)@\(host.contains(":") ? "[\(host)]" : host):\(port)/\(database)" }

    /// Any text that may be a URL with a password, with the password replaced.
    public static func redacted(_ text: String) -> String {
        guard var url = URLComponents(string: text), url.password != nil else { return text }
        url.password = "***"
        return url.string ?? "postgres://…"
    }

    /// libpq's `~/.pgpass`: `host:port:database:user:password` lines, `*` matching anything,
    /// `\:` and `\\` escaped; the first matching line wins.
    static func pgpassPassword(file: String, host: String, port: Int, database: String, user: String) -> String? {
        guard let text = try? String(contentsOfFile: file, encoding: .utf8) else { return nil }
        for line in text.split(whereSeparator: \.isNewline) where !line.hasPrefix("#") {
            let fields = splitEscaped(String(line))
            guard fields.count == 5 else { continue }
            let wanted = [host, String(port), database, user]
            if zip(fields, wanted).allSatisfy({ $0 == "*" || $0 == $1 }) { return fields[4] }
        }
        return nil
    }

    private static func splitEscaped(_ line: String) -> [String] {
        var fields: [String] = [], current = "", escaped = false
        for c in line {
            if escaped { current.append(c); escaped = false }
            else if c == "\\" { escaped = true }
            else if c == ":" { fields.append(current); current = "" }
            else { current.append(c) }
        }
        fields.append(current)
        return fields
    }
}
