import Foundation

/// Counts and problems of the shared cache in this process (thread-safe).
public final class SharedCacheLog: @unchecked Sendable {
    public struct Counts: Sendable, Equatable {
        public var pushed = 0, pushedBytes = 0, pulled = 0, pulledBytes = 0
    }
    private let lock = NSLock()
    private var counts = Counts()
    private var refusedSet: Set<String> = []
    private var list: [String] = []
    /// Failed pushes by cause: a missing bucket fails every push the same way, said once.
    private var pushFailures: [(cause: String, digests: [String])] = []

    public var totals: Counts { lock.withLock { counts } }
    /// Warnings for the user: objects refused for their hash, failed pulls, failed pushes.
    public var warnings: [String] {
        lock.withLock {
            list + pushFailures.map { failure in
                let names = failure.digests.prefix(3).map { "\($0.prefix(12))…" }.joined(separator: ", ")
                    + (failure.digests.count > 3 ? " and \(failure.digests.count - 3) more" : "")
                return "could not push \(failure.digests.count) result(s) (\(names)) to \(failure.cause); "
                    + "they are safe in .troupe/cache, and `troupe cache push` sends them later"
            }
        }
    }

    func pushed(bytes: Int) { lock.withLock { counts.pushed += 1; counts.pushedBytes += bytes } }
    func pulled(bytes: Int) { lock.withLock { counts.pulled += 1; counts.pulledBytes += bytes } }
    func wasRefused(_ sha: String) -> Bool { lock.withLock { refusedSet.contains(sha) } }
    func refused(_ sha: String, key: String) {
        lock.withLock {
            refusedSet.insert(sha)
            list.append("the shared cache's \(key) does not hash to its name (damaged); not used — it is made or fetched here and pushed again")
        }
    }
    func pushFailed(_ sha: String, cause: String) {
        lock.withLock {
            if let i = pushFailures.firstIndex(where: { $0.cause == cause }) { pushFailures[i].digests.append(sha) }
            else { pushFailures.append((cause, [sha])) }
        }
    }
    public func warn(_ text: String) { lock.withLock { list.append(text) } }
}
