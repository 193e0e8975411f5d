import Foundation
import TroupeManifest
import TroupePlan
import TroupeSupport
public import TroupeCache

/// `.troupe/status`: what `plan` needs from the state store (each row's class, the cache
/// checked), written by `run` after it closed the store. Reading it is a fraction of opening
/// SQLite and stat-ing every result, which is what kept `plan` of a finished 10,000-job
/// campaign from costing what a plan of its lock alone costs. It stands for the store only
/// while the database file is exactly as the run left it: any later write changes its
/// size, mtime or inode, or leaves a WAL, and then `plan` reads the store itself. `gc`
/// removes it with the objects it drops. Binary on purpose: no parsing.
public enum StatusSnapshot {
    static let magic: [UInt8] = Array("troupe-status-2\n".utf8)

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
        bytes.reserveCapacity(magic.count + 48 + classes.count * 33)
        for v in identity.values { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
        // Each key's 32 bytes, then the row's class.
        for (bits, row) in classes {
            for word in [bits.a, bits.b, bits.c, bits.d] { withUnsafeBytes(of: word.littleEndian) { bytes.append(contentsOf: $0) } }
            bytes.append(row.rawValue)
        }
        if (try? AtomicFile.write(bytes, to: target)) == nil { unlink(target) }
    }

    /// The rows as the last run left them, or nil when there is no snapshot or the store has
    /// changed since (the caller reads the store).
    public static func load(stateDirectory: String, databasePath: String) -> [KeyBits: StoreStatus.Row]? {
        guard let data = FileManager.default.contents(atPath: path(stateDirectory: stateDirectory)),
              let identity = Identity(databasePath: databasePath) else { return nil }
        return data.withUnsafeBytes { (raw: UnsafeRawBufferPointer) -> [KeyBits: StoreStatus.Row]? in
            let head = magic.count + identity.values.count * 8
            guard raw.count >= head, (raw.count - head) % 33 == 0, raw.prefix(magic.count).elementsEqual(magic) else { return nil }
            for (i, v) in identity.values.enumerated() {
                let at = magic.count + i * 8
                let stored = raw.loadUnaligned(fromByteOffset: at, as: Int64.self)
                guard Int64(littleEndian: stored) == v else { return nil }
            }
            var rows: [KeyBits: StoreStatus.Row] = [:]
            rows.reserveCapacity((raw.count - head) / 33)
            var at = head
            while at < raw.count {
                let word = { (i: Int) in UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: at + 8 * i, as: UInt64.self)) }
                guard let row = StoreStatus.Row(rawValue: raw[at + 32]) else { return nil }
                rows[KeyBits(a: word(0), b: word(1), c: word(2), d: word(3))] = row
                at += 33
            }
            return rows
        }
    }
}

/// A content key (64 hex digits) as the 256 bits it spells: hashed and compared as four words,
/// where a String key would be decoded and hashed byte by byte.
public struct KeyBits: Hashable, Sendable {
    var a, b, c, d: UInt64

    init(a: UInt64, b: UInt64, c: UInt64, d: UInt64) {
        (self.a, self.b, self.c, self.d) = (a, b, c, d)
    }

    init?(hex: String) {
        var words: [UInt64] = []
        words.reserveCapacity(4)
        var word: UInt64 = 0, n = 0
        for c in hex.utf8 {
            let v: UInt8
            switch c {
            case 48...57: v = c - 48
            case 97...102: v = c - 87
            default: return nil
            }
            word = word << 4 | UInt64(v)
            n += 1
            if n % 16 == 0 { words.append(word); word = 0 }
        }
        guard n == 64 else { return nil }
        self.init(a: words[0], b: words[1], c: words[2], d: words[3])
    }
}
