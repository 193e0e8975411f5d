import Foundation
import Testing
import TroupeTestSupport
import TroupeSupport
import TroupePlan
@testable import TroupeState
@testable import TroupeStatePostgres

/// One suite, both backends: what the executor relies on of any state store holds for SQLite
/// in `.troupe/` and for PostgreSQL (a real server from Debian's package, Tests/Support).
struct StateStoreContractTests {
    enum Backend: String, CaseIterable, CustomStringConvertible {
        case sqlite, postgres
        var description: String { rawValue }
    }

    /// A fresh, empty store of the backend, and how to open a second connection to it.
    static func make(_ backend: Backend) async throws -> (store: any StateStoring, another: () async throws -> any StateStoring) {
        switch backend {
        case .sqlite:
            let path = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-contract-\(UUID().uuidString)/state.sqlite").path
            return (try StateStore(path: path), { try StateStore(path: path) })
        case .postgres:
            let db = try TestPostgres.database()
            let location = { try PostgresLocation(url: db.url, environment: ["PGPASSWORD": db.server.password]) }
            return (try await PostgresStateStore(location: try location()), { try await PostgresStateStore(location: try location()) })
        }
    }

    static func record(_ n: Int, _ state: JobState = .submitting) -> JobRecord {
        var r = JobRecord(key: String(format: "%064x", n), id: "render:c\(n)/k", kind: .render,
                          state: state, units: 4.5, now: Date(timeIntervalSince1970: 1_795_000_000 + Double(n)))
        r.externalTaskId = "troupe-\(n)"
        r.attempts = 1
        return r
    }

    @Test(arguments: Backend.allCases)
    func aRowComesBackAsItWasSaved(_ backend: Backend) async throws {
        let (store, another) = try await Self.make(backend)
        defer { Task { try? await store.close() } }
        var r = Self.record(1, .fetched)
        r.taskId = "task-1"
        r.unitsCharged = 4.5
        r.elementId = 9_000_000_001
        r.resultSHA256 = String(repeating: "ab", count: 32)
        r.resultDuration = 5.04
        r.lastError = "quoted 'text' \\ and ünïcode"
        r.reroll = 2
        r.unitsRerolled = 9
        try await store.save(r)
        let other = try await another()
        defer { Task { try? await other.close() } }
        #expect(try await other.record(r.key) == r)
        #expect(try await other.records(keys: [r.key, "missing"]) == [r.key: r])
        let states = try await other.states()
        #expect(states.count == 1 && states[0].state == .fetched && states[0].result == r.resultSHA256 && states[0].kind == .render)
    }

    @Test(arguments: Backend.allCases)
    func manyKeysAreReadInChunks(_ backend: Backend) async throws {
        let (store, _) = try await Self.make(backend)
        defer { Task { try? await store.close() } }
        for n in 0..<1_200 { await store.saveLater(Self.record(n, .pending)) }
        try await store.flush()
        let keys = (0..<1_200).map { Self.record($0).key }
        #expect(try await store.records(keys: keys).count == 1_200)
        #expect(try await store.records().count == 1_200)
        try await store.delete(keys: Array(keys.prefix(200)))
        #expect(try await store.records(keys: keys).count == 1_000)
    }

    @Test(arguments: Backend.allCases)
    func theIntentAndAnswersAreInTheLedgerInOrder(_ backend: Backend) async throws {
        let (store, _) = try await Self.make(backend)
        defer { Task { try? await store.close() } }
        var r = Self.record(7, .submitting)
        let t = Date(timeIntervalSince1970: 1_795_000_100)
        try await store.commitIntent(r, at: t)
        r.state = .submitted
        r.taskId = "task-7"
        await store.saveLater(r, ledger: "created", detail: "task task-7", at: t.addingTimeInterval(1))
        try await store.flush()
        #expect(try await store.record(r.key)?.state == .submitted)
        let ledger = try await store.ledger()
        #expect(ledger.map(\.event) == ["intent", "created"])
        #expect(ledger.allSatisfy { $0.externalTaskId == "troupe-7" && $0.key == r.key })
        #expect(ledger.last?.detail == "task task-7")
        #expect(abs((ledger.first?.at.timeIntervalSince1970 ?? 0) - t.timeIntervalSince1970) < 0.001)
    }

    @Test(arguments: Backend.allCases)
    func theLedgerRefusesUpdatesAndDeletes(_ backend: Backend) async throws {
        let (store, _) = try await Self.make(backend)
        defer { Task { try? await store.close() } }
        try await store.commitIntent(Self.record(3), at: Date())
        let table = backend == .sqlite ? "ledger" : "troupe_ledger"
        let raw: (String) async throws -> Void = { sql in
            if let s = store as? StateStore { try s.rawExecute(sql) } else if let p = store as? PostgresStateStore { try await p.rawExecute(sql) }
        }
        await #expect(throws: (any Error).self) { try await raw("UPDATE \(table) SET event = 'x'") }
        await #expect(throws: (any Error).self) { try await raw("DELETE FROM \(table)") }
        if backend == .postgres { await #expect(throws: (any Error).self) { try await raw("TRUNCATE troupe_ledger") } }
        #expect(try await store.ledger().map(\.event) == ["intent"])
    }

    @Test(arguments: Backend.allCases)
    func aClaimGivesTheRowAsItIsNow(_ backend: Backend) async throws {
        let (store, _) = try await Self.make(backend)
        defer { Task { try? await store.close() } }
        let fresh = Self.record(11, .pending)
        #expect(try await store.claim(fresh.key, fresh: fresh) == .claimed(fresh))
        var moved = fresh
        moved.state = .submitted
        try await store.save(moved)
        #expect(try await store.claim(fresh.key, fresh: fresh) == .claimed(moved))
    }

    @Test(arguments: Backend.allCases)
    func theLastRunsTimelineComesBackAndReplacesTheOneBefore(_ backend: Backend) async throws {
        let (store, another) = try await Self.make(backend)
        defer { Task { try? await store.close() } }
        #expect(try await store.lastTimeline(campaign: "troupe.yaml") == nil)
        let start = Date(timeIntervalSince1970: 1_795_000_000.125)
        let jobs = (0..<1_000).map { (n: Int) -> JobTimeline in
            let kind: JobKind = n % 2 == 0 ? .render : .export
            let start = Double(n) * 0.5
            return JobTimeline(id: "render:c\(n)/k \"quoted\" ü", kind: kind, outcome: n == 7 ? "failed" : "done",
                               start: start, end: start + 12.25, phases: [1.5, 9.75, 0.875, 0.125])
        }
        let first = RunTimeline(campaign: "troupe.yaml", start: start, end: start.addingTimeInterval(512), jobs: jobs)
        try await store.saveTimeline(first)
        try await store.saveTimeline(RunTimeline(campaign: "other.yaml", start: start, end: start.addingTimeInterval(1), jobs: []))
        let other = try await another()
        defer { Task { try? await other.close() } }
        let read = try #require(try await other.lastTimeline(campaign: "troupe.yaml"))
        #expect(read.jobs == first.jobs)
        #expect(abs(read.start.timeIntervalSince(first.start)) < 1e-5 && abs(read.length - 512) < 1e-5)
        // The next run's timeline replaces it; another campaign's stays.
        let second = RunTimeline(campaign: "troupe.yaml", start: start.addingTimeInterval(600), end: start.addingTimeInterval(610),
                                 jobs: Array(jobs.prefix(3)))
        try await store.saveTimeline(second)
        #expect(try await other.lastTimeline(campaign: "troupe.yaml")?.jobs == second.jobs)
        #expect(try await other.lastTimeline(campaign: "other.yaml")?.jobs == [])
    }
}

/// What only shared state does: leases between runners, fencing, account slots.
struct PostgresTeamTests {
    func two(lease: Double = 30) async throws -> (PostgresStateStore, PostgresStateStore) {
        let db = try TestPostgres.database()
        let location = try PostgresLocation(url: db.url, environment: ["PGPASSWORD": db.server.password])
        return (try await PostgresStateStore(location: location, leaseSeconds: lease), try await PostgresStateStore(location: location, leaseSeconds: lease))
    }

    @Test func aJobHeldByOneRunnerIsHeldForTheOther() async throws {
        let (a, b) = try await two()
        defer { Task { try? await a.close(); try? await b.close() } }
        let r = StateStoreContractTests.record(1, .pending)
        guard case .claimed = try await a.claim(r.key, fresh: r) else { Issue.record("a did not claim"); return }
        guard case .held(let by, let seconds) = try await b.claim(r.key, fresh: r) else { Issue.record("b claimed a held job"); return }
        #expect(by == a.runnerID && seconds > 20)
        // The holder's write goes through; the other's is refused (fenced), and nothing changed.
        var mine = r
        mine.state = .submitting
        try await a.commitIntent(mine, at: Date())
        var theirs = r
        theirs.state = .submitting
        theirs.externalTaskId = "other"
        await #expect(throws: LeaseLost.self) { try await b.save(theirs) }
        await #expect(throws: LeaseLost.self) { try await b.commitIntent(theirs, at: Date()) }
        #expect(try await b.record(r.key)?.externalTaskId == "troupe-1")
        #expect(try await b.ledger().count == 1)
        // Finished: the lease goes with it and the other may claim (and sees it done).
        mine.state = .fetched
        try await a.save(mine)
        #expect(try await b.claim(r.key, fresh: r) == .claimed(mine))
    }

    @Test func aDeadRunnersLeaseRunsOutAndIsTakenOver() async throws {
        let (a, b) = try await two(lease: 1)
        defer { Task { try? await b.close() } }
        let r = StateStoreContractTests.record(2, .pending)
        _ = try await a.claim(r.key, fresh: r)
        var mine = r
        mine.state = .submitted
        try await a.commitIntent(mine, at: Date())
        // `a` dies: no heartbeat, no close.
        guard case .held = try await b.claim(r.key, fresh: r) else { Issue.record("claimed a live lease"); return }
        try await Task.sleep(for: .milliseconds(1300))
        #expect(try await b.claim(r.key, fresh: r) == .claimed(mine))
        // `a` wakes up: its writes are refused now.
        await #expect(throws: LeaseLost.self) { try await a.save(mine) }
    }

    @Test func heartbeatsKeepALeaseAlive() async throws {
        let (a, b) = try await two(lease: 1)
        defer { Task { try? await a.close(); try? await b.close() } }
        try await a.join(campaign: "c.yaml", account: nil)
        let r = StateStoreContractTests.record(3, .pending)
        _ = try await a.claim(r.key, fresh: r)
        try await Task.sleep(for: .seconds(2))
        guard case .held = try await b.claim(r.key, fresh: r) else { Issue.record("the lease ran out under a heartbeat"); return }
        let runners = try await b.runners(campaign: "c.yaml")
        #expect(runners.count == 1 && runners[0].alive && runners[0].jobs == 1 && runners[0].pid == Int(getpid()))
        // Closing gives the job back at once.
        try await a.close()
        guard case .claimed = try await b.claim(r.key, fresh: r) else { Issue.record("not given back on close"); return }
        #expect(try await b.runners(campaign: "c.yaml").isEmpty)
    }

    @Test func runnersSilentForAnHourAreForgotten() async throws {
        let (a, b) = try await two()
        defer { Task { try? await a.close(); try? await b.close() } }
        try await a.rawExecute("""
            INSERT INTO troupe_runner VALUES ('old-1', 'h', 1, 'c.yaml', NULL, now() - interval '2 hours', now() - interval '61 minutes', 30),
                                             ('recent-2', 'h', 2, 'c.yaml', NULL, now() - interval '2 hours', now() - interval '5 minutes', 30)
            """)
        try await b.join(campaign: "c.yaml", account: nil)
        let runners = try await a.runners(campaign: "c.yaml")
        #expect(Set(runners.map(\.id)) == ["recent-2", b.runnerID])
        #expect(runners.first { $0.id == "recent-2" }?.alive == false)
    }

    @Test func runnersTogetherKeepToTheAccountsSlots() async throws {
        let (a, b) = try await two()
        defer { Task { try? await a.close(); try? await b.close() } }
        try await a.registerAccount("acct", concurrency: 3, createsPerSecond: 1_000)
        try await b.registerAccount("acct", concurrency: 3, createsPerSecond: 1_000)
        #expect(try await a.takeSlot(account: "acct", key: "k1") == .taken)
        #expect(try await b.takeSlot(account: "acct", key: "k2") == .taken)
        #expect(try await a.takeSlot(account: "acct", key: "k3") == .taken)
        #expect(try await b.takeSlot(account: "acct", key: "k4") == .full)
        // Asking again for a job's own slot is not a second slot.
        #expect(try await a.takeSlot(account: "acct", key: "k1") == .taken)
        try await a.releaseSlot(account: "acct", key: "k1")
        #expect(try await b.takeSlot(account: "acct", key: "k4") == .taken)
        #expect(try await a.accounts().first?.inUse == 3)
        // A 1303 lowers every runner's gate to what is in flight.
        // Only its holder frees a slot.
        try await a.releaseSlot(account: "acct", key: "k2")
        #expect(try await a.accounts().first?.inUse == 3)
        try await b.releaseSlot(account: "acct", key: "k2")
        try await a.lowerGate(account: "acct", seconds: 30)
        #expect(try await b.takeSlot(account: "acct", key: "k5") == .full)
        #expect(try await a.accounts().first?.lowered == 2)
    }

    @Test func aLiveRunnersSlotIsNotTakenForTheSameJob() async throws {
        let (a, b) = try await two(lease: 1)
        defer { Task { try? await a.close(); try? await b.close() } }
        try await a.registerAccount("acct", concurrency: 3, createsPerSecond: 1_000)
        #expect(try await a.takeSlot(account: "acct", key: "k1") == .taken)
        // b's claim on the job is stale: the slot stays a's, counted once.
        #expect(try await b.takeSlot(account: "acct", key: "k1") == .heldByAnotherRunner)
        #expect(try await b.takeSlot(account: "acct", key: "k2", from: "k1") == .taken, "only its own slot moves: an ordinary take")
        #expect(try await a.accounts().first?.inUse == 2)
        // a died: its slot for the job is taken over with the job.
        try await Task.sleep(for: .milliseconds(1300))
        #expect(try await b.takeSlot(account: "acct", key: "k1") == .taken)
        #expect(try await a.accounts().first?.inUse == 2)
    }

    @Test func theCreateRateIsShared() async throws {
        let (a, b) = try await two()
        defer { Task { try? await a.close(); try? await b.close() } }
        try await a.registerAccount("slow", concurrency: 100, createsPerSecond: 2)
        #expect(try await a.takeSlot(account: "slow", key: "k1") == .taken)
        #expect(try await b.takeSlot(account: "slow", key: "k2") == .taken)
        guard case .tokenIn(let wait) = try await b.takeSlot(account: "slow", key: "k3") else { Issue.record("no wait for a create token"); return }
        #expect(wait > 0.2 && wait <= 0.5)
    }

    @Test func concurrentMigrationsApplyOnce() async throws {
        let db = try TestPostgres.database()
        let location = try PostgresLocation(url: db.url, environment: ["PGPASSWORD": db.server.password])
        let versions = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<4 {
                group.addTask {
                    let s = try await PostgresStateStore(location: location)
                    let v = try await s.schemaVersion()
                    try await s.close()
                    return v
                }
            }
            return try await group.reduce(into: []) { $0.append($1) }
        }
        #expect(versions == [PostgresSchema.latest, PostgresSchema.latest, PostgresSchema.latest, PostgresSchema.latest])
        #expect(try db.server.psql("SELECT count(*) FROM troupe_schema", database: String(db.url.split(separator: "/").last!)) == "\(PostgresSchema.migrations.count)")
    }

    @Test func theURLsPasswordIsNeverShown() async throws {
        let location = try PostgresLocation(url: "postgres://u:s3cret@db.example:6543/camp", environment: [:])
        #expect(location.password == "s3cret" && location.port == 6543 && location.database == "camp" && location.sslMode == "prefer")
        #expect(!location.description.contains("s3cret"))
        #expect(!PostgresLocation.redacted("postgres://u:s3cret@h/d").contains("s3cret"))
        let pgpass = FileManager.default.temporaryDirectory.appendingPathComponent("pgpass-\(UUID().uuidString)").path
        try "# comment\nother:*:*:*:no\ndb.example:6543:camp:u:fr\\:om-file\n".write(toFile: pgpass, atomically: true, encoding: .utf8)
        #expect(try PostgresLocation(url: "postgres://u@db.example:6543/camp", environment: [:], pgpass: pgpass).password == "fr:om-file")
        #expect(try PostgresLocation(url: "postgres://u@db.example:6543/camp", environment: ["PGPASSWORD": "env"], pgpass: pgpass).password == "env")
        #expect(throws: PostgresLocation.Invalid.self) { try PostgresLocation(url: "postgres://db.example", environment: [:]) }
        #expect(throws: PostgresLocation.Invalid.self) { try PostgresLocation(url: "postgres://h/d?sslmode=maybe", environment: [:]) }
        // A wrong password: a clear error, and the password is not in it.
        let db = try TestPostgres.database()
        do {
            _ = try await PostgresStateStore(location: try PostgresLocation(url: db.url.replacingOccurrences(of: "troupe@", with: "troupe:wrong-pw@"), environment: [:]))
            Issue.record("a wrong password connected")
        } catch {
            #expect("\(error)".contains("password") && !"\(error)".contains("wrong-pw"))
        }
    }
}
