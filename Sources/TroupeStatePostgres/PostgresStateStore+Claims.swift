import Foundation
import PostgresNIO
import TroupeSupport
public import TroupeState

/// Claims a batch at a time. A runner says up front which paid jobs it will take and in what
/// order (`expect`); a claim then leases the job with the next few of that order not started
/// yet (this runner reaches them soon) and looks again at jobs it found held, in one
/// statement. What it learns is kept until the job's turn: rows leased for this runner, rows
/// another runner finished. So a render costs a fraction of a claim statement, not one per
/// runner that reaches it plus one per time it was found held.
struct ClaimsAhead: Sendable {
    /// Keys in the order this runner takes them, and each one's place.
    var order: [String] = []
    var place: [String: Int] = [:]
    /// Keys that were in a batch already: not looked ahead at again.
    var asked: Set<String> = []
    /// Rows leased for this runner ahead of their turn, or finished by another (with when, on
    /// a steady clock: a leased row is trusted only while its lease surely holds).
    var rows: [String: (row: JobRecord, at: Double)] = [:]
    /// Keys another runner held when last asked, oldest first; by whom and when.
    var held: [String] = []
    var heldBy: [String: (runner: String, at: Double)] = [:]

    /// Jobs leased ahead of their turn per statement.
    static let lookahead = 16
    /// Held jobs looked at again per statement.
    static let recheck = 32
    /// How long a job found held is taken to be held still, without asking (seconds).
    static let heldFor = 0.25

    /// Who held `key` when asked a moment ago.
    func recentlyHeld(_ key: String, now: Double) -> String? {
        guard let h = heldBy[key], now - h.at < Self.heldFor else { return nil }
        return h.runner
    }

    /// The row learned for `key`, once.
    mutating func take(_ key: String, now: Double, trust: Double) -> JobRecord? {
        guard let hit = rows.removeValue(forKey: key) else { return nil }
        return hit.row.state.isTerminal || now - hit.at < trust ? hit.row : nil
    }

    /// What a batch for `key` found: rows to use at their turn (`learned`, minus `key`'s own,
    /// which its claim uses now), and jobs held by others (`holders`; `held` in the order
    /// found, also those being claimed this moment) to look at again with later batches.
    mutating func learn(_ learned: [String: JobRecord], held: [String], holders: [String: String], for key: String, now: Double) {
        for (k, row) in learned where k != key { rows[k] = (row, now) }
        let settled = Set(learned.keys).union([key]).union(held)
        self.held = self.held.filter { !settled.contains($0) } + held
        for k in learned.keys { heldBy.removeValue(forKey: k) }
        heldBy.removeValue(forKey: key)
        for (k, runner) in holders { heldBy[k] = (runner, now) }
    }

    /// `key`, the held keys to look at again, and the next keys of the order not asked yet.
    mutating func batch(for key: String) -> [String] {
        var keys = [key]
        keys += held.lazy.filter { $0 != key }.prefix(Self.recheck)
        if let at = place[key] {
            var i = at + 1, added = 0
            while added < Self.lookahead, i < order.count, i <= at + 4 * Self.lookahead {
                let next = order[i]
                if !asked.contains(next) && rows[next] == nil && !keys.contains(next) {
                    keys.append(next)
                    added += 1
                }
                i += 1
            }
        }
        asked.formUnion(keys)
        return keys
    }
}

extension PostgresStateStore {
    /// The paid jobs this run will claim, in the order it takes them: their rows are made now
    /// (one statement; rows that exist are left as they are), so a claim only leases.
    public func expect(claims fresh: [JobRecord]) async throws {
        guard !fresh.isEmpty else { return }
        let keys = fresh.map(\.key)
        ahead.withLock { a in
            a.order = keys
            a.place = Dictionary(keys.enumerated().map { ($1, $0) }, uniquingKeysWith: { first, _ in first })
        }
        try await db.query("INSERT INTO troupe_job (\(Self.columns)) \(Self.batchRows) ON CONFLICT (key) DO NOTHING",
                     [.text(try Self.json(fresh))], doing: "making the rows of the jobs to claim")
    }

    /// Takes the job for this runner when nobody holds it, this runner already does, or the
    /// holder's lease ran out (it was killed or cut off). `SKIP LOCKED`: a row another runner
    /// is claiming this moment counts as held.
    public func claim(_ key: String, fresh: JobRecord) async throws -> Claim {
        let now = ProcessInfo.processInfo.systemUptime
        if let row = ahead.withLock({ $0.take(key, now: now, trust: leaseSeconds / 2) }) { return .claimed(row) }
        if let runner = ahead.withLock({ $0.recentlyHeld(key, now: now) }) { return .held(by: runner, seconds: ClaimsAhead.heldFor) }
        guard ahead.withLock({ $0.place[key] != nil }) else { return try await claimOne(key, fresh: fresh) }
        let keys = ahead.withLock { $0.batch(for: key) }
        let rows = try await db.query("""
            WITH upd AS (
                UPDATE troupe_job SET lease_owner = $2, lease_until = clock_timestamp() + $3 * interval '1 second'
                WHERE key IN (SELECT key FROM troupe_job WHERE key = ANY($1) AND state NOT IN ('fetched', 'failed', 'stalled')
                                AND (key = $4 OR state = 'pending')
                                AND (lease_owner IS NULL OR lease_owner = $2 OR lease_until < clock_timestamp())
                              ORDER BY key FOR UPDATE SKIP LOCKED)
                RETURNING \(Self.columns)
            )
            SELECT *, true AS mine, NULL::text AS holder, NULL::float8 AS left_s FROM upd
            UNION ALL SELECT \(Self.columns), false, lease_owner, extract(epoch FROM lease_until - clock_timestamp())::float8
                FROM troupe_job WHERE key = ANY($1) AND key NOT IN (SELECT key FROM upd)
            """, [.texts(keys), .text(runnerID), .double(leaseSeconds), .text(key)], doing: "claiming jobs")
        var answer: Claim?
        var learned: [String: JobRecord] = [:], held: [String] = [], holders: [String: String] = [:]
        for r in rows {
            let (row, found) = try claim(of: r)
            switch found {
            case .claimed: learned[row.key] = row
            case .held(let owner, _): held.append(row.key); holders[row.key] = owner
            case nil where row.key == key: held.append(row.key)
            case nil:
                // Free, and not leased ahead: only pending rows are. A task in flight (of a
                // runner that died) is taken over at its turn, where its slot is held at once;
                // leased by a runner whose jobs all wait for slots, it would hold the slot
                // they wait for.
                continue
            }
            // Free but locked by a claim in progress (SKIP LOCKED), or its lease just ran out.
            if row.key == key { answer = found ?? .held(by: "another runner", seconds: 0.05) }
        }
        ahead.withLock { $0.learn(learned, held: held, holders: holders, for: key, now: now) }
        // No row: the job was not among those made up front after all.
        if let answer { return answer }
        return try await claimOne(key, fresh: fresh)
    }

    /// What a claim statement's row (`mine`, `holder`, `left_s`) says: leased for this runner
    /// or finished (a finished row is never leased) — claimed; leased by another live runner —
    /// held; nil when free but being claimed by another this moment (SKIP LOCKED), or its lease
    /// just ran out.
    func claim(of found: PostgresRow) throws -> (JobRecord, Claim?) {
        let row = try Self.record(found)
        if try found.value("mine", as: Bool.self) == true || row.state.isTerminal { return (row, .claimed(row)) }
        if let owner: String = try found.value("holder"), owner != runnerID,
           let left: Double = try found.value("left_s"), left > 0 {
            return (row, .held(by: owner, seconds: left))
        }
        return (row, nil)
    }
}
