import Foundation

/// Subject paths already worked out in this process, by clip file and preview shape: the twenty
/// characters of a campaign previewed on one clip analyse it once. A preview that finds another
/// analysing the same clip suspends until its answer (never blocking a thread) rather than
/// decoding the clip again.
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

    /// What `claim` answers.
    enum Claim {
        /// The path is known; `told` says whether its notice was handed out before.
        case known(SubjectPath, told: Bool)
        /// The caller analyses the clip, then calls `store` or `abandon`.
        case yours
    }

    private struct Entry { var path: SubjectPath; var told: Bool }
    /// Resumed with the path when it is stored, with nil (ask again) when it is abandoned.
    private typealias Waiter = CheckedContinuation<Claim?, Never>
    private let lock = NSLock()
    private var entries: [Key: Entry] = [:]
    private var order: [Key] = []
    private var waiting: [Key: [Waiter]] = [:]
    /// Paths are small (a few numbers per frame); this bounds a long-running troupe-sim.
    static let capacity = 256

    /// The known path (marking its notice handed out), or `.yours` when nobody has analysed the
    /// clip yet. While another caller analyses it, suspends until that caller stores or abandons.
    func claim(_ key: Key) async -> Claim {
        while true {
            let answer: Claim? = await withCheckedContinuation { (waiter: Waiter) in
                lock.lock()
                let now = answerNow(key, else: waiter)
                lock.unlock()
                if let now { waiter.resume(returning: now) }
            }
            if let answer { return answer }
        }
    }

    /// Under the lock: the answer, or nil after queueing `waiter` behind the analysing caller.
    private func answerNow(_ key: Key, else waiter: Waiter) -> Claim? {
        if var entry = entries[key] {
            let told = entry.told
            entry.told = true
            entries[key] = entry
            return .known(entry.path, told: told)
        }
        if waiting[key] != nil {
            waiting[key]!.append(waiter)
            return nil
        }
        waiting[key] = []
        return .yours
    }

    /// Records the caller's analysis (its notice counts as told) and hands it to those waiting.
    func store(_ path: SubjectPath, for key: Key) {
        lock.lock()
        let waiters = waiting.removeValue(forKey: key) ?? []
        if entries[key] == nil { order.append(key) }
        entries[key] = Entry(path: path, told: true)
        if order.count > Self.capacity { entries[order.removeFirst()] = nil }
        lock.unlock()
        for waiter in waiters { waiter.resume(returning: .known(path, told: true)) }
    }

    /// The caller failed before finishing: those waiting ask again, and one of them analyses.
    func abandon(_ key: Key) {
        lock.lock()
        let waiters = waiting.removeValue(forKey: key) ?? []
        lock.unlock()
        for waiter in waiters { waiter.resume(returning: nil) }
    }

    /// How many callers are suspended waiting for `key`'s analysis (tests).
    func waiters(for key: Key) -> Int {
        lock.lock()
        defer { lock.unlock() }
        return waiting[key]?.count ?? 0
    }
}
