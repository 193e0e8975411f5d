import Testing
@testable import TroupeRun

/// The ready queue: first in first out across compactions; resumed jobs first, in order.
struct ReadyQueueTests {
    @Test func firstInFirstOutAcrossCompactions() {
        var q = ReadyQueue()
        var expected: [Int] = []
        var got: [Int] = []
        for i in 0..<5000 {
            q.append(i)
            expected.append(i)
            if i % 3 == 0, let j = q.popFirst() { got.append(j) }
        }
        while let j = q.popFirst() { got.append(j) }
        #expect(got == expected)
        #expect(q.isEmpty && q.count == 0)
    }

    @Test func prioritizeKeepsEachGroupsOrder() {
        var q = ReadyQueue()
        for i in 0..<10 { q.append(i) }
        _ = q.popFirst()
        q.prioritize { $0 % 3 == 0 }
        var got: [Int] = []
        while let j = q.popFirst() { got.append(j) }
        #expect(got == [3, 6, 9, 1, 2, 4, 5, 7, 8])
    }
}
