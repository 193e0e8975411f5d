import Testing
@testable import TroupeNet

@Suite struct HTTPRequestTests {
    @Test func descriptionHidesQueryAndUserInfo() {
        let request = HTTPRequest(url: "https://user:pw@example.com/a/b?X-Amz-Signature=secret#frag",
                                  headers: ["Authorization": "Bearer token"])
        #expect(request.description == "GET https://example.com/a/b")
        #expect(!"\(request)".contains("secret"))
        #expect(!"\(request)".contains("token"))
    }

    @Test func headersAreCaseInsensitive() {
        var headers: HTTPHeaders = ["Content-Type": "a"]
        headers["content-type"] = "b"
        #expect(headers["CONTENT-TYPE"] == "b")
        #expect(headers.fields.count == 1)
    }

    @Test func retryAfterParsesSeconds() {
        #expect(HTTPResponse(status: 429, headers: ["Retry-After": "3"]).retryAfter == .seconds(3))
        #expect(HTTPResponse(status: 429).retryAfter == nil)
    }
}
