import Foundation

/// Subject paths already worked out in this process, by clip file and preview shape: the twenty
/// characters of a campaign previewed on one clip analyse it once. A preview that finds another
/// analysing the same clip waits for its answer rather than decoding the clip again.
final class SubjectPathCache: @unchecked Sendable {
    static let shared = SubjectPathCache()

    /// The clip file (device, inode, size, modification time) and the preview's frame grid.
    struct Key: Hashable {
        var device: UInt64, inode: UInt64, size: Int64, modified: Int64
        var width: Int, height: Int, rateNum: Int, rateDen: Int, frames: Int

        init?(clip: String, width: Int, height: Int, rate: Rational, frames: Int) {
            var info = stat()
            guard stat(clip, &info) == 0 else { return nil }
            device = UInt64(info.st_dev); inode = UInt64(info.st_ino); size = Int64(info.st_size)
            modified = Int64(info.st_mtim.tv_sec) * 1_000_000_000 + Int64(info.st_mtim.tv_nsec)
            self.width = width; self.height = height; rateNum = rate.num; rateDen = rate.den; self.frames = frames
        }
    }

    private struct Entry { var path: SubjectPath; var told: Bool }
    private let condition = NSCondition()
    private var entries: [Key: Entry] = [:]
    private var order: [Key] = []
    private var working: Set<Key> = []
    /// Paths are small (a few numbers per frame); this bounds a long-running troupe-sim.
    static let capacity = 256

    /// The known path, after waiting for another preview analysing the same clip; nil when the
    /// caller must analyse it (and then `store` or `abandon`). `told` reports whether the path's
    /// notice was handed out before, and marks it handed out.
    func lookup(_ key: Key) -> (path: SubjectPath, told: Bool)? {
        condition.lock()
        defer { condition.unlock() }
        while working.contains(key) { condition.wait() }
        if var entry = entries[key] {
            let told = entry.told
            entry.told = true
            entries[key] = entry
            return (entry.path, told)
        }
        working.insert(key)
        return nil
    }

    /// Records the caller's analysis (its notice counts as told).
    func store(_ path: SubjectPath, for key: Key) {
        condition.lock()
        defer { condition.unlock() }
        working.remove(key)
        if entries[key] == nil { order.append(key) }
        entries[key] = Entry(path: path, told: true)
        if order.count > Self.capacity { entries[order.removeFirst()] = nil }
        condition.broadcast()
    }

    /// The caller failed before finishing: another may try.
    func abandon(_ key: Key) {
        condition.lock()
        defer { condition.unlock() }
        working.remove(key)
        condition.broadcast()
    }

    /// Forgets everything (tests that time or count analyses).
    func removeAll() {
        condition.lock()
        defer { condition.unlock() }
        entries = [:]; order = []
    }
}
