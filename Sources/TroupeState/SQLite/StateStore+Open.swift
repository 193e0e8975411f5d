import Foundation
import TroupeSupport
import GRDB
import TroupePlan

extension StateStore {
    /// Creates (or opens) the pool and migrates it, retried while another process does the same:
    /// two commands starting on a fresh project race to switch the new file to WAL ("database is
    /// locked") and to record the same migration (`UNIQUE constraint failed:
    /// grdb_migrations.identifier`). The loser waits and finds the work done.
    ///
    /// GRDB checks which migrations are applied, then applies each in a transaction of its own:
    /// two processes can both see v2 missing and both run it ("duplicate column name"). So the
    /// creation and the migrations run under an exclusive flock on the store's folder itself
    /// (no extra file; the campaign lock is another file, `.troupe/lock`, held for a whole run
    /// — readers must not wait for that, only for these few milliseconds).
    static func openPool(path: String, configuration: Configuration) throws -> DatabasePool {
        let folder = (path as NSString).deletingLastPathComponent
        let fd = open(folder.isEmpty ? "." : folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if fd >= 0 {
            while flock(fd, LOCK_EX) != 0 && errno == EINTR {}
        }
        defer {
            if fd >= 0 {
                flock(fd, LOCK_UN)
                Glibc.close(fd)
            }
        }
        return try retryingWhileBusy {
            let pool = try DatabasePool(path: path, configuration: configuration)
            try migrator.migrate(pool)
            return pool
        }
    }

    /// Runs `body` again (for up to 20 s) while SQLite says another connection is in the way.
    static func retryingWhileBusy<T>(_ body: () throws -> T) throws -> T {
        let deadline = Date().addingTimeInterval(20)
        var pause: UInt32 = 5_000
        while true {
            do {
                return try body()
            } catch let error as DatabaseError where Date() < deadline && Self.isContention(error) {
                usleep(pause + UInt32.random(in: 0...pause))
                pause = min(pause * 2, 200_000)
            }
        }
    }

    static func isContention(_ error: DatabaseError) -> Bool {
        switch error.resultCode {
        case .SQLITE_BUSY, .SQLITE_LOCKED: return true
        case .SQLITE_CONSTRAINT: return error.message?.contains("grdb_migrations") ?? false
        default: return false
        }
    }

    /// A state database moved aside because it was damaged.
    public struct Recovered: Sendable, CustomStringConvertible {
        /// Where the damaged file went.
        public var movedTo: String
        /// What SQLite said.
        public var reason: String
        public var description: String {
            "the state database was damaged (\(reason)); moved it to \(movedTo) and started a fresh one: "
                + "finished work is taken from the lock, the cache and the provider's tasks (nothing is paid again)"
        }
    }

    /// Opens the store at `path` for a command that changes state (under the campaign lock): a
    /// database that cannot be opened ("file is not a database", truncated) or fails `PRAGMA
    /// quick_check` is moved aside as `state.sqlite.damaged-<UTC stamp>` (with its -wal and -shm)
    /// and a fresh one is made; the run then rebuilds from the lock, the cache and provider
    /// queries by external task id. The move is recorded in the fresh store's ledger (event
    /// `recovered`), which `troupe status` shows.
    public static func openRecovering(path: String) throws -> (StateStore, Recovered?) {
        guard FileManager.default.fileExists(atPath: path) else { return (try StateStore(path: path), nil) }
        var damage: String?
        do {
            let store = try StateStore(path: path)
            let answer = try store.pool.read { db in try String.fetchAll(db, sql: "PRAGMA quick_check") }
            if answer == ["ok"] { return (store, nil) }
            damage = "quick_check: " + answer.prefix(3).joined(separator: "; ")
        } catch let error as DatabaseError where [.SQLITE_NOTADB, .SQLITE_CORRUPT].contains(error.resultCode) {
            damage = error.message ?? "\(error.resultCode)"
        }
        // The damaged pool is closed (deinit) before its files move.
        let stamp = UTCStamp.iso(Date()).replacingOccurrences(of: ":", with: "")
        let aside = path + ".damaged-" + stamp
        for suffix in ["", "-wal", "-shm"] where FileManager.default.fileExists(atPath: path + suffix) {
            guard rename(path + suffix, aside + suffix) == 0 else {
                throw StoreDamaged(path: path, reason: damage ?? "", detail: "cannot move it aside: \(ProjectFolder.cause(errno))")
            }
        }
        let store = try StateStore(path: path)
        let recovered = Recovered(movedTo: (aside as NSString).lastPathComponent, reason: damage ?? "")
        try store.pool.write { db in
            try append(LedgerEntry(key: "", externalTaskId: "", event: "recovered", detail: recovered.description, at: Date()), db)
        }
        return (store, recovered)
    }

    /// The state database is damaged and this command does not repair it.
    public struct StoreDamaged: Error, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var detail: String
        public var description: String {
            "\(path) is damaged (\(reason)); \(detail.isEmpty ? "`troupe run` moves it aside and rebuilds it from the lock, the cache and the provider (nothing is paid again)" : detail)"
        }
    }

    /// Recoveries recorded in this store's ledger, oldest first: when, and what was done.
    public func recoveries() throws -> [(at: String, detail: String)] {
        try pool.read { db in
            try Row.fetchAll(db, sql: "SELECT at, detail FROM ledger WHERE event = 'recovered' ORDER BY seq").map { ($0[0], $0[1] ?? "") }
        }
    }
}
