import Foundation
public import TroupePlan
import TroupeSupport

extension SharedCache {
    /// Runs `body` on every digest, `width` at a time; returns the failures by digest.
    public static func each(_ digests: [String], width: Int = 8,
                            _ body: @escaping @Sendable (String) async throws -> Void) async -> [(sha256: String, error: String)] {
        await withTaskGroup(of: (String, String?).self) { group in
            var failures: [(sha256: String, error: String)] = []
            for (i, sha) in digests.enumerated() {
                if i >= width, let done = await group.next(), let error = done.1 { failures.append((done.0, error)) }
                group.addTask {
                    do { try await body(sha); return (sha, nil) } catch { return (sha, "\(error)") }
                }
            }
            for await done in group { if let error = done.1 { failures.append((done.0, error)) } }
            return failures
        }
    }

    /// What a batch of pushes or pulls did.
    public struct Transfer: Sendable {
        /// Objects uploaded or downloaded, and their bytes.
        public var moved = 0, bytes = 0
        /// Already there (a push found it in S3, a pull found it here).
        public var skipped = 0
        /// Pulls S3 had no object for (or only a damaged one).
        public var missing: [String] = []
        public var failures: [(sha256: String, error: String)] = []
    }

    /// Pushes every digest (from the local cache), eight at a time.
    public func push(_ digests: [String], from cache: ResultCache) async -> Transfer {
        let before = log.totals
        let found = Locked(0)
        var transfer = Transfer()
        transfer.failures = await Self.each(digests) { sha in
            if try await !self.push(sha, from: cache) { found.withLock { $0 += 1 } }
        }
        transfer.moved = log.totals.pushed - before.pushed
        transfer.bytes = log.totals.pushedBytes - before.pushedBytes
        transfer.skipped = found.withLock { $0 }
        return transfer
    }

    /// Pulls every digest the local cache lacks, eight at a time.
    public func pull(_ digests: [String], into cache: ResultCache) async -> Transfer {
        let before = log.totals
        let wanted = digests.filter { !cache.contains($0) }
        let missing = Locked<[String]>([])
        var transfer = Transfer()
        transfer.failures = await Self.each(wanted) { sha in
            if try await !self.pull(sha, into: cache) { missing.withLock { $0.append(sha) } }
        }
        transfer.moved = log.totals.pulled - before.pulled
        transfer.bytes = log.totals.pulledBytes - before.pulledBytes
        transfer.skipped = digests.count - wanted.count
        transfer.missing = missing.withLock { $0 }.sorted()
        return transfer
    }

    /// The results a campaign names: its lock's renders and outputs, and `results` (its
    /// finished rows' renders, prepared clips and post-step outputs).
    public static func digests(lock: Lockfile?, results: some Sequence<String>) -> [String] {
        var digests = Set<String>(results)
        if let lock {
            for r in lock.renders.values { if let sha = r.sha256 { digests.insert(sha) } }
            for o in lock.outputs.values { if let sha = o.sha256 { digests.insert(sha) } }
        }
        return digests.sorted()
    }
}
