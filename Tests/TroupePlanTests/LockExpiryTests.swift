import Foundation
import Testing
import TroupePlan

/// Which locked renders are old enough to warn about, and when a result is expired rather
/// than forgotten (issue 27).
struct LockExpiryTests {
    static let now = Date(timeIntervalSince1970: 1_796_000_000)

    static func render(daysAgo: Double?, task: String? = "t", sameAs: String? = nil) -> Lockfile.Render {
        var r = Lockfile.Render(key: "k", taskId: task, madeAt: daysAgo.map {
            Date(timeIntervalSince1970: now.timeIntervalSince1970 - $0 * 86_400).formatted(Date.ISO8601FormatStyle())
        })
        r.sameAs = sameAs
        return r
    }

    @Test func agingListsProviderResultsFromTwentyFiveDaysOldestFirst() {
        var lock = Lockfile()
        lock.renders = ["a/young": Self.render(daysAgo: 24.9), "b/old": Self.render(daysAgo: 25), "c/older": Self.render(daysAgo: 31.5),
                        "d/same": Self.render(daysAgo: 40, sameAs: "c/older"), "e/preview": Self.render(daysAgo: 90, task: nil),
                        "f/unknown": Self.render(daysAgo: nil), "g/old": Self.render(daysAgo: 25.2)]
        #expect(lock.aging(now: Self.now).map(\.name) == ["c/older", "b/old", "g/old"])
        #expect(lock.aging(now: Self.now).map(\.days) == [31, 25, 25])
    }

    @Test func ageIsWholeDaysWhenTheLockSaysIt() {
        #expect(Self.render(daysAgo: 29.9).ageInDays(now: Self.now) == 29)
        #expect(Self.render(daysAgo: 30).ageInDays(now: Self.now) == 30)
        #expect(Self.render(daysAgo: nil).ageInDays(now: Self.now) == nil)
    }
}
