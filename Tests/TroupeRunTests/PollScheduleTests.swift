import Testing
@testable import TroupeRun

/// When the poller asks: every interval until a task has finished once, then at the moment
/// each task may be done, and within the longest gap whatever the estimate says.
struct PollScheduleTests {
    @Test func whereEachTaskCostsACallOnlyThoseThatMayBeDoneAreAsked() {
        var s = PollSchedule(interval: 2, longestGap: 20)
        for (id, start) in [("a", 0.0), ("b", 1.0), ("c", 3.0)] { s.waiting(for: id, startedAt: start) }
        // Nothing finished yet: only the first started (none can be done before it).
        #expect(s.worthAsking(["a", "b", "c"], now: 5) == ["a"])
        s.asked("a", at: 5)
        // Not again within an interval; a task found in flight after a restart is asked at once.
        s.waiting(for: "d", startedAt: nil)
        #expect(s.worthAsking(["a", "b", "c", "d"], now: 6) == ["d"])
        s.asked("d", at: 6)
        #expect(s.worthAsking(["a", "b", "c", "d"], now: 7) == ["a"])
        s.asked("a", at: 7)
        // Within the longest gap every task is asked, whatever the estimate.
        #expect(Set(s.worthAsking(["a", "b", "c"], now: 21.5)) == ["a", "b"])
        // The next round comes when the soonest of them wants a call, not every short round.
        s.polled(at: 21.5)
        s.asked("a", at: 21.5); s.asked("b", at: 21.5)
        #expect(s.nextRoundEachTask(for: ["a", "b", "c"]) == 23)
        // After the first success: those due, once an interval.
        s.finished("a", at: 30, succeeded: true)
        s.asked("b", at: 21.5); s.asked("c", at: 23)
        #expect(s.fastest == 30)
        #expect(s.worthAsking(["b", "c"], now: 31) == ["b"])
        s.asked("b", at: 31)
        #expect(s.worthAsking(["b", "c"], now: 32) == [])
        #expect(Set(s.worthAsking(["b", "c"], now: 33)) == ["b", "c"])
    }

    @Test func beforeAnyTaskFinishedItPollsEveryInterval() {
        var s = PollSchedule(interval: 2)
        s.waiting(for: "a", startedAt: 0)
        #expect(s.nextRound(for: ["a"]) == 2)
        s.polled(at: 2)
        #expect(s.nextRound(for: ["a"]) == 4)
    }

    @Test func afterTheFirstSuccessTasksAreAskedForWhenTheyMayBeDone() {
        var s = PollSchedule(interval: 2, longestGap: 20)
        s.waiting(for: "a", startedAt: 0)
        s.polled(at: 61)
        s.finished("a", at: 61, succeeded: true)
        #expect(s.fastest == 61)
        // b started at 62: due at 123; nothing to ask before, but never more than 20 s apart.
        s.waiting(for: "b", startedAt: 62)
        #expect(s.due("b") == 123)
        #expect(s.nextRound(for: ["b"]) == 81)
        s.polled(at: 81); s.polled(at: 101); s.polled(at: 121)
        #expect(s.nextRound(for: ["b"]) == 123)
        // Due and not done: soon again for an interval (most tasks are a little slower than
        // the fastest), then every interval.
        s.polled(at: 123)
        #expect(s.nextRound(for: ["b"]) == 123.5)
        s.polled(at: 124.5)
        #expect(s.nextRound(for: ["b"]) == 125)
        s.polled(at: 125)
        #expect(s.nextRound(for: ["b"]) == 127)
    }

    @Test func roundsNeverComeCloserThanAQuarterInterval() {
        var s = PollSchedule(interval: 2, longestGap: 20)
        s.waiting(for: "a", startedAt: 0)
        s.polled(at: 10)
        s.finished("a", at: 10, succeeded: true)
        s.waiting(for: "b", startedAt: 10)
        s.waiting(for: "c", startedAt: 10.1)
        s.polled(at: 20)
        // c is due at 20.1, but the last round was at 20.
        #expect(s.nextRound(for: ["b", "c"]) == 20.5)
    }

    /// A round reads every task in flight: with many of them, rounds stay an interval apart.
    @Test func manyTasksInFlightKeepRoundsAnIntervalApart() {
        var s = PollSchedule(interval: 2, longestGap: 20)
        s.waiting(for: "first", startedAt: 0)
        s.polled(at: 10)
        s.finished("first", at: 10, succeeded: true)
        let ids = (0..<200).map { "t\($0)" }
        for (i, id) in ids.enumerated() { s.waiting(for: id, startedAt: 5 + Double(i) * 0.01) }
        #expect(s.shortestGap == 2)
        s.polled(at: 15.5)
        #expect(s.nextRound(for: ids) == 17.5)
    }

    @Test func failuresAndAdoptedTasksDoNotShortenTheEstimate() {
        var s = PollSchedule(interval: 2)
        s.waiting(for: "quick-failure", startedAt: 0)
        s.waiting(for: "adopted", startedAt: nil)
        s.polled(at: 1)
        s.finished("quick-failure", at: 1, succeeded: false)
        s.finished("adopted", at: 1, succeeded: true)
        #expect(s.fastest == nil)
        // A task found in flight after a restart is due at once: asked every interval.
        s.waiting(for: "adopted-2", startedAt: nil)
        #expect(s.nextRound(for: ["adopted-2"]) == 3)
    }
}
