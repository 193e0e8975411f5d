import Foundation
import PostgresNIO
import TroupeSupport
public import TroupeState

/// Many runners on one campaign: who is working (runners and their heartbeats), who works on
/// which paid job (leases), and how many tasks an account has in flight (slots).
extension PostgresStateStore: TeamCoordinating {
    /// Registers this process as a runner of `campaign` and renews its leases every third of
    /// their length from now on, until `close`. Runners silent for an hour (killed long ago)
    /// are forgotten: `troupe status` shows a dead runner for a while, not forever.
    public func join(campaign: String, account: String?) async throws {
        try await db.query("""
            WITH gone AS (DELETE FROM troupe_runner WHERE id <> $1 AND seen_at < clock_timestamp() - interval '1 hour')
            INSERT INTO troupe_runner (id, host, pid, campaign, account, started_at, seen_at, lease_seconds)
            VALUES ($1, $2, $3, $4, $5, clock_timestamp(), clock_timestamp(), $6)
            ON CONFLICT (id) DO UPDATE SET campaign = excluded.campaign, account = excluded.account, seen_at = clock_timestamp()
            """, [.text(runnerID), .text(ProcessInfo.processInfo.hostName), .int(Int(getpid())), .text(campaign), .text(account),
                  .double(leaseSeconds)], doing: "registering this runner")
        heartbeat.start(every: leaseSeconds / 3) { [weak self] in Task { try? await self?.beat() } }
    }

    /// One statement renews everything this runner holds: its row, its jobs, its slots.
    func beat() async throws {
        try await db.query("""
            WITH r AS (UPDATE troupe_runner SET seen_at = clock_timestamp() WHERE id = $1 RETURNING id),
                 j AS (UPDATE troupe_job SET lease_until = clock_timestamp() + $2 * interval '1 second'
                       WHERE lease_owner = $1 RETURNING key),
                 s AS (UPDATE troupe_slot SET until = clock_timestamp() + $2 * interval '1 second'
                       WHERE runner = $1 RETURNING key)
            SELECT (SELECT count(*) FROM r) AS r, (SELECT count(*) FROM j) AS j, (SELECT count(*) FROM s) AS s
            """, [.text(runnerID), .double(leaseSeconds)], doing: "renewing leases")
    }

    func stopHeartbeat() { heartbeat.stop() }

    /// Gives back every lease and slot and removes this runner's row.
    func leaveTeam() async throws {
        try await db.query("""
            WITH j AS (UPDATE troupe_job SET lease_owner = NULL, lease_until = NULL WHERE lease_owner = $1 RETURNING key),
                 s AS (DELETE FROM troupe_slot WHERE runner = $1 RETURNING key),
                 r AS (DELETE FROM troupe_runner WHERE id = $1 RETURNING id)
            SELECT (SELECT count(*) FROM j) + (SELECT count(*) FROM s) + (SELECT count(*) FROM r) AS n
            """, [.text(runnerID)], doing: "leaving the team")
    }

    /// One job claimed on its own (one not announced by `expect`): as `claim`, and its row is
    /// made if there is none.
    func claimOne(_ key: String, fresh: JobRecord) async throws -> Claim {
        for _ in 0..<3 {
            // One statement: the row made or leased for this runner (`mine`), else the row as
            // it was (finished, held, or being claimed by another this moment).
            let rows = try await db.query("""
                WITH ins AS (
                    INSERT INTO troupe_job (\(Self.columns), lease_owner, lease_until)
                    VALUES (\(Self.rowParameters), \(Self.p(1)), clock_timestamp() + \(Self.p(2)) * interval '1 second')
                    ON CONFLICT (key) DO NOTHING RETURNING \(Self.columns)
                ), upd AS (
                    UPDATE troupe_job SET lease_owner = \(Self.p(1)), lease_until = clock_timestamp() + \(Self.p(2)) * interval '1 second'
                    WHERE key = (SELECT key FROM troupe_job WHERE key = $1 AND state NOT IN ('fetched', 'failed', 'stalled')
                                   AND (lease_owner IS NULL OR lease_owner = \(Self.p(1)) OR lease_until < clock_timestamp())
                                 FOR UPDATE SKIP LOCKED)
                    RETURNING \(Self.columns)
                )
                SELECT *, true AS mine, NULL::text AS holder, NULL::float8 AS left_s FROM ins
                UNION ALL SELECT *, true, NULL, NULL FROM upd
                UNION ALL SELECT \(Self.columns), false, lease_owner, extract(epoch FROM lease_until - clock_timestamp())::float8
                    FROM troupe_job WHERE key = $1 AND NOT EXISTS (SELECT 1 FROM ins) AND NOT EXISTS (SELECT 1 FROM upd)
                """, Self.values(fresh) + [.text(runnerID), .double(leaseSeconds)], doing: "claiming a job")
            // Nothing at all: another runner inserted the row after this statement began.
            guard let first = rows.first else { continue }
            if let found = try claim(of: first).1 { return found }
        }
        return .held(by: "another runner", seconds: 0.05)
    }

    // MARK: Account slots

    /// Makes the account's row, or brings its limits to what this runner was told (the
    /// manifest's provider.concurrency; creates per real second).
    public func registerAccount(_ account: String, concurrency: Int, createsPerSecond: Double) async throws {
        try await db.query("""
            INSERT INTO troupe_account (id, concurrency, rate, tokens, refilled_at)
            VALUES ($1, $2, $3, GREATEST(1, $3), clock_timestamp())
            ON CONFLICT (id) DO UPDATE SET concurrency = excluded.concurrency, rate = excluded.rate
            """, [.text(account), .int(concurrency), .double(createsPerSecond)], doing: "registering the account")
        slotAccount.withLock { $0 = account }
    }

    /// One statement (`troupe_take_slot`). `from`: a slot this runner holds for a task that
    /// ended, moved to `key` (freed instead under a lowered gate; kept while the answer is a
    /// wait for a create token).
    public func takeSlot(account: String, key: String, from: String? = nil) async throws -> SlotAnswer {
        let row = try await db.query("SELECT troupe_take_slot($1, $2, $3, $4, $5) AS w",
                               [.text(account), .text(key), .text(runnerID), .double(leaseSeconds), .text(from)],
                               doing: from == nil ? "taking an account slot" : "handing on an account slot").first
        return SlotAnswer(code: try row?.value("w", as: Double.self) ?? -1)
    }

    public func listenForFreedSlots(account: String, _ freed: @escaping @Sendable () -> Void) async throws -> any TeamSubscription {
        try await db.listen("troupe_slots") { payload in if payload == account { freed() } }
    }

    /// Counts a task the provider already has (found in flight): its slot whatever the limit.
    public func holdSlot(account: String, key: String) async throws {
        try await db.query("""
            INSERT INTO troupe_slot VALUES ($1, $2, $3, clock_timestamp() + $4 * interval '1 second')
            ON CONFLICT (account, key) DO UPDATE SET runner = excluded.runner, until = excluded.until
            """, [.text(account), .text(key), .text(runnerID), .double(leaseSeconds)], doing: "holding an account slot")
    }

    /// The task ended (or was never made): its slot is free, and waiting runners are told.
    /// Only this runner's: a runner that lost the job to another (its lease ran out while it
    /// was stalled) must not free the slot the other now holds for the same task.
    public func releaseSlot(account: String, key: String) async throws {
        try await db.query("""
            WITH d AS (DELETE FROM troupe_slot WHERE account = $1 AND key = $2 AND runner = $3 RETURNING key)
            SELECT pg_notify('troupe_slots', $1) FROM d
            """, [.text(account), .text(key), .text(runnerID)], doing: "releasing an account slot")
    }

    /// A 1303: the provider counts more in flight than the slots say (a task of a dead runner
    /// not yet taken over, another tool on the account): every runner's gate is lowered to
    /// what is in flight, for `seconds`.
    public func lowerGate(account: String, seconds: Double) async throws {
        try await db.query("""
            UPDATE troupe_account SET lowered_to = GREATEST(1, (SELECT count(*) FROM troupe_slot WHERE account = $1)),
                                      lowered_until = clock_timestamp() + $2 * interval '1 second'
            WHERE id = $1
            """, [.text(account), .double(seconds)], doing: "lowering the account's gate")
    }

    // MARK: Status

    /// A runner as `troupe status` shows it.
    public struct RunnerRow: Sendable {
        public var id: String
        public var host: String
        public var pid: Int
        public var campaign: String
        /// Seconds since its last heartbeat.
        public var leaseAge: Double
        /// Jobs it holds leases on.
        public var jobs: Int
        /// Whether its heartbeat is within its lease (else it is dead, its jobs free to take).
        public var alive: Bool
    }

    public func runners(campaign: String?) async throws -> [RunnerRow] {
        try await db.query("""
            SELECT r.id, r.host, r.pid, r.campaign,
                   extract(epoch FROM clock_timestamp() - r.seen_at)::float8 AS age, r.lease_seconds,
                   (SELECT count(*) FROM troupe_job j WHERE j.lease_owner = r.id) AS jobs
            FROM troupe_runner r WHERE $1::text IS NULL OR r.campaign = $1 ORDER BY r.started_at
            """, [.text(campaign)], doing: "reading runners").map { row in
            let age: Double = try row.value("age") ?? 0
            return RunnerRow(id: try row.value("id") ?? "", host: try row.value("host") ?? "", pid: try row.value("pid") ?? 0,
                             campaign: try row.value("campaign") ?? "", leaseAge: age, jobs: try row.value("jobs") ?? 0,
                             alive: age < (try row.value("lease_seconds") ?? 30))
        }
    }

    /// An account's slots as `troupe status` shows them.
    public struct AccountRow: Sendable {
        public var id: String
        public var concurrency: Int
        public var inUse: Int
        /// The limit a 1303 set, while it lasts.
        public var lowered: Int?
    }

    public func accounts() async throws -> [AccountRow] {
        try await db.query("""
            SELECT a.id, a.concurrency,
                   CASE WHEN a.lowered_until > clock_timestamp() THEN a.lowered_to END AS lowered,
                   (SELECT count(*) FROM troupe_slot s WHERE s.account = a.id) AS in_use
            FROM troupe_account a ORDER BY a.id
            """, doing: "reading accounts").map { row in
            AccountRow(id: try row.value("id") ?? "", concurrency: try row.value("concurrency") ?? 0,
                       inUse: try row.value("in_use") ?? 0, lowered: try row.value("lowered"))
        }
    }
}

/// A repeating timer on a queue of its own (a stalled run loop or a busy pool must not stop
/// the heartbeat: its leases would run out under it).
final class Heartbeat: @unchecked Sendable {
    // The timer is only touched under the lock.
    private let lock = NSLock()
    private var timer: (any DispatchSourceTimer)?

    func start(every seconds: Double, _ beat: @escaping @Sendable () -> Void) {
        let timer = DispatchSource.makeTimerSource(queue: DispatchQueue(label: "troupe.heartbeat"))
        timer.schedule(deadline: .now() + seconds, repeating: seconds)
        timer.setEventHandler(handler: beat)
        timer.resume()
        lock.withLock {
            self.timer?.cancel()
            self.timer = timer
        }
    }

    func stop() {
        lock.withLock {
            timer?.cancel()
            timer = nil
        }
    }
}

extension SlotAnswer {
    /// What `troupe_take_slot` answers: 0 the slot is the job's, -1 full, -2 full with slots of
    /// a dead runner's tasks, -3 the job's slot is another live runner's, > 0 seconds until a
    /// create token.
    init(code: Double) {
        switch code {
        case 0: self = .taken
        case -2: self = .heldForDeadRunner
        case -3: self = .heldByAnotherRunner
        case let s where s > 0: self = .tokenIn(seconds: s)
        default: self = .full
        }
    }
}

extension PostgresListener: TeamSubscription {}
