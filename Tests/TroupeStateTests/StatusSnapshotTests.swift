import Foundation
import Testing
import TroupeCache
@testable import TroupeState

/// `.troupe/status` stands for the store only while the database is as the run left it.
struct StatusSnapshotTests {
    let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-snapshot-\(UUID().uuidString)").path
    var path: String { dir + "/state.sqlite" }

    func record(_ n: Int, _ state: JobState, sha: String? = nil) -> JobRecord {
        var r = JobRecord(key: String(repeating: String(n % 10), count: 64), id: "render:c\(n)/k", kind: .render,
                          state: state, units: 4.5, now: Date(timeIntervalSince1970: 1_795_000_000 + Double(n)))
        r.resultSHA256 = sha
        return r
    }

    @Test func aSnapshotHoldsEachRowsClassUntilTheStoreChanges() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = ResultCache(stateDirectory: dir)
        let file = dir + "/result.mp4"
        try FileManager.default.createDirectory(atPath: dir, withIntermediateDirectories: true)
        try Data("a result".utf8).write(to: URL(fileURLWithPath: file))
        let present = try cache.ingest(file).sha256
        let rows = [record(1, .fetched, sha: present), record(2, .fetched, sha: String(repeating: "f", count: 64)),
                    record(3, .submitted), record(4, .failed), record(5, .pending)]
        let store = try StateStore(path: path)
        for r in rows { try store.save(r) }
        StatusSnapshot.save(closing: store, cache: cache, stateDirectory: dir)

        let loaded = try #require(StatusSnapshot.load(stateDirectory: dir, databasePath: path))
        let bits = { (key: String) in KeyBits(hex: key)! }
        #expect(loaded == [bits(rows[0].key): .finished, bits(rows[1].key): .resultLost, bits(rows[2].key): .inFlight,
                           bits(rows[3].key): .failed, bits(rows[4].key): .pending])
        // The same classes as read from the store itself.
        #expect(loaded == StoreStatus.classify(try StateStore.states(path: path), cache: cache))
        // Reading the store as plan does without a snapshot changes nothing.
        _ = try StateStore.states(path: path)
        #expect(StatusSnapshot.load(stateDirectory: dir, databasePath: path) != nil)

        // Any write since makes it stale: the store is read again.
        try StateStore(path: path).save(record(6, .fetched, sha: present))
        #expect(StatusSnapshot.load(stateDirectory: dir, databasePath: path) == nil)
    }

    @Test func aDamagedSnapshotIsNotRead() throws {
        defer { try? FileManager.default.removeItem(atPath: dir) }
        let cache = ResultCache(stateDirectory: dir)
        let store = try StateStore(path: path)
        try store.save(record(1, .submitted))
        StatusSnapshot.save(closing: store, cache: cache, stateDirectory: dir)
        let snapshot = StatusSnapshot.path(stateDirectory: dir)
        let whole = try Data(contentsOf: URL(fileURLWithPath: snapshot))
        #expect(StatusSnapshot.load(stateDirectory: dir, databasePath: path)?.count == 1)
        try whole.dropLast(5).write(to: URL(fileURLWithPath: snapshot))
        #expect(StatusSnapshot.load(stateDirectory: dir, databasePath: path) == nil)
        try Data("troupe-status-3\n".utf8 + whole.dropFirst(16)).write(to: URL(fileURLWithPath: snapshot))
        #expect(StatusSnapshot.load(stateDirectory: dir, databasePath: path) == nil)
    }
}
