import Foundation
import Testing
@testable import TroupeRun

@Suite struct LiveStatusTests {
    @Test func countsUnitsAndETAFollowTheEvents() {
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        var s = LiveStatus(unitsPlanned: 18, unit: "units")
        s.apply(RunEvent(.runStarted, at: t0, counts: ["jobs": 10, "already_done": 2]))
        for j in ["render:a/x", "render:a/y", "render:b/x"] { s.apply(RunEvent(.jobStarted, at: t0, job: j)) }
        #expect(s.inFlight.count == 3 && s.queued == 5)
        s.apply(RunEvent(.jobDone, at: t0.addingTimeInterval(10), job: "render:a/y", units: 4.5))
        s.apply(RunEvent(.jobFailed, at: t0.addingTimeInterval(20), job: "render:b/x", message: "Image pixel is invalid"))
        #expect(s.done == 1 && s.failed == 1 && s.unitsSpent == 4.5)
        #expect(s.inFlight.map(\.job) == ["render:a/x"])
        // 2 finished in 20 s, 6 to go: 60 s.
        #expect(s.eta(now: t0.addingTimeInterval(20)) == 60)
        let lines = s.lines(now: t0.addingTimeInterval(20))
        #expect(lines[0] == "troupe run · 3/10 done · 1 in flight · 5 queued · 1 failed · 4.5 of 18 units · ETA 1m00s")
        #expect(lines[1] == "  render:a/x  20s")
        #expect(s.lines(now: t0, width: 30)[0].count == 30)
    }

    @Test func falsQueuePositionShowsWhileAJobWaitsThere() {
        let t0 = Date(timeIntervalSince1970: 1_000_000)
        var s = LiveStatus(unitsPlanned: 1.26, unit: "USD")
        s.apply(RunEvent(.runStarted, at: t0, counts: ["jobs": 2, "already_done": 0]))
        s.apply(RunEvent(.jobStarted, at: t0, job: "render:a/x"))
        s.apply(RunEvent(.queuePosition, at: t0, job: "render:a/x", counts: ["position": 3]))
        #expect(s.lines(now: t0.addingTimeInterval(5))[1] == "  render:a/x  5s  · 3 ahead in fal's queue")
        s.apply(RunEvent(.queuePosition, at: t0, job: "render:a/x", counts: ["position": -1]))
        #expect(s.lines(now: t0.addingTimeInterval(6))[1] == "  render:a/x  6s")
        // A job in doubt counts with the failures and spends nothing.
        s.apply(RunEvent(.jobInDoubt, at: t0, job: "render:a/x", units: 0.63, message: "in doubt"))
        #expect(s.failed == 1 && s.unitsSpent == 0 && s.inFlight.isEmpty)
    }

    @Test func longListsAreCut() {
        var s = LiveStatus(unitsPlanned: 0, unit: "units")
        s.apply(RunEvent(.runStarted, at: Date(), counts: ["jobs": 20, "already_done": 0]))
        for i in 0..<12 { s.apply(RunEvent(.jobStarted, at: Date(), job: "render:c\(i)/k")) }
        let lines = s.lines(now: Date(), maxJobs: 8)
        #expect(lines.count == 10 && lines.last == "  … and 4 more")
        #expect(!lines[0].contains("ETA"))
    }
}

/// What the live display writes to a 40-column terminal, byte for byte: each redraw moves up
/// over the block it drew and erases it; a failure stays above the block; the end erases it.
@Suite struct LiveDisplaySnapshotTests {
    final class Clock: @unchecked Sendable {
        var now = Date(timeIntervalSince1970: 1_000_000)
    }

    @Test func aFortyColumnTerminalSeesExactlyThis() throws {
        let pipe = Pipe()
        let clock = Clock()
        let display = LiveDisplay(handle: pipe.fileHandleForWriting, unitsPlanned: 9, unit: "units", width: 40,
                                  now: { clock.now }, ticks: false)
        let t0 = clock.now
        display.observe(RunEvent(.runStarted, at: t0, counts: ["jobs": 3, "already_done": 0]))
        clock.now += 1
        display.observe(RunEvent(.jobStarted, at: t0, job: "render:mochi/wave"))
        // Within a tenth of a second of the last draw: not drawn again.
        clock.now += 0.05
        display.observe(RunEvent(.jobStarted, at: t0, job: "render:pip/wave"))
        clock.now += 10
        display.observe(RunEvent(.jobFailed, at: clock.now, job: "render:pip/wave", message: "Image pixel is invalid"))
        clock.now += 10
        display.observe(RunEvent(.jobDone, at: clock.now, job: "render:mochi/wave", units: 4.5))
        display.observe(RunEvent(.runFinished, at: clock.now, units: 4.5))
        try pipe.fileHandleForWriting.close()
        let written = String(decoding: pipe.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        let up = { (n: Int) in "\u{1B}[\(n)F\u{1B}[J" }
        let expected = "troupe run · 0/3 done · 0 in flight · 3…\n"
            + up(1) + "troupe run · 0/3 done · 1 in flight · 2…\n" + "  render:mochi/wave  1s\n"
            + up(2) + "FAILED render:pip/wave: Image pixel is invalid\n"
            + "troupe run · 0/3 done · 1 in flight · 1…\n" + "  render:mochi/wave  11s\n"
            + up(2) + "troupe run · 1/3 done · 0 in flight · 1…\n"
            + up(1)
        #expect(written == expected, "\(written.debugDescription)")
    }
}
