import Foundation
import Testing
@testable import TroupeProviders

/// fal's answers read without JSONSerialization: the members troupe uses, fal's two shapes of
/// `detail`, and what is not an answer at all.
@Suite struct FalAnswerTests {
    func read(_ text: String) -> FalAnswer? { FalAnswer(Data(text.utf8)) }

    @Test func readsASubmitAnswerAndAStatus() throws {
        let submit = try #require(read(#"{"request_id":"r-1","status_url":"https://q/s","response_url":"https://q/r","cancel_url":"https://q/c","extra":{"a":[1,2]}}"#))
        #expect(submit.requestID == "r-1" && submit.statusURL == "https://q/s" && submit.responseURL == "https://q/r"
            && submit.cancelURL == "https://q/c")
        let queued = try #require(read(#"{"status":"IN_QUEUE","queue_position":3,"logs":null}"#))
        #expect(queued.status == "IN_QUEUE" && queued.queuePosition == 3 && queued.error == nil)
        // A position that is not a whole number is not a position.
        #expect(read(#"{"status":"IN_QUEUE","queue_position":"3"}"#)?.queuePosition == nil)
    }

    @Test func readsTheVideoOnlyWithItsURL() throws {
        let done = try #require(read(#"{"video":{"url":"https://v/o.mp4","file_name":"o.mp4","content_type":"video/mp4","file_size":1234}}"#))
        #expect(done.video == FalVideo(url: "https://v/o.mp4", fileName: "o.mp4", contentType: "video/mp4", fileSize: 1234))
        #expect(read(#"{"video":{"file_name":"o.mp4"}}"#)?.video == nil)
        #expect(read(#"{"video":"https://v/o.mp4"}"#)?.video == nil)
    }

    @Test func readsBothShapesOfDetail() throws {
        let text = try #require(read(#"{"detail":"Request is still in progress"}"#))
        #expect(text.detail == "Request is still in progress" && text.hasDetail)
        let list = try #require(read(#"{"detail":[{"loc":["body","image_url"],"msg":"field required","type":"missing"},{"msg":"bad video"}]}"#))
        #expect(list.detail == "field required; bad video" && list.hasDetail)
        let other = try #require(read(#"{"error":"boom"}"#))
        #expect(other.detail == nil && !other.hasDetail && other.error == "boom")
    }

    @Test func somethingElseIsNoAnswer() {
        #expect(read("[1,2]") == nil)
        #expect(read("<html>502 Bad Gateway</html>") == nil)
        #expect(read(#"{"request_id":"r-1""#) == nil)
    }
}
