import Foundation

/// The comments of a GitHub pull request (the issues API: every pull request is an issue).
/// From GitHub Actions' environment: GITHUB_TOKEN, GITHUB_REPOSITORY, GITHUB_EVENT_PATH
/// (the pull request's number) and GITHUB_API_URL (GitHub Enterprise, tests).
public struct GitHubComments: ReviewComments {
    public let api: String
    public let repository: String
    public let number: Int
    let transport: ForgeTransport

    public var thread: String { "pull request #\(number) of \(repository)" }

    public init(api: String, repository: String, number: Int, token: String, http: HTTPClient) {
        self.api = api
        self.repository = repository
        self.number = number
        transport = ForgeTransport(
            http: http, authorization: ("Authorization", "Bearer " + token),
            headers: ["Accept": "application/vnd.github+json", "X-GitHub-Api-Version": "2022-11-28"],
            tokenVariable: "GITHUB_TOKEN", secret: token,
            onRejected: "pass the job's token (`GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`) or a valid personal access token",
            onForbidden: "give the job `permissions: pull-requests: write` (a pull request from a fork gets a read-only token)",
            thread: "pull request #\(number) of \(repository)",
            onNotFound: "check GITHUB_REPOSITORY and the event's pull request number, and that the token can see the repository")
    }

    public static func fromEnvironment(_ environment: [String: String], http: HTTPClient) throws(ForgeError) -> GitHubComments {
        func required(_ name: String, fix: String) throws(ForgeError) -> String {
            guard let value = environment[name], !value.isEmpty else { throw .environment(variable: name, problem: "is not set", fix: fix) }
            return value
        }
        let token = try required("GITHUB_TOKEN", fix: "pass the job's token: `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`")
        let repository = try required("GITHUB_REPOSITORY", fix: "GitHub Actions sets it; elsewhere set it to OWNER/NAME")
        guard repository.split(separator: "/").count == 2 else {
            throw .environment(variable: "GITHUB_REPOSITORY", problem: "is '\(repository)', not OWNER/NAME", fix: "set it to OWNER/NAME, e.g. acme/campaign")
        }
        let eventPath = try required("GITHUB_EVENT_PATH", fix: "GitHub Actions sets it; elsewhere point it to a JSON file holding {\"number\": N}")
        let number = try pullRequestNumber(eventPath)
        let api = try ForgeTransport.checkedBaseURL(environment["GITHUB_API_URL"].flatMap { $0.isEmpty ? nil : $0 } ?? "https://api.github.com",
                                                    variable: "GITHUB_API_URL")
        return GitHubComments(api: api, repository: repository, number: number, token: token, http: http)
    }

    /// `pull_request.number` of the event, or its `number`.
    static func pullRequestNumber(_ path: String) throws(ForgeError) -> Int {
        guard let data = FileManager.default.contents(atPath: path),
              let event = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] else {
            throw .environment(variable: "GITHUB_EVENT_PATH", problem: "names '\(path)', which is not a readable JSON file",
                               fix: "run the step on GitHub Actions, or point it to a JSON file holding {\"number\": N}")
        }
        let number = ((event["pull_request"] as? [String: Any])?["number"] as? NSNumber) ?? (event["number"] as? NSNumber)
        guard let number, number.intValue > 0 else {
            throw .environment(variable: "GITHUB_EVENT_PATH", problem: "names an event without a pull request number",
                               fix: "run the job `on: pull_request` (a push has no pull request to comment on)")
        }
        return number.intValue
    }

    public func list() async throws(ForgeError) -> [PostedComment] {
        var next: String? = "\(api)/repos/\(repository)/issues/\(number)/comments?per_page=100"
        var all: [PostedComment] = []
        var pages = 0
        // Bounded: a server whose `next` never ends must not keep the job forever.
        while let url = next, pages < 200 {
            let response = try await transport.send("GET", url)
            all += try ForgeTransport.comments(response.body)
            next = LinkHeader.next(response.headers["Link"])
            // The token goes with every page: only to the API it was given for.
            if let next, !next.hasPrefix(api + "/") { throw .unexpected("a next page outside GITHUB_API_URL (\(HTTPRequest.redact(next)))") }
            pages += 1
        }
        return all
    }

    public func create(body: String) async throws(ForgeError) {
        _ = try await transport.send("POST", "\(api)/repos/\(repository)/issues/\(number)/comments", body: ["body": body])
    }

    public func update(id: String, body: String) async throws(ForgeError) {
        _ = try await transport.send("PATCH", "\(api)/repos/\(repository)/issues/comments/\(id)", body: ["body": body])
    }
}
