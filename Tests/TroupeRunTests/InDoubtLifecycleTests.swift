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

    @Test func aListedRequestMatchesByInputsWithoutPresignedQueries() throws {
        let body = FalMotionControlRequest(tier: .standard, imageURL: "https://s3.example/b/img?X-Amz-Signature=aaa",
                                           videoURL: "https://s3.example/b/clip?X-Amz-Signature=bbb", characterOrientation: "video",
                                           keepOriginalSound: true, prompt: "studio")
        func record(_ input: [String: Any]) throws -> FalRequestRecord {
            try #require(FalRequestRecord(json: ["request_id": "r", "sent_at": "2026-12-04T10:00:00.250Z", "json_input": input]))
        }
        let same: [String: Any] = ["image_url": "https://s3.example/b/img?X-Amz-Signature=zzz", "video_url": "https://s3.example/b/clip",
                                   "character_orientation": "video", "keep_original_sound": true, "prompt": "studio"]
        #expect(FalRemote.matches(try record(same), body))
        #expect(try record(same).sentAt == Date(timeIntervalSince1970: 1_796_378_400.25))
        var otherClip = same
        otherClip["video_url"] = "https://s3.example/b/other"
        #expect(!FalRemote.matches(try record(otherClip), body))
        var otherPrompt = same
        otherPrompt["prompt"] = "night"
        #expect(!FalRemote.matches(try record(otherPrompt), body))
        var silent = same
        silent["keep_original_sound"] = false
        #expect(!FalRemote.matches(try record(silent), body))
    }

    @Test func aHandleIsKeptAsTheURLsFalReturned() throws {
        let handle = FalQueueHandle(requestID: "r-1", statusURL: "https://queue.fal.run/fal-ai/kling-video/requests/r-1/status",
                                    responseURL: "https://queue.fal.run/fal-ai/kling-video/requests/r-1", cancelURL: nil)
        let text = try #require(FalRemote.encode(handle))
        #expect(FalRemote.decode(text) == handle)
        var withCancel = handle
        withCancel.cancelURL = "https://queue.fal.run/x?\"quoted\""
        #expect(FalRemote.decode(try #require(FalRemote.encode(withCancel))) == withCancel)
    }
}
