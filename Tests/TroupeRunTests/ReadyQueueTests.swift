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

    @Test func rotateStartsAtTheNthWaitingJobAndKeepsEveryJob() {
        var q = ReadyQueue()
        for i in 0..<10 { q.append(i) }
        _ = q.popFirst()
        _ = q.popFirst()
        q.rotate(by: 3)
        var got: [Int] = []
        while let j = q.popFirst() { got.append(j) }
        #expect(got == [5, 6, 7, 8, 9, 2, 3, 4])
        var empty = ReadyQueue()
        empty.rotate(by: 5)
        #expect(empty.isEmpty)
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
