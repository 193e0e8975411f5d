import Foundation
import TroupeManifest
import TroupePlan
import TroupeSupport

/// `.troupe/status`: what `plan` needs from the state store (each row's class, the cache
/// checked), written by `run` after it closed the store. Reading it is a fraction of opening
/// SQLite and stat-ing every result, which is what kept `plan` of a finished 10,000-job
/// campaign from costing what a plan of its lock alone costs. It stands for the store only
/// while the database file is exactly as the run left it: any later write changes its
/// size, mtime or inode, or leaves a WAL, and then `plan` reads the store itself. `gc`
/// removes it with the objects it drops. Binary on purpose: no parsing.
public enum StatusSnapshot {
    static let magic: [UInt8] = Array("troupe-status-1\n".utf8)

    public static func path(stateDirectory: String) -> String { stateDirectory + "/status" }

    /// The state database's identity as the snapshot records it: main file and WAL.
    struct Identity: Equatable {
        var values: [Int64]

        init?(databasePath: String) {
            guard let db = FileStats.statNow(databasePath) else { return nil }
            let wal = FileStats.statNow(databasePath + "-wal")
            // An empty WAL (a reader opened the file) changes nothing the rows say.
            let walSize = wal?.size ?? 0
            values = [db.size, db.mtimeNanos, Int64(bitPattern: db.inode), Int64(bitPattern: db.device),
                      walSize, walSize > 0 ? wal!.mtimeNanos : 0]
        }
    }

    /// Reads the store's rows, closes it, then records them with the database's identity as
    /// it is once closed (closing checkpoints the WAL into the file). Best effort: without a
    /// snapshot `plan` reads the store.
    public static func save(closing store: StateStore, cache: ResultCache, stateDirectory: String) {
        let target = path(stateDirectory: stateDirectory)
        guard let rows = try? store.states() else { return }
        let classes = StoreStatus.classify(rows, cache: cache)
        guard (try? store.close()) != nil, let identity = Identity(databasePath: store.path) else {
            unlink(target)
            return
        }
        var bytes = magic
        bytes.reserveCapacity(magic.count + 48 + classes.count * 68)
        for v in identity.values { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        for (key, row) in classes {
            let utf8 = Array(key.utf8)
            guard utf8.count < 256 else { unlink(target); return }
            bytes.append(row.rawValue)
            bytes.append(UInt8(utf8.count))
            bytes.append(contentsOf: utf8)
        }
        if (try? AtomicFile.write(bytes, to: target)) == nil { unlink(target) }
    }

    /// The rows as the last run left them, or nil when there is no snapshot or the store has
    /// changed since (the caller reads the store).
    public static func load(stateDirectory: String, databasePath: String) -> [String: StoreStatus.Row]? {
        guard let data = FileManager.default.contents(atPath: path(stateDirectory: stateDirectory)),
              let identity = Identity(databasePath: databasePath) else { return nil }
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [String: StoreStatus.Row]? in
            let head = magic.count + identity.values.count * 8
            guard raw.count >= head, raw.prefix(magic.count).elementsEqual(magic) else { return nil }
            for (i, v) in identity.values.enumerated() {
                let at = magic.count + i * 8
                let stored = raw.loadUnaligned(fromByteOffset: at, as: Int64.self)
                guard Int64(littleEndian: stored) == v else { return nil }
            }
            var rows: [String: StoreStatus.Row] = [:]
            var at = head
            while at < raw.count {
                guard at + 2 <= raw.count, let row = StoreStatus.Row(rawValue: raw[at]) else { return nil }
                let length = Int(raw[at + 1])
                at += 2
                guard at + length <= raw.count else { return nil }
                rows[String(decoding: UnsafeRawBufferPointer(rebasing: raw[at..<at + length]), as: UTF8.self)] = row
                at += length
            }
            return rows
        }
    }
}
