import Foundation
import Testing
@testable import TroupeProviders
import TroupeState
@testable import TroupeRun

/// The at-most-once rules for a provider without idempotency keys (fal), without I/O: what
/// certainly did not arrive is sent again, anything else is looked for and otherwise left in
/// doubt, and only the user sends a job in doubt again.
@Suite struct InDoubtLifecycleTests {
    let t0 = Date(timeIntervalSince1970: 1_700_000_000)

    func fal(_ state: JobState = .pending, retry: Bool = false) -> RenderLifecycle {
        var l = RenderLifecycle(externalID: "troupe-f", state: state)
        l.findsByExternalID = false
        l.retryInDoubt = retry
        l.jitter = { 0.5 }
        return l
    }

    @Test func aSubmitRefusedBeforeQueueingIsSentAgainWithoutAsking() {
        var l = fal()
        _ = l.resume()
        #expect(l.intentCommitted() == .create(externalID: "troupe-f"))
        // 503 / connection refused: nothing queued, nothing billed.
        #expect(l.handle(.retryable(after: 3, concurrency: false), now: t0) == .wait(seconds: 3, then: .create(externalID: "troupe-f")))
        #expect(l.state == .submitting)
        // Kling asks first (the query is certain there).
        var k = RenderLifecycle(externalID: "troupe-k", state: .submitting)
        #expect(k.handle(.retryable(after: 3, concurrency: false), now: t0) == .wait(seconds: 3, then: .query(externalID: "troupe-k")))
    }

    @Test func aLostAnswerIsLookedForNeverResent() {
        var l = fal()
        _ = l.resume()
        _ = l.intentCommitted()
        guard case .wait(_, .query) = l.handle(.ambiguous("reset after sending"), now: t0) else {
            Issue.record("an ambiguous submit must be looked for, not sent again")
            return
        }
        let next = l.handle(.unknown("not in the list"), now: t0)
        #expect(next == .doubt(.inDoubt(reason: "not in the list")))
        #expect(l.state == .inDoubt)
    }

    @Test func aFoundRequestIsAdoptedAndFollowed() {
        var l = fal(.submitting)
        #expect(l.resume() == .query(externalID: "troupe-f"))
        #expect(l.handle(.task(taskID: "req-1", status: .queued), now: t0) == .poll(taskID: "req-1"))
        #expect(l.state == .submitted && l.taskID == "req-1")
    }

    @Test func aJobInDoubtIsOnlyLookedForByAPlainRun() {
        var l = fal(.inDoubt)
        #expect(l.resume() == .query(externalID: "troupe-f"))
        #expect(l.handle(.unknown("still not listed"), now: t0) == .doubt(.inDoubt(reason: "still not listed")))
        #expect(l.state == .inDoubt)
        // Found later: followed like any other.
        var m = fal(.inDoubt)
        _ = m.resume()
        #expect(m.handle(.task(taskID: "req-2", status: .succeeded(url: "u")), now: t0) == .download(url: "u"))
    }

    @Test func retryInDoubtCommitsAFreshIntentThenSends() {
        var l = fal(.inDoubt, retry: true)
        #expect(l.resume() == .query(externalID: "troupe-f"))
        #expect(l.handle(.unknown("not listed"), now: t0) == .commitIntent(externalID: "troupe-f"))
        #expect(l.intentCommitted() == .create(externalID: "troupe-f"))
        #expect(l.handle(.accepted(taskID: "req-3", handle: "{}"), now: t0) == .poll(taskID: "req-3"))
        // Once: a second doubt in the same run is not retried again.
        var m = fal(.inDoubt, retry: true)
        _ = m.resume()
        _ = m.handle(.unknown("x"), now: t0)
        _ = m.intentCommitted()
        _ = m.handle(.ambiguous("timeout"), now: t0)
        #expect(m.handle(.unknown("y"), now: t0) == .doubt(.inDoubt(reason: "y")))
    }

    @Test func lockedNeverResendsADoubt() {
        var l = fal(.inDoubt, retry: true)
        l.mayCreate = false
        _ = l.resume()
        #expect(l.handle(.unknown("z"), now: t0) == .doubt(.inDoubt(reason: "z")))
    }

    @Test func aFetchedResultLostFromTheCacheIsPolledByItsRequestID() {
        var l = RenderLifecycle(externalID: "troupe-f", state: .succeeded, taskID: "req-4")
        l.findsByExternalID = false
        #expect(l.resume() == .poll(taskID: "req-4"))
    }

    @Test func falSubmitFailuresSortIntoSentAndNotSent() {
        #expect(FalRemote.submitFailure(FalError.unavailable(status: 503, message: "x")) == .retryable(after: nil, concurrency: false))
        #expect(FalRemote.submitFailure(FalError.rateLimited(after: 7)) == .retryable(after: 7, concurrency: false))
        #expect(FalRemote.submitFailure(FalError.transport(.connectFailed("refused"))) == .retryable(after: nil, concurrency: false))
        if case .ambiguous = FalRemote.submitFailure(FalError.transport(.timedOut("30 s"))) {} else { Issue.record("a timeout may have queued") }
        if case .fatal = FalRemote.submitFailure(FalError.unauthorized("bad key")) {} else { Issue.record("a bad key stops the run") }
        if case .rejected = FalRemote.submitFailure(FalError.rejected(status: 422, message: "image_url")) {} else { Issue.record("422 fails the job") }
    }
}
