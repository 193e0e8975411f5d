import Foundation
import Testing
@testable import TroupeNet
import TroupeTestSupport

/// The pieces of `plan --diff --comment` and `run --notify` that need no git repository.
@Suite struct ForgeTests {
    /// Comments in memory, to watch what StickyComment does.
    final class Thread: ReviewComments, @unchecked Sendable {
        var comments: [PostedComment]
        var creates = 0, updates = 0
        let thread = "a test thread"
        init(_ bodies: [String]) { comments = bodies.enumerated().map { PostedComment(id: "\($0.offset + 1)", body: $0.element) } }
        func list() async throws(ForgeError) -> [PostedComment] { comments }
        func create(body: String) async throws(ForgeError) {
            creates += 1
            comments.append(PostedComment(id: "\(comments.count + 1)", body: body))
        }
        func update(id: String, body: String) async throws(ForgeError) {
            updates += 1
            if let i = comments.firstIndex(where: { $0.id == id }) { comments[i].body = body }
        }
    }

    @Test func theCommentIsCreatedOnceThenEditedAndLeftAloneWhenTheSame() async throws {
        let thread = Thread(["nice", "<!-- troupe-plan-diff: other.yaml -->\nold"])
        let marker = StickyComment.marker(manifest: "./troupe.yaml")
        #expect(marker == "<!-- troupe-plan-diff: troupe.yaml -->")
        #expect(try await StickyComment.post("one", marker: marker, to: thread) == .created)
        #expect(try await StickyComment.post("two", marker: marker, to: thread) == .updated(id: "3"))
        #expect(try await StickyComment.post("two", marker: marker, to: thread) == .unchanged(id: "3"))
        #expect(thread.comments.map(\.body) == ["nice", "<!-- troupe-plan-diff: other.yaml -->\nold", marker + "\ntwo"])
        #expect(thread.creates == 1 && thread.updates == 1)
        // A path cannot end the HTML comment early.
        #expect(StickyComment.marker(manifest: "a--b.yaml") == "<!-- troupe-plan-diff: a- -b.yaml -->")
    }

    @Test func linkHeadersGiveTheNextPage() {
        let header = "<https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=2>; rel=\"next\", <https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=4>; rel=\"last\""
        #expect(LinkHeader.next(header) == "https://api.github.com/repositories/1/issues/7/comments?per_page=100&page=2")
        #expect(LinkHeader.next("<https://x/?page=1>; rel=\"prev\", <https://x/?page=1>; rel=\"first\"") == nil)
        #expect(LinkHeader.next(nil) == nil)
    }

    @Test func thePullRequestNumberComesFromTheEvent() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-event-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        func number(_ json: String) throws(ForgeError) -> Int {
            let path = dir.appendingPathComponent("event.json").path
            _ = FileManager.default.createFile(atPath: path, contents: Data(json.utf8))
            return try GitHubComments.pullRequestNumber(path)
        }
        #expect(try number("{\"pull_request\": {\"number\": 12}, \"number\": 3}") == 12)
        #expect(try number("{\"number\": 5}") == 5)
        #expect(throws: ForgeError.self) { try number("{\"ref\": \"refs/heads/main\"}") }
        #expect(throws: ForgeError.self) { try number("not json") }
    }

    @Test func aTokenGoesOnlyOverHTTPSOrToThisMachine() throws {
        #expect(try ForgeTransport.checkedBaseURL("https://ghe.example.com/api/v3/", variable: "GITHUB_API_URL") == "https://ghe.example.com/api/v3")
        #expect(try ForgeTransport.checkedBaseURL("http://127.0.0.1:8080", variable: "GITHUB_API_URL") == "http://127.0.0.1:8080")
        #expect(throws: ForgeError.self) { try ForgeTransport.checkedBaseURL("http://gitlab.example.com/api/v4", variable: "CI_API_V4_URL") }
    }

    @Test func aWebhookIsNamedByItsOriginOnly() {
        #expect(WebhookSender.origin(of: "https://hooks.slack.com/services/T0/B0/secret") == "https://hooks.slack.com")
        #expect(WebhookSender.origin(of: "http://user:pw@127.0.0.1:9000/hook?key=1") == "http://127.0.0.1:9000")
    }

    /// A 503 is asked again; a 404 (a revoked webhook) is final at once.
    @Test func retriesAreForAnswersThatMayChange() async throws {
        let flaky = try await WebhookReceiver.start(failures: [503, 502])
        defer { Task { await flaky.stop() } }
        let sender = WebhookSender(http: HTTPClient(), deadline: .seconds(30), firstDelay: .milliseconds(1))
        #expect(await sender.post(Data("{}".utf8), to: flaky.baseURL + "/hook/x") == .delivered(attempts: 3))
        let gone = try await WebhookReceiver.start(alwaysFail: 404)
        defer { Task { await gone.stop() } }
        #expect(await sender.post(Data("{}".utf8), to: gone.baseURL + "/hook/x") == .failed(reason: "HTTP 404", attempts: 1))
    }
}
