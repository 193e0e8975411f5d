public import Foundation
import PostgresNIO
import TroupePlan
import TroupeSupport
public import TroupeState

/// The state store in PostgreSQL (`--state postgres://…`), shared by every runner that works
/// on the same campaigns: the same rows and ledger as `StateStore`, plus leases on paid jobs
/// (`claim`), the runners' heartbeats and the accounts' slots (PostgresStateStore+Teams).
///
/// Every write is one statement. A paid job's row can only be written by the runner holding
/// its lease (or by anyone once the lease has run out): a runner that lost its lease while
/// paused cannot overwrite what the runner that took over has done since (`LeaseLost`).
public final class PostgresStateStore: StateStoring {
    let db: PostgresDatabase
    /// This process as a runner: `host-pid-random`.
    public let runnerID: String
    /// How long a lease lasts without a heartbeat (real seconds). A killed runner's jobs are
    /// taken over this long after its last heartbeat.
    public let leaseSeconds: Double
    let heartbeat = Heartbeat()
    /// The account whose slots this runner takes (`registerAccount`): an intent needs one.
    let slotAccount = Locked<String?>(nil)
    /// Rows `saveLater` holds for the next batch (exports: every runner makes its own, the
    /// same row), newest per key; reads see them.
    let pending = Locked<[String: JobRecord]>([:])
    /// Paid jobs claimed a batch at a time ahead of their turn (PostgresStateStore+Claims).
    let ahead = Locked(ClaimsAhead())

    public var location: String { db.location.description }
    public var team: (any TeamCoordinating)? { self }

    /// Statements sent so far, by what they were for.
    public var statementCounts: [String: Int] { db.statements.withLock { $0 } }

    /// Connects and brings the schema up to date (`migrate: false`: refuses an older one).
    public init(location: PostgresLocation, leaseSeconds: Double? = nil, migrate: Bool = true) async throws {
        db = try PostgresDatabase(location: location)
        let host = ProcessInfo.processInfo.hostName
        runnerID = "\(host)-\(getpid())-\(Hex.lowercase((0..<3).map { _ in UInt8.random(in: 0...255) }))"
        self.leaseSeconds = leaseSeconds ?? Double(ProcessInfo.processInfo.environment["TROUPE_LEASE_SECONDS"] ?? "") ?? 30
        do {
            try await db.open()
            let version = try await schemaVersion()
            if version > PostgresSchema.latest {
                throw PostgresSchemaTooNew(location: location.description, found: version, known: PostgresSchema.latest)
            }
            if version < PostgresSchema.latest {
                guard migrate else { throw PostgresSchemaOld(location: location.description, found: version, latest: PostgresSchema.latest) }
                try await self.migrate()
            }
        } catch {
            // The pool runs until closed: a store that cannot be used lets go of it at once.
            await db.close()
            throw error
        }
    }

    // MARK: Schema

    /// The newest migration applied (0: none, not even the table that records them).
    public func schemaVersion() async throws -> Int {
        // Two statements: a query naming a table that does not exist fails as it is planned.
        let present = try await db.query("SELECT to_regclass('troupe_schema') IS NOT NULL AS p", doing: "reading the schema version")
        guard try present.first?.value("p", as: Bool.self) == true else { return 0 }
        let rows = try await db.query("SELECT coalesce(max(version), 0) AS v FROM troupe_schema", doing: "reading the schema version")
        return try rows.first?.value("v", as: Int.self) ?? 0
    }

    /// Applies what is missing, each migration with its record in one transaction, under an
    /// advisory lock (a second runner waits, then finds them applied). Returns what it applied.
    @discardableResult
    public func migrate() async throws -> [String] {
        var applied: [String] = []
        for m in PostgresSchema.migrations {
            // One statement per migration (a DO block is its own transaction): the advisory
            // lock is held until it ends, whatever happens.
            let body = """
                DO $migrate$ BEGIN
                    PERFORM pg_advisory_xact_lock(\(PostgresSchema.migrationLock));
                    CREATE TABLE IF NOT EXISTS troupe_schema (version bigint PRIMARY KEY, name text NOT NULL,
                                                              applied_at timestamptz NOT NULL DEFAULT now());
                    IF NOT EXISTS (SELECT 1 FROM troupe_schema WHERE version = \(m.version)) THEN
                        EXECUTE \(Self.dollarQuoted(m.sql));
                        INSERT INTO troupe_schema (version, name) VALUES (\(m.version), \(Self.literal(m.name)));
                    END IF;
                END $migrate$
                """
            let before = try await schemaVersion()
            try await db.query(body, doing: "migrating to schema v\(m.version)")
            if before < m.version { applied.append("v\(m.version): \(m.name)") }
        }
        return applied
    }

    static func literal(_ text: String) -> String { "'" + text.replacingOccurrences(of: "'", with: "''") + "'" }

    static func dollarQuoted(_ text: String) -> String { "$body$" + text + "$body$" }

    // MARK: Rows

    static let columns = JobColumns.names
    /// `$1, $2, …` for one row's columns.
    static let rowParameters = JobColumns.all.indices.map { "$\($0 + 1)" }.joined(separator: ", ")
    /// The parameter `n` places after a row's columns (`p(1)` is the runner in most statements).
    static func p(_ n: Int) -> String { "$\(JobColumns.all.count + n)" }

    static func values(_ r: JobRecord) -> [SQLValue] {
        JobColumns.values(r).map { value in
            switch value {
            case .text(let v): .text(v)
            case .integer(let v): .int(v.map(Int.init))
            case .real(let v): .double(v)
            case .time(let v): .date(v)
            }
        }
    }

    static func record(_ row: PostgresRow) throws -> JobRecord {
        try JobRecord(reading: PostgresJobRow(row: row.makeRandomAccess()))
    }

    public func record(_ key: String) async throws -> JobRecord? {
        if let row = pending.withLock({ $0[key] }) { return row }
        return try await db.query("SELECT \(Self.columns) FROM troupe_job WHERE key = $1", [.text(key)], doing: "reading a job").first.map(Self.record)
    }

    public func states() async throws -> [JobStateRow] {
        try await flush()
        return try await db.query("SELECT key, kind, state, result_sha256 FROM troupe_job", doing: "reading job states").map { row in
            JobStateRow(key: try row.value("key") ?? "", kind: try JobKind(column: try row.value("kind") ?? ""),
                        state: try JobState(column: try row.value("state") ?? ""), result: try row.value("result_sha256"))
        }
    }

    public func records() async throws -> [JobRecord] {
        try await flush()
        return try await db.query("SELECT \(Self.columns) FROM troupe_job", doing: "reading jobs").map(Self.record)
    }

    public func records(keys: some Collection<String>) async throws -> [String: JobRecord] {
        var out: [String: JobRecord] = [:]
        let list = Array(keys)
        for start in stride(from: 0, to: list.count, by: 5000) {
            let chunk = Array(list[start..<min(start + 5000, list.count)])
            for row in try await db.query("SELECT \(Self.columns) FROM troupe_job WHERE key = ANY($1)", [.texts(chunk)], doing: "reading jobs") {
                let r = try Self.record(row)
                out[r.key] = r
            }
        }
        let waiting = pending.withLock { $0 }
        if !waiting.isEmpty { for key in list { if let row = waiting[key] { out[key] = row } } }
        return out
    }

    /// The upsert every write goes through: refused (no row returned) while another runner's
    /// lease on the job is alive. A finished, failed or pending row lets go of the lease.
    private var upsert: String {
        upsert(where: "troupe_job.lease_owner IS NULL OR troupe_job.lease_owner = \(Self.p(1)) OR troupe_job.lease_until < clock_timestamp()")
    }

    func upsert(where condition: String,
                from rows: String = "VALUES (\(PostgresStateStore.rowParameters))") -> String {
        """
        INSERT INTO troupe_job (\(Self.columns)) \(rows)
        ON CONFLICT (key) DO UPDATE SET id = excluded.id, kind = excluded.kind, state = excluded.state,
            external_task_id = excluded.external_task_id, task_id = excluded.task_id, attempts = excluded.attempts,
            units = excluded.units, units_charged = excluded.units_charged, element_id = excluded.element_id,
            result_sha256 = excluded.result_sha256, result_duration = excluded.result_duration,
            last_error = excluded.last_error, reroll = excluded.reroll, units_rerolled = excluded.units_rerolled,
            created_at = excluded.created_at, updated_at = excluded.updated_at, provider_handle = excluded.provider_handle,
            lease_owner = CASE WHEN excluded.state IN ('fetched', 'failed', 'stalled', 'in_doubt', 'pending') THEN NULL
                               ELSE troupe_job.lease_owner END
        WHERE \(condition)
        RETURNING key
        """
    }

    public func save(_ record: JobRecord) async throws {
        dropPending(record.key)
        let rows = try await db.query(upsert, Self.values(record) + [.text(runnerID)], doing: "saving a job")
        if rows.isEmpty { throw LeaseLost(key: record.key) }
    }

    public func save(_ record: JobRecord, ledger event: String, detail: String?, at: Date) async throws {
        try await save(record, line: event, detail: detail, at: at, doing: "saving a job and its ledger line")
    }

    /// The row and its ledger line in one statement; `mine` (a query binding `p(6)` at most)
    /// narrows who may write to the runner it finds, else the lease rule of `upsert` applies.
    private func save(_ record: JobRecord, line event: String, detail: String?, at: Date, mine: String? = nil,
                      extra: [SQLValue] = [], doing: String) async throws {
        dropPending(record.key)
        let row = mine.map { "mine AS (\($0)), j AS (\(upsert(where: "EXISTS (SELECT 1 FROM mine)")))" } ?? "j AS (\(upsert))"
        let rows = try await db.query("""
            WITH \(row)
            INSERT INTO troupe_ledger (key, external_task_id, event, detail, at, runner)
            SELECT key, \(Self.p(2)), \(Self.p(3)), \(Self.p(4)), \(Self.p(5)), \(Self.p(1)) FROM j RETURNING seq
            """, Self.values(record) + [.text(runnerID), .text(record.externalTaskId ?? ""), .text(event), .text(detail), .date(at)] + extra,
            doing: doing)
        if rows.isEmpty { throw LeaseLost(key: record.key) }
    }

    /// Stricter than other writes: only while this runner's lease on the job is alive, and
    /// (with account slots) while the slot it took for the job is still its own. A runner
    /// stalled past its lease may have lost the slot to another; it must not create then.
    public func commitIntent(_ record: JobRecord, at: Date) async throws {
        try await save(record, line: "intent", detail: nil, at: at, mine: """
            SELECT key FROM troupe_job WHERE key = $1 AND lease_owner = \(Self.p(1)) AND lease_until > clock_timestamp()
              AND (\(Self.p(6))::text IS NULL OR EXISTS (SELECT 1 FROM troupe_slot s WHERE s.account = \(Self.p(6)) AND s.key = $1
                                                AND s.runner = \(Self.p(1)) AND s.until > clock_timestamp()))
            """, extra: [.text(slotAccount.withLock { $0 })], doing: "committing the intent to create")
    }

    /// A row with a ledger line is written at once (a commit here is one round trip, not an
    /// fsync, and a paid job's next step waits for it anyway). A row without one (an export's)
    /// waits for a batch of them, one statement for many: each runner makes its own exports,
    /// so every runner writes the same row, and a crash loses only links made again for free.
    public func saveLater(_ record: JobRecord, ledger event: String?, detail: String?, at: Date?) async {
        // A failure here is met again by the job's next save, which throws.
        if let event {
            try? await save(record, ledger: event, detail: detail, at: at ?? record.updatedAt)
            return
        }
        let full = pending.withLock { p -> Bool in
            p[record.key] = record
            return p.count >= Self.batchSize
        }
        if full { try? await flush() }
    }

    public func ledger() async throws -> [LedgerEntry] {
        try await db.query("SELECT seq, key, external_task_id, event, detail, at FROM troupe_ledger ORDER BY seq", doing: "reading the ledger").map { row in
            var e = LedgerEntry(key: try row.value("key") ?? "", externalTaskId: try row.value("external_task_id") ?? "",
                                event: try row.value("event") ?? "", detail: try row.value("detail"), at: try row.value("at") ?? Date())
            e.seq = try row.value("seq", as: Int.self).map(Int64.init)
            return e
        }
    }

    public func delete(keys: [String]) async throws {
        guard !keys.isEmpty else { return }
        try await db.query("DELETE FROM troupe_job WHERE key = ANY($1)", [.texts(keys)], doing: "deleting jobs")
    }


    /// Lets go of every lease and slot this runner holds (others take its jobs at once, not
    /// after the lease runs out) and closes the connection.
    public func close() async throws {
        try? await flush()
        stopHeartbeat()
        try? await leaveTeam()
        await db.close()
        // For scripts/bench-teams.sh: this process's statements by kind, one JSON line.
        if let path = ProcessInfo.processInfo.environment["TROUPE_STATEMENT_COUNTS"],
           let line = try? JSONSerialization.data(withJSONObject: statementCounts, options: [.sortedKeys]),
           let handle = FileHandle(forWritingAtPath: path) ?? (FileManager.default.createFile(atPath: path, contents: nil) ? FileHandle(forWritingAtPath: path) : nil) {
            handle.seekToEndOfFile()
            handle.write(line + Data("\n".utf8))
            try? handle.close()
        }
    }

    /// Runs raw SQL; for tests that prove the database refuses what the code never does.
    func rawExecute(_ sql: String) async throws {
        try await db.query(sql, doing: "a test statement")
    }
}

/// The database was migrated by a newer troupe.
public struct PostgresSchemaTooNew: Error, CustomStringConvertible {
    public var location: String
    public var found: Int
    public var known: Int
    public var description: String {
        "\(location) has schema v\(found), newer than this troupe knows (v\(known)); use the troupe the other runners use"
    }
}

/// The database is behind and this command does not migrate it.
public struct PostgresSchemaOld: Error, CustomStringConvertible {
    public var location: String
    public var found: Int
    public var latest: Int
    public var description: String {
        "\(location) has schema v\(found), this troupe needs v\(latest); run `troupe state migrate --state …` (or any `troupe run`)"
    }
}

/// A `troupe_job` row read column by column (one random-access view for all of them).
struct PostgresJobRow: JobRowReading {
    let row: PostgresRandomAccessRow
    func text(_ column: String) throws -> String? { try row[column].decode(String?.self) }
    func integer(_ column: String) throws -> Int64? { try row[column].decode(Int64?.self) }
    func real(_ column: String) throws -> Double? { try row[column].decode(Double?.self) }
    func time(_ column: String) throws -> Date? { try row[column].decode(Date?.self) }
}
