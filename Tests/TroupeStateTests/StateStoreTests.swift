import Foundation
import GRDB
import Testing
import TroupeTestSupport
@testable import TroupeState

/// The state store's own promises: migrations keep what older versions wrote, rows saved for
/// later reach the database without another write, and a failed commit loses nothing.
struct StateStoreTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-store-\(UUID().uuidString)").path
    var path: String { dir + "/state.sqlite" }

    func record(_ n: Int, _ state: JobState = .submitting) -> JobRecord {
        var r = JobRecord(key: String(repeating: String(n % 10), count: 64), id: "render:c\(n)/k", kind: .render,
                          state: state, units: 4.5, now: Date(timeIntervalSince1970: 1_795_000_000 + Double(n)))
        r.externalTaskId = "troupe-\(n)"
        r.attempts = 1
        return r
    }

    /// What another process (`troupe status` during a run) reads: a store of its own.
    func committed() throws -> [String: JobRecord] {
        Dictionary(uniqueKeysWithValues: try StateStore(path: path).records().map { ($0.key, $0) })
    }

    @Test func aVersion2DatabaseKeepsItsRowsAndLedger() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        let old = try DatabaseQueue(path: path)
        try StateStore.migrator.migrate(old, upTo: "v2: re-rolls")
        let rows = [record(1), record(2, .fetched)]
        try await old.write { db in
            // The columns a version 2 database has (no units_rerolled yet).
            for r in rows {
                try db.execute(sql: """
                    INSERT INTO job (key, id, kind, state, external_task_id, task_id, attempts, units, units_charged, element_id,
                                     result_sha256, result_duration, last_error, reroll, created_at, updated_at)
                    VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
                    """, arguments: [r.key, r.id, r.kind.rawValue, r.state.rawValue, r.externalTaskId, r.taskId, r.attempts, r.units, r.unitsCharged,
                                      r.elementId, r.resultSHA256, r.resultDuration, r.lastError, r.reroll, r.createdAt, r.updatedAt])
            }
            try StateStore.append(LedgerEntry(key: rows[0].key, externalTaskId: "troupe-1", event: "intent", at: rows[0].updatedAt), db)
            try StateStore.append(LedgerEntry(key: rows[1].key, externalTaskId: "troupe-2", event: "created", detail: "task-2",
                                              at: rows[1].updatedAt), db)
        }
        try old.close()

        let store = try StateStore(path: path)
        #expect(try store.records().sorted { $0.key < $1.key } == rows.sorted { $0.key < $1.key })
        #expect(try store.ledger().map(\.event) == ["intent", "created"])
        try await store.save(record(3), ledger: "intent", at: Date())
        #expect(try store.ledger().map(\.seq) == [1, 2, 3])
        #expect(throws: (any Error).self) { try store.rawExecute("UPDATE ledger SET event = 'x'") }
        #expect(throws: (any Error).self) { try store.rawExecute("DELETE FROM ledger") }
        #expect(throws: (any Error).self) {
            var twin = record(4)
            twin.externalTaskId = "troupe-1"  // external ids stay unique
            try store.save(twin)
        }
    }

    @Test func aRowSavedForLaterIsCommittedByTheNextWrite() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try StateStore(path: path)
        var created = record(1, .submitted)
        created.taskId = "task-1"
        store.saveLater(created, ledger: "created", detail: "task-1", at: created.updatedAt)
        #expect(try committed()[created.key] == nil)
        try store.commitIntent(record(2), at: Date())
        #expect(try committed()[created.key] == created)
        #expect(try store.ledger().map(\.event) == ["created", "intent"])
    }

    @Test func aRowSavedForLaterIsCommittedWithoutAnotherWrite() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try StateStore(path: path)
        let export = record(1, .fetched)
        await store.saveLater(export)
        let deadline = Date().addingTimeInterval(StateStore.laterDelay + 5)
        while try committed()[export.key] == nil, Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        #expect(try committed()[export.key] == export)
    }

    @Test func aRowSavedForLaterWaitsForTheStoresClock() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let clock = ManualClock()
        let store = try StateStore(path: path, clock: clock)
        let export = record(1, .fetched)
        await store.saveLater(export)
        #expect(await clock.waitForSleeper())
        #expect(try committed()[export.key] == nil, "not before the clock says")
        clock.advance(by: StateStore.laterDelay)
        let deadline = Date().addingTimeInterval(30)
        while try committed()[export.key] == nil, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(try committed()[export.key] == export)
    }

    @Test func theLatestRowForAKeyWins() async throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try StateStore(path: path)
        var r = record(1, .submitted)
        await store.saveLater(r)
        r.state = .fetched
        await store.saveLater(r)
        try store.flush()
        #expect(try committed()[r.key]?.state == .fetched)
    }

    @Test func aFailedCommitKeepsTheRowsItCarried() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try StateStore(path: path)
        try store.rawExecute("""
            CREATE TRIGGER refuse_bad BEFORE INSERT ON job WHEN NEW.id = 'bad' BEGIN SELECT RAISE(ABORT, 'refused'); END
            """)
        let waiting = record(1, .submitted)
        store.saveLater(waiting, ledger: "created", detail: nil, at: waiting.updatedAt)
        var bad = record(2)
        bad.id = "bad"
        #expect(throws: (any Error).self) { try store.commitIntent(bad, at: Date()) }
        #expect(try committed()[waiting.key] == nil)
        try store.commitIntent(record(3), at: Date())
        #expect(try committed()[waiting.key] == waiting)
        #expect(try store.ledger().map(\.event) == ["created", "intent"])
    }

    /// Rows whose external id is unchanged are updated without touching it; a changed id, and
    /// anything after a failed commit, goes through the full upsert.
    @Test func externalIDsChangeOnlyWhenTheyShould() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let store = try StateStore(path: path)
        var r = record(1)
        try store.commitIntent(r, at: Date())
        r.state = .fetched
        try store.save(r)
        #expect(try committed()[r.key] == r)
        r.externalTaskId = "troupe-1-r1"
        try store.save(r)
        #expect(try committed()[r.key]?.externalTaskId == "troupe-1-r1")
        // The old id is free again: the unique index followed the change.
        var other = record(2)
        other.externalTaskId = "troupe-1"
        try store.save(other)

        try store.rawExecute("""
            CREATE TRIGGER refuse_boom BEFORE INSERT ON ledger WHEN NEW.event = 'boom' BEGIN SELECT RAISE(ABORT, 'refused'); END
            """)
        r.externalTaskId = "troupe-1-r2"
        #expect(throws: (any Error).self) { try store.save(r, ledger: "boom", detail: nil, at: Date()) }
        #expect(try committed()[r.key]?.externalTaskId == "troupe-1-r1")
        r.state = .submitting
        try store.save(r)
        #expect(try committed()[r.key] == r)
    }
}
