import Foundation
import Testing
@testable import TroupeMedia

/// The subject path cache (issue 28's "a clip is analysed once", issue 29's "no blocking wait"):
/// previews of a clip another preview is analysing suspend, not block a thread, and get its
/// answer; when the analysis fails, one of them analyses instead.
@Suite struct SubjectPathCacheTests {
    static let path = SubjectPath.centred(frames: 3, width: 64, height: 36, notice: "no moving subject")

    @Test func waitersSuspendGetTheStoredPathAndTakeOverAnAbandonedAnalysis() async throws {
        let dir = TempDir()
        let clip = dir.path("clip.mp4")
        try Data("x".utf8).write(to: URL(fileURLWithPath: clip))
        let key = try #require(SubjectPathCache.Key(clip: clip, width: 64, height: 36, rate: Rational(15, 1), frames: 3))
        let cache = SubjectPathCache()
        guard case .yours = await cache.claim(key) else { Issue.record("the first caller analyses"); return }

        // More waiters than the cooperative pool has threads: a blocking wait would leave none
        // to run the abandon below, and the test would hang.
        let count = ProcessInfo.processInfo.activeProcessorCount * 4
        let answers = Task {
            await withTaskGroup(of: String.self) { group in
                for _ in 0..<count {
                    group.addTask {
                        switch await cache.claim(key) {
                        case .yours:
                            cache.store(Self.path, for: key)
                            return "analysed"
                        case .known(let path, let told):
                            return path == Self.path && told ? "told" : "wrong"
                        }
                    }
                }
                return await group.reduce(into: [String]()) { $0.append($1) }
            }
        }
        while cache.waiters(for: key) < count { await Task.yield() }
        cache.abandon(key)
        let said = await answers.value
        #expect(said.filter { $0 == "analysed" }.count == 1, "\(said)")
        #expect(said.filter { $0 == "told" }.count == count - 1, "\(said)")
        guard case .known(_, told: true) = await cache.claim(key) else { Issue.record("stored"); return }
    }
}
