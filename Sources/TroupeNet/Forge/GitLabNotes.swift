import Foundation

/// The notes (comments) of a GitLab merge request. From GitLab CI's environment: CI_API_V4_URL,
/// CI_PROJECT_ID, CI_MERGE_REQUEST_IID (merge request pipelines only), and GITLAB_TOKEN, a
/// project or personal access token with the `api` scope (the job token cannot write notes).
public struct GitLabNotes: ReviewComments {
    public let api: String
    public let project: String
    public let iid: Int
    let transport: ForgeTransport

    public var thread: String { "merge request !\(iid) of project \(project)" }

    public init(api: String, project: String, iid: Int, token: String, http: HTTPClient) {
        self.api = api
        self.project = project
        self.iid = iid
        transport = ForgeTransport(
            http: http, authorization: ("PRIVATE-TOKEN", token), headers: ["Accept": "application/json"],
            tokenVariable: "GITLAB_TOKEN", secret: token,
            onRejected: "set GITLAB_TOKEN to a valid project or personal access token (a masked CI/CD variable)",
            onForbidden: "give the token the `api` scope and at least the Reporter role on the project",
            thread: "merge request !\(iid) of project \(project)",
            onNotFound: "check CI_PROJECT_ID and CI_MERGE_REQUEST_IID, and that the token can see the project")
    }

    public static func fromEnvironment(_ environment: [String: String], http: HTTPClient) throws(ForgeError) -> GitLabNotes {
        func required(_ name: String, fix: String) throws(ForgeError) -> String {
            guard let value = environment[name], !value.isEmpty else { throw .environment(variable: name, problem: "is not set", fix: fix) }
            return value
        }
        let api = try ForgeTransport.checkedBaseURL(try required("CI_API_V4_URL", fix: "GitLab CI sets it; elsewhere set it to https://HOST/api/v4"),
                                                    variable: "CI_API_V4_URL")
        let project = try required("CI_PROJECT_ID", fix: "GitLab CI sets it; elsewhere set it to the project's numeric id")
        let rawIID = try required("CI_MERGE_REQUEST_IID",
                                  fix: "GitLab sets it only in merge request pipelines: add `rules: [{if: '$CI_PIPELINE_SOURCE == \"merge_request_event\"'}]` to the job")
        guard let iid = Int(rawIID), iid > 0 else {
            throw .environment(variable: "CI_MERGE_REQUEST_IID", problem: "is '\(rawIID)', not a merge request number", fix: "leave it to GitLab CI")
        }
        let token = try required("GITLAB_TOKEN", fix: "add a project access token with the `api` scope as a masked CI/CD variable GITLAB_TOKEN")
        return GitLabNotes(api: api, project: project, iid: iid, token: token, http: http)
    }

    private var notes: String {
        let id = project.addingPercentEncoding(withAllowedCharacters: .alphanumerics.union(CharacterSet(charactersIn: "-_.~"))) ?? project
        return "\(api)/projects/\(id)/merge_requests/\(iid)/notes"
    }

    /// Every page: GitLab says which comes next in `x-next-page` (empty on the last).
    public func list() async throws(ForgeError) -> [PostedComment] {
        var page: String? = "1"
        var all: [PostedComment] = []
        var pages = 0
        while let current = page, pages < 200 {
            let response = try await transport.send("GET", "\(notes)?sort=asc&order_by=created_at&per_page=100&page=\(current)")
            all += try ForgeTransport.comments(response.body)
            let next = response.headers["x-next-page"]?.trimmingCharacters(in: .whitespaces) ?? ""
            page = Int(next) == nil ? nil : next
            pages += 1
        }
        return all
    }

    public func create(body: String) async throws(ForgeError) {
        _ = try await transport.send("POST", notes, body: ["body": body])
    }

    public func update(id: String, body: String) async throws(ForgeError) {
        _ = try await transport.send("PUT", "\(notes)/\(id)", body: ["body": body])
    }
}
