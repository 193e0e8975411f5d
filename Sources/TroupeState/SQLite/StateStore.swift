public import Foundation
import GRDB
public import TroupeSupport
import TroupePlan

/// `.troupe/state.sqlite`: a row per job key and the ledger of create calls, in SQLite's WAL
/// mode so a crash at any moment leaves the last committed state. Migrations from day one.
public final class StateStore: StateStoring {
    public let path: String
    public var location: String { path }
    let pool: DatabasePool
    /// Rows waiting for the next commit (`saveLater`).
    private let later = LaterRows()
    /// The external id each row has in the database, as this store last wrote it.
    private let written = WrittenExternalIDs()
    /// How long a row saved for later waits at most when no other commit comes.
    static let laterDelay = 0.25
    /// Times the wait of rows saved for later when a test gives a clock to run by hand; nil
    /// is real time on a dispatch timer, which a busy cooperative pool cannot hold back.
    private let clock: (any RunClock)?

    public init(path: String, clock: (any RunClock)? = nil) throws {
        self.path = path
        self.clock = clock
        try FileManager.default.createDirectory(atPath: (path as NSString).deletingLastPathComponent,
                                                withIntermediateDirectories: true)
        var config = Configuration()
        config.busyMode = .timeout(10)
        // In WAL mode NORMAL keeps every commit across a crash of the process (kill -9) and
        // skips the fsync per commit. Power loss may drop the last commits; payment stays
        // exactly-once even then, because the external id is derived from the job key: a
        // forgotten intent leads to a create the provider refuses as a duplicate, then adoption.
        // Checkpoints every 4,000 pages (16 MB of WAL) instead of 1,000: a 10,000-job run
        // rewrites the same pages many times, and each checkpoint syncs the database file.
        config.prepareDatabase { db in
            try db.execute(sql: "PRAGMA synchronous = NORMAL")
            try db.execute(sql: "PRAGMA wal_autocheckpoint = 4000")
        }
        // Two commands starting together on a fresh project both create and migrate it: retried
        // (StateStore+Open.swift), so neither fails with "database is locked" or a duplicate
        // migration.
        pool = try Self.openPool(path: path, configuration: config)
    }

    static var migrator: DatabaseMigrator {
        var m = DatabaseMigrator()
        m.registerMigration("v1: jobs and ledger") { db in
            try db.create(table: "job") { t in
                t.primaryKey("key", .text)
                t.column("id", .text).notNull()
                t.column("kind", .text).notNull()
                t.column("state", .text).notNull()
                t.column("external_task_id", .text)
                t.column("task_id", .text)
                t.column("attempts", .integer).notNull().defaults(to: 0)
                t.column("units", .double).notNull().defaults(to: 0)
                t.column("units_charged", .double)
                t.column("element_id", .integer)
                t.column("result_sha256", .text)
                t.column("result_duration", .double)
                t.column("last_error", .text)
                t.column("created_at", .datetime).notNull()
                t.column("updated_at", .datetime).notNull()
            }
            try db.create(index: "job_external", on: "job", columns: ["external_task_id"], unique: true, ifNotExists: true)
            try db.create(table: "ledger") { t in
                t.autoIncrementedPrimaryKey("seq")
                t.column("key", .text).notNull()
                t.column("external_task_id", .text).notNull()
                t.column("event", .text).notNull()
                t.column("detail", .text)
                t.column("at", .datetime).notNull()
            }
            // The ledger is append-only: refuse updates and deletes at the database level.
            try db.execute(sql: """
                CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
                CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
                """)
        }
        m.registerMigration("v2: re-rolls") { db in
            try db.alter(table: "job") { t in t.add(column: "reroll", .integer).notNull().defaults(to: 0) }
        }
        // Fewer pages per commit: jobs live in their key's B-tree (no rowid table beside a key
        // index), and the ledger's seq is a plain rowid (AUTOINCREMENT rewrote sqlite_sequence
        // on every append; with deletes refused, rowids only grow anyway).
        m.registerMigration("v3: leaner tables") { db in
            try db.execute(sql: """
                CREATE TABLE job_v3 (
                    key TEXT NOT NULL PRIMARY KEY, id TEXT NOT NULL, kind TEXT NOT NULL, state TEXT NOT NULL,
                    external_task_id TEXT, task_id TEXT, attempts INTEGER NOT NULL DEFAULT 0,
                    units DOUBLE NOT NULL DEFAULT 0, units_charged DOUBLE, element_id INTEGER, result_sha256 TEXT,
                    result_duration DOUBLE, last_error TEXT, created_at DATETIME NOT NULL, updated_at DATETIME NOT NULL,
                    reroll INTEGER NOT NULL DEFAULT 0
                ) WITHOUT ROWID;
                INSERT INTO job_v3 SELECT key, id, kind, state, external_task_id, task_id, attempts, units, units_charged,
                    element_id, result_sha256, result_duration, last_error, created_at, updated_at, reroll FROM job;
                DROP TABLE job;
                ALTER TABLE job_v3 RENAME TO job;
                CREATE UNIQUE INDEX job_external ON job(external_task_id);
                CREATE TABLE ledger_v3 (
                    seq INTEGER PRIMARY KEY, key TEXT NOT NULL, external_task_id TEXT NOT NULL, event TEXT NOT NULL,
                    detail TEXT, at DATETIME NOT NULL
                );
                INSERT INTO ledger_v3 SELECT seq, key, external_task_id, event, detail, at FROM ledger;
                DROP TABLE ledger;
                ALTER TABLE ledger_v3 RENAME TO ledger;
                CREATE TRIGGER ledger_no_update BEFORE UPDATE ON ledger BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
                CREATE TRIGGER ledger_no_delete BEFORE DELETE ON ledger BEGIN SELECT RAISE(ABORT, 'ledger is append-only'); END;
                """)
        }
        // A re-roll replaces the task; what the earlier tasks cost stays counted (status).
        m.registerMigration("v4: units of earlier rolls") { db in
            try db.execute(sql: "ALTER TABLE job ADD COLUMN units_rerolled DOUBLE NOT NULL DEFAULT 0")
        }
        m.registerMigration("v5: the last run's timeline") { db in try createTimelineTable(db) }
        // fal answers a submit with URLs to follow, not an id to build them from.
        m.registerMigration("v6: provider handles") { db in
            try db.execute(sql: "ALTER TABLE job ADD COLUMN provider_handle TEXT")
        }
        return m
    }

    /// Commits what waits, moves the WAL into the database file (emptying the WAL) and closes
    /// it: the file then says all. Nothing may use the store afterwards.
    public func close() throws {
        try flush()
        _ = try pool.writeWithoutTransaction { try $0.checkpoint(.truncate) }
        try pool.close()
    }

    public func record(_ key: String) throws -> JobRecord? {
        try flush()
        return try committedRecord(key)
    }

    /// Each row's key, kind, state and result digest only: what `plan` needs to know what a
    /// run would do, read without decoding whole records (a 10,000-job campaign per plan).
    public func states() throws -> [JobStateRow] {
        try flush()
        return try pool.read(Self.states)
    }

    /// The same from a store file, opened read-only for the moment (no migration, no pool):
    /// `plan` and `verify` read a campaign's state this way while a run may be writing it.
    public static func states(path: String) throws -> [JobStateRow] {
        var config = Configuration()
        config.readonly = true
        config.busyMode = .timeout(10)
        return try retryingWhileBusy {
            let queue = try DatabaseQueue(path: path, configuration: config)
            defer { try? queue.close() }
            // A store another command is creating this moment has no table yet: nothing known.
            return try queue.read { db in try db.tableExists("job") ? try states(db) : [] }
        }
    }

    private static func states(_ db: Database) throws -> [JobStateRow] {
        var out: [JobStateRow] = []
        let rows = try Row.fetchCursor(db, sql: "SELECT key, kind, state, result_sha256 FROM job")
        while let row = try rows.next() {
            out.append(JobStateRow(key: row[0], kind: try JobKind(column: row[1]), state: try JobState(column: row[2]), result: row[3]))
        }
        return out
    }

    public func records() throws -> [JobRecord] {
        try flush()
        return try pool.read { try JobRow.fetchAll($0).map(\.record) }
    }

    public func records(keys: some Collection<String>) throws -> [String: JobRecord] {
        try flush()
        let list = Array(keys)
        var out: [String: JobRecord] = [:]
        try pool.read { db in
            // SQLite caps bound parameters; fetch in chunks.
            for start in stride(from: 0, to: list.count, by: 500) {
                let chunk = Array(list[start..<min(start + 500, list.count)])
                for r in try JobRow.filter(keys: chunk).fetchAll(db) { out[r.record.key] = r.record }
            }
        }
        return out
    }

    /// Inserts or replaces a job's row, committed before returning.
    public func save(_ record: JobRecord) throws {
        try write { try self.upsert(record, $0) }
    }

    /// Saves a row (and a ledger line) with the next commit instead of in one of its own, and
    /// at most `laterDelay` from now. Only for rows a crash may lose at the price of free work
    /// done again: a task id the next run finds again by its external id, an export linked
    /// again. A commit is most of a write's cost, and a render needs four rows.
    public func saveLater(_ record: JobRecord, ledger event: String?, detail: String?, at: Date?) {
        let line = event.map { LedgerEntry(for: record, event: $0, detail: detail, at: at ?? record.updatedAt) }
        guard later.add(record, line) else { return }
        guard let clock else {
            DispatchQueue.global().asyncAfter(deadline: .now() + Self.laterDelay) { [weak self] in self?.commitLater() }
            return
        }
        Task { [weak self] in
            try? await clock.sleep(Self.laterDelay)
            self?.commitLater()
        }
    }

    private func commitLater() {
        later.disarm()
        // A failure leaves the rows waiting; the next write commits them or throws.
        try? flush()
    }

    /// Commits the rows saved for later, if any.
    public func flush() throws {
        if later.isEmpty { return }
        try write { _ in }
    }

    /// One transaction: the rows saved for later, then `body`. If it fails, the rows wait on.
    private func write(_ body: (Database) throws -> Void) throws {
        try pool.writeWithoutTransaction { db in
            let taken = later.take()
            // BEGIN and COMMIT as cached statements: GRDB's `inTransaction` compiles both
            // every time, a fifth of a small write's cost.
            do {
                try db.cachedStatement(sql: "BEGIN IMMEDIATE TRANSACTION").execute()
                for r in taken.rows.values { try upsert(r, db) }
                for line in taken.ledger { try Self.append(line, db) }
                try body(db)
                try db.cachedStatement(sql: "COMMIT TRANSACTION").execute()
            } catch {
                if db.isInsideTransaction { try? db.rollback() }
                written.forgetAll()
                later.restore(taken)
                throw error
            }
        }
    }

    /// A row whose external id is unchanged is updated without naming that column, so SQLite
    /// leaves its unique index alone (a third of a small commit's pages); any other row goes
    /// through the upsert. Only inside the writer's transactions.
    private func upsert(_ r: JobRecord, _ db: Database) throws {
        if written.has(r.key, r.externalTaskId) {
            let statement = try db.cachedStatement(sql: Self.updateSQL)
            let values = JobColumns.values(r)
            var arguments = Self.updated.map { values[$0].sqlite }
            arguments.append(r.key)
            try statement.execute(arguments: StatementArguments(arguments))
            if db.changesCount == 1 { return }
        }
        try Self.upsert(r, db)
        written.set(r.key, r.externalTaskId)
    }

    /// One prepared INSERT … ON CONFLICT per connection: one statement per row written, where
    /// GRDB's `save` tries an UPDATE, then an INSERT, and builds its SQL each time.
    static func upsert(_ r: JobRecord, _ db: Database) throws {
        let statement = try db.cachedStatement(sql: upsertSQL)
        try statement.execute(arguments: StatementArguments(JobColumns.values(r).map(\.sqlite)))
    }

    /// Every column but the key, as an upsert's conflict branch sets them.
    static let upsertSQL = "INSERT INTO job (\(JobColumns.names)) VALUES ("
        + JobColumns.all.map { _ in "?" }.joined(separator: ", ") + ") ON CONFLICT(key) DO UPDATE SET "
        + JobColumns.all.dropFirst().map { "\($0.name) = excluded.\($0.name)" }.joined(separator: ", ")

    /// Every column but the key and the external id (its unique index is left alone).
    static let updated = JobColumns.all.indices.filter { !["key", "external_task_id"].contains(JobColumns.all[$0].name) }
    static let updateSQL = "UPDATE job SET "
        + updated.map { "\(JobColumns.all[$0].name) = ?" }.joined(separator: ", ") + " WHERE key = ?"

    static func append(_ line: LedgerEntry, _ db: Database) throws {
        let statement = try db.cachedStatement(sql: "INSERT INTO ledger (key, external_task_id, event, detail, at) VALUES (?, ?, ?, ?, ?)")
        try statement.execute(arguments: [line.key, line.externalTaskId, line.event, line.detail, UTCStamp.sql(line.at)])
    }

    /// Commits the intent to create (row in `submitting` + ledger line) in one transaction,
    /// so a crash after it always leads to a query before any new submission.
    public func commitIntent(_ record: JobRecord, at: Date) throws {
        try save(record, ledger: "intent", detail: nil, at: at)
    }

    /// Updates a row and appends a ledger line together.
    public func save(_ record: JobRecord, ledger event: String, detail: String?, at: Date) throws {
        try write { db in
            try self.upsert(record, db)
            try Self.append(LedgerEntry(for: record, event: event, detail: detail, at: at), db)
        }
    }

    public func ledger() throws -> [LedgerEntry] {
        try flush()
        return try pool.read { db in try Row.fetchAll(db, sql: "SELECT * FROM ledger ORDER BY seq").map(LedgerEntry.init(row:)) }
    }

    /// One runner per folder (the campaign lock): every claim succeeds with the row as it is,
    /// read without committing the rows saved for later (`record` would: a commit per paid job).
    public func claim(_ key: String, fresh: JobRecord) throws -> Claim {
        .claimed(try later.row(key) ?? committedRecord(key) ?? fresh)
    }

    private func committedRecord(_ key: String) throws -> JobRecord? {
        try pool.read { db in
            try JobRow.fetchOne(try db.cachedStatement(sql: "SELECT * FROM job WHERE key = ?"), arguments: [key])?.record
        }
    }

    public func delete(keys: [String]) throws {
        try flush()
        written.forgetAll()
        try pool.write { db in _ = try JobRow.deleteAll(db, keys: keys) }
    }
}

extension StateStore {
    /// Runs raw SQL; for tests that prove the database refuses what the code never does.
    func rawExecute(_ sql: String) throws {
        written.forgetAll()
        try pool.write { try $0.execute(sql: sql) }
    }
}
