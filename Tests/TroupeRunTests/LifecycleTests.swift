import Foundation
import Testing
import TroupeProviders
@testable import TroupeRun

@Suite struct LifecycleTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    func fresh() -> RenderLifecycle {
        var l = RenderLifecycle(externalID: RenderLifecycle.externalID(key: String(repeating: "ab", count: 32)))
        l.jitter = { 0.5 }
        return l
    }

    @Test func externalIDIsDerivedFromTheKey() {
        let key = "0123456789abcdef0123456789abcdef" + String(repeating: "f", count: 32)
        #expect(RenderLifecycle.externalID(key: key) == "troupe-0123456789abcdef0123456789abcdef")
        #expect(RenderLifecycle.externalID(key: key, reroll: 2) == "troupe-0123456789abcdef0123456789abcdef-r2")
    }

    @Test func happyPath() {
        var l = fresh()
        #expect(l.resume() == .commitIntent(externalID: l.externalID))
        #expect(l.intentCommitted() == .create(externalID: l.externalID))
        #expect(l.handle(.accepted(taskID: "t1"), now: t0) == .poll(taskID: "t1"))
        #expect(l.handle(.task(taskID: "t1", status: .processing), now: t0) == .poll(taskID: "t1"))
        #expect(l.handle(.task(taskID: "t1", status: .succeeded(url: "u")), now: t0) == .download(url: "u"))
        #expect(l.downloaded() == .done)
        #expect(l.state == .fetched)
    }

    @Test func crashAfterIntentQueriesBeforeSubmitting() {
        var l = RenderLifecycle(externalID: "troupe-x", state: .submitting)
        #expect(l.resume() == .query(externalID: "troupe-x"))
        // The create had reached the provider: adopt it, no second create.
        #expect(l.handle(.task(taskID: "t9", status: .processing), now: t0) == .poll(taskID: "t9"))
        #expect(l.taskID == "t9" && l.state == .submitted)

        var m = RenderLifecycle(externalID: "troupe-y", state: .submitting)
        _ = m.resume()
        // It had not: now, and only now, create.
        #expect(m.handle(.notFound, now: t0) == .create(externalID: "troupe-y"))
    }

    @Test func ambiguityNeverCreates() {
        var l = fresh()
        _ = l.resume()
        _ = l.intentCommitted()
        let a = l.handle(.ambiguous("connection reset"), now: t0)
        #expect(a == .wait(seconds: 1, then: .query(externalID: l.externalID)))
        // A duplicate-id refusal adopts by querying, too.
        #expect(l.handle(.duplicate, now: t0) == .query(externalID: l.externalID))
        // Unknown answers to the query keep querying.
        if case .wait(_, let then) = l.handle(.retryable(after: nil, concurrency: false), now: t0) {
            #expect(then == .query(externalID: l.externalID))
        } else {
            Issue.record("expected a wait")
        }
    }

    @Test func concurrencyLimitLowersTheGateAndRetriesAfterBackoff() {
        var l = fresh()
        _ = l.resume()
        _ = l.intentCommitted()
        let a = l.handle(.retryable(after: 2.5, concurrency: true), now: t0)
        #expect(a == .lowerConcurrency(then: .wait(seconds: 2.5, then: .query(externalID: l.externalID))))
    }

    @Test func backoffGrowsAndIsCapped() {
        var l = fresh()
        _ = l.resume()
        _ = l.intentCommitted()
        var waits: [Double] = []
        for _ in 0..<9 {
            if case .wait(let s, _) = l.handle(.ambiguous("x"), now: t0) { waits.append(s) }
        }
        #expect(waits == [1, 2, 4, 8, 16, 32, 60, 60, 60])
    }

    @Test func failuresAndFatalErrors() {
        var l = fresh()
        _ = l.resume()
        _ = l.intentCommitted()
        #expect(l.handle(.rejected("content rejected", code: 1301), now: t0) == .fail(.rejected(code: 1301, message: "content rejected")))
        #expect(l.state == .failed)
        var m = fresh()
        _ = m.resume()
        _ = m.intentCommitted()
        #expect(m.handle(.fatal("1102: resource pack used up", code: 1102), now: t0) == .stopRun(.fatal(code: 1102, message: "1102: resource pack used up")))
        var n = fresh()
        _ = n.resume()
        _ = n.intentCommitted()
        _ = n.handle(.accepted(taskID: "t"), now: t0)
        #expect(n.handle(.task(taskID: "t", status: .failed("Image pixel is invalid")), now: t0)
                == .fail(.taskFailed(taskID: "t", message: "Image pixel is invalid")))
    }

    @Test func pollingPastTheDeadlineStallsAndNeverResubmits() {
        var l = fresh()
        l.pollDeadline = 60
        _ = l.resume()
        _ = l.intentCommitted()
        _ = l.handle(.accepted(taskID: "t"), now: t0)
        let a = l.handle(.task(taskID: "t", status: .processing), now: t0.addingTimeInterval(61))
        #expect(a == .stall(.stalled(taskID: "t", deadline: 60)))
        #expect(l.state == .stalled)
        #expect(l.resume() == .done)
    }

    @Test func expiredResultURLIsFetchedAgainThenGivenUp() {
        var l = RenderLifecycle(externalID: "troupe-z", state: .succeeded, taskID: "t")
        #expect(l.resume() == .query(externalID: "troupe-z"))
        // Each query answers with the task (which resets backoff); the expiries still add up.
        for _ in 0..<3 {
            #expect(l.downloadExpired() == .query(externalID: "troupe-z"))
            #expect(l.handle(.task(taskID: "t", status: .succeeded(url: "u")), now: t0) == .download(url: "u"))
        }
        #expect(l.downloadExpired() == .fail(.resultExpired()))
    }

    @Test func tokenBucketCapsCreateCalls() {
        var b = TokenBucket(rate: 2, now: 0)
        var waits: [Double?] = []
        for t in [0.0, 0, 0, 0.5] { waits.append(b.take(now: t)) }
        #expect(waits == [nil, nil, 0.5, nil])
        // Over ten seconds at most 2/s (+ the initial burst of 2).
        var c = TokenBucket(rate: 2, now: 0)
        var granted = 0
        for step in 0...1000 where c.take(now: Double(step) * 0.01) == nil { granted += 1 }
        #expect(granted == 22)
    }

    @Test func gateShrinksOn1303AndProbesBackUp() {
        var g = ConcurrencyGate(limit: 5)
        g.probeAfter = 10
        var got: [Bool] = []
        for _ in 0..<6 { got.append(g.tryAcquire(now: 0)) }
        #expect(got == [true, true, true, true, true, false])
        g.release()
        g.release()
        let fourth = g.tryAcquire(now: 1)   // 4 in flight
        #expect(fourth)
        g.concurrencyRefused(now: 1)        // the account allows fewer than we thought
        #expect(g.limit == 3 && g.inFlight == 3)
        let full = g.tryAcquire(now: 2)
        #expect(!full)
        g.release()
        let again = g.tryAcquire(now: 3)
        let over = g.tryAcquire(now: 4)
        #expect(again && !over)
        let probed = g.tryAcquire(now: 12)  // quiet for 10 s: one more slot
        #expect(probed && g.limit == 4)
    }

    /// Typed failures read as they always did: users, the summary and the record see these words.
    @Test func failuresKeepTheirWords() {
        #expect(RunFailure.rejected(code: 1301, message: "Kling refused the content (1301): x").description == "Kling refused the content (1301): x")
        #expect(RunFailure.taskFailed(taskID: "t", message: "Image pixel is invalid").description == "Image pixel is invalid")
        #expect(RunFailure.stalled(taskID: "t9", deadline: 10800).description
                == "task t9 has not finished after 10800 s; it is not resubmitted (check it at the provider, then re-roll if it is lost)")
        #expect(RunFailure.downloadFailed(attempts: 6, reason: "timed out").description
                == "downloading the result failed 6 times (timed out); run again to retry")
        #expect(RunFailure.resultExpired().description
                == "the result URL expired before it could be downloaded; re-roll with --reroll to render again")
        #expect(RunFailure.digestMismatch(url: "http://h/a.png", found: "aa", declared: "bb").description
                == "'http://h/a.png' has sha256 aa, but the manifest says bb; fix the manifest's sha256 or the file")
        #expect(RunFailure.failedEarlier(reason: "Image pixel is invalid", name: "mochi/wave").description
                == "Image pixel is invalid — in an earlier run; `troupe run --reroll 'mochi/wave'` tries again")
        #expect(RunFailure.rejected(code: 1301, message: "m").code == 1301 && RunFailure.resultExpired().code == nil)
    }
}
