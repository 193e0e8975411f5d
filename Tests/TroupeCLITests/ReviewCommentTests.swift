import Foundation
import Testing
import TroupeTestSupport

/// `troupe plan --diff REF --comment github|gitlab` against a local fake of the forges' REST
/// endpoints, in real git repositories: one comment per campaign, edited in place.
@Suite(.serialized) struct ReviewCommentTests {
    static let token = "ghp_TOKENthatMustNeverBePrinted0123456789"
    typealias Repo = CIRecipeTests.Repo

    /// main: a 2 × 2 campaign; the branch `change` checked out.
    func campaign(_ name: String) throws -> Repo {
        let repo = try Repo(name)
        try repo.git(["init", "-q", "-b", "main"])
        try repo.write("troupe.yaml", RemoteManifest.text(characters: 2, clips: 2))
        try repo.commitAll("campaign")
        try repo.git(["checkout", "-q", "-b", "change"])
        return repo
    }

    /// The branch's manifest: `characters` characters and a prompt of its own, so each push
    /// gives a different diff.
    func push(_ repo: Repo, characters: Int, file: String = "troupe.yaml") throws {
        try repo.write(file, RemoteManifest.text(characters: characters, clips: 2)
            .replacingOccurrences(of: "prompt: \"sim\"", with: "prompt: \"sim, take \(characters)\""))
        try repo.commitAll("push \(characters)")
    }

    func githubEnvironment(_ fake: ForgeFake, _ repo: Repo, token: String = Self.token) throws -> [String: String] {
        try repo.write(".event.json", "{\"action\": \"synchronize\", \"pull_request\": {\"number\": 7}}")
        return ["GITHUB_TOKEN": token, "GITHUB_REPOSITORY": "acme/campaign", "GITHUB_API_URL": fake.baseURL,
                "GITHUB_EVENT_PATH": repo.dir.appendingPathComponent(".event.json").path]
    }

    func gitlabEnvironment(_ fake: ForgeFake, token: String = Self.token) -> [String: String] {
        ["GITLAB_TOKEN": token, "CI_API_V4_URL": fake.baseURL, "CI_PROJECT_ID": "42", "CI_MERGE_REQUEST_IID": "3"]
    }

    func expectNoToken(_ r: (status: Int32, stdout: String, stderr: String), _ token: String = Self.token) {
        #expect(!r.stdout.contains(token) && !r.stderr.contains(token), "the token was printed")
    }

    @Test func oneGitHubCommentAfterThreePushes() async throws {
        let fake = try await ForgeFake.start(token: Self.token)
        defer { Task { await fake.stop() } }
        let thread = "github:acme/campaign#7"
        // Others spoke first: troupe's comment is on the second page of two.
        await fake.seed(thread, ["first!", "LGTM once the cost is known"])
        let repo = try campaign("gh-comment")
        defer { try? FileManager.default.removeItem(at: repo.dir) }
        let env = try githubEnvironment(fake, repo)

        for (push, characters) in [2, 3, 4].enumerated() {
            try self.push(repo, characters: characters)
            let r = try await troupeAsync(["plan", "--diff", "main", "--comment", "github"], in: repo.dir, environment: env)
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stdout.hasPrefix("cost diff: "), "the diff is still printed: \(r.stdout)")
            #expect(r.stderr.contains(push == 0 ? "commented the cost diff on pull request #7 of acme/campaign"
                                                : "updated the cost diff comment 1003 on pull request #7 of acme/campaign"), "\(r.stderr)")
            expectNoToken(r)
        }
        let comments = await fake.comments(thread)
        #expect(comments.count == 3)
        let mine = try #require(comments.last)
        #expect(mine.hasPrefix("<!-- troupe-plan-diff: troupe.yaml -->\n**troupe cost diff**: 18 → 36 units"), "\(mine)")
        let calls = await fake.calls()
        #expect(calls.filter { $0.method == "POST" }.count == 1)
        #expect(calls.filter { $0.method == "PATCH" }.map(\.path) == ["/repos/acme/campaign/issues/comments/1003", "/repos/acme/campaign/issues/comments/1003"])
        #expect(calls.filter { $0.method == "GET" }.count == 5, "page 1 of 1, then pages 1 and 2 twice")

        // The same run again: the comment already says it.
        let again = try await troupeAsync(["plan", "--diff", "main", "--comment", "github"], in: repo.dir, environment: env)
        #expect(again.stderr.contains("the cost diff comment 1003 on pull request #7 of acme/campaign is up to date"), "\(again.stderr)")

        // A second campaign in the repository keeps a comment of its own.
        try push(repo, characters: 3, file: "other.yaml")
        let other = try await troupeAsync(["plan", "other.yaml", "--diff", "main", "--comment", "github"], in: repo.dir, environment: env)
        #expect(other.status == 0, "\(other.stderr)")
        let after = await fake.comments(thread)
        #expect(after.count == 4 && after[3].hasPrefix("<!-- troupe-plan-diff: other.yaml -->\n"), "\(after)")
        #expect(after[2] == mine)
    }

    @Test func commentIfChangedIsSilentWhenNoCellChanged() async throws {
        let fake = try await ForgeFake.start(token: Self.token)
        defer { Task { await fake.stop() } }
        let repo = try campaign("gh-silent")
        defer { try? FileManager.default.removeItem(at: repo.dir) }
        // Only a comment line changes: every cell keeps its key.
        try repo.write("troupe.yaml", RemoteManifest.text(characters: 2, clips: 2) + "# reviewed\n")
        try repo.commitAll("comment only")
        let r = try await troupeAsync(["plan", "--diff", "main", "--comment", "github", "--comment-if-changed"],
                                      in: repo.dir, environment: try githubEnvironment(fake, repo))
        #expect(r.status == 0, "\(r.stderr)")
        #expect(r.stderr.contains("--comment-if-changed: no cell changed against main; nothing posted"), "\(r.stderr)")
        #expect(await fake.calls().isEmpty, "no request at all")
        #expect(await fake.comments("github:acme/campaign#7").isEmpty)
    }

    @Test func oneGitLabNoteAfterThreePushes() async throws {
        let fake = try await ForgeFake.start(token: Self.token)
        defer { Task { await fake.stop() } }
        let thread = "gitlab:42!3"
        await fake.seed(thread, ["added 1 commit", "please check the cost", "ok"])
        let repo = try campaign("gl-note")
        defer { try? FileManager.default.removeItem(at: repo.dir) }
        for characters in [2, 3, 4] {
            try push(repo, characters: characters)
            let r = try await troupeAsync(["plan", "--diff", "main", "--comment", "gitlab", "--comment-if-changed"],
                                          in: repo.dir, environment: gitlabEnvironment(fake))
            #expect(r.status == 0, "\(r.stderr)")
            #expect(r.stderr.contains("merge request !3 of project 42"), "\(r.stderr)")
            expectNoToken(r)
        }
        let notes = await fake.comments(thread)
        #expect(notes.count == 4)
        #expect(notes[3].hasPrefix("<!-- troupe-plan-diff: troupe.yaml -->\n**troupe cost diff**: 18 → 36 units"), "\(notes[3])")
        let calls = await fake.calls()
        #expect(calls.filter { $0.method == "POST" }.count == 1 && calls.filter { $0.method == "PUT" }.count == 2)

        // Back to what main has: nothing changed, nothing posted, the note stays as it was.
        try repo.write("troupe.yaml", RemoteManifest.text(characters: 2, clips: 2))
        let silent = try await troupeAsync(["plan", "--diff", "main", "--comment", "gitlab", "--comment-if-changed"],
                                           in: repo.dir, environment: gitlabEnvironment(fake))
        #expect(silent.status == 0 && silent.stderr.contains("nothing posted"), "\(silent.stderr)")
        #expect(await fake.calls().count == calls.count)
    }

    /// A missing variable or a rejected token: exit 2, the variable named with what to do, the
    /// token never shown.
    @Test func missingVariablesAndRejectedTokensSayWhatToFix() async throws {
        let fake = try await ForgeFake.start(token: Self.token)
        defer { Task { await fake.stop() } }
        let repo = try campaign("forge-errors")
        defer { try? FileManager.default.removeItem(at: repo.dir) }
        try push(repo, characters: 3)
        let github = try githubEnvironment(fake, repo)
        let cases: [([String: String], String)] = [
            (github.merging(["GITHUB_TOKEN": ""]) { $1 }, "GITHUB_TOKEN is not set; pass the job's token"),
            (github.merging(["GITHUB_EVENT_PATH": ""]) { $1 }, "GITHUB_EVENT_PATH is not set"),
            (github.merging(["GITHUB_API_URL": "http://example.com/api"]) { $1 }, "GITHUB_API_URL is 'http://example.com/api', not an https URL"),
            (gitlabEnvironment(fake).merging(["CI_MERGE_REQUEST_IID": ""]) { $1 }, "CI_MERGE_REQUEST_IID is not set; GitLab sets it only in merge request pipelines"),
        ]
        for (env, message) in cases {
            let forge = env["GITLAB_TOKEN"] == nil ? "github" : "gitlab"
            let r = try await troupeAsync(["plan", "--diff", "main", "--comment", forge], in: repo.dir, environment: env)
            #expect(r.status == 2 && r.stderr.contains(message), "\(r.stderr)")
        }
        let wrong = "ghp_WRONGtokenAlsoNeverPrinted987654321"
        let rejected = try await troupeAsync(["plan", "--diff", "main", "--comment", "github"], in: repo.dir,
                                             environment: try githubEnvironment(fake, repo, token: wrong))
        #expect(rejected.status == 2 && rejected.stderr.contains("the token in GITHUB_TOKEN was rejected (HTTP 401)"), "\(rejected.stderr)")
        expectNoToken(rejected, wrong)
        let gitlab = try await troupeAsync(["plan", "--diff", "main", "--comment", "gitlab"], in: repo.dir,
                                           environment: gitlabEnvironment(fake, token: wrong))
        #expect(gitlab.status == 2 && gitlab.stderr.contains("the token in GITLAB_TOKEN was rejected (HTTP 401)"), "\(gitlab.stderr)")
        expectNoToken(gitlab, wrong)
        let usage = try await troupeAsync(["plan", "--comment", "github"], in: repo.dir)
        #expect(usage.status == 64 && usage.stderr.contains("add --diff REF"), "\(usage.stderr)")
    }
}

extension ReviewCommentTests {
    /// docs/ci.md's comment recipes, as written, in a shallow clone of a pull request's branch:
    /// two pushes, one comment (GitHub) and one note (GitLab).
    @Test func theDocumentedCommentRecipesRun() async throws {
        let fake = try await ForgeFake.start(token: Self.token)
        defer { Task { await fake.stop() } }
        let origin = try Repo("comment-origin")
        defer { try? FileManager.default.removeItem(at: origin.dir) }
        try origin.git(["init", "-q", "-b", "main"])
        try origin.write("troupe.yaml", RemoteManifest.text(characters: 2, clips: 2))
        try origin.commitAll("campaign")
        let pr = try Repo("comment-pr")
        defer { try? FileManager.default.removeItem(at: pr.dir) }
        try FileManager.default.removeItem(at: pr.dir)
        let (cloned, _, cloneErr) = try CIRecipeTests.shell(["git", "clone", "-q", "--depth=1", "file://" + origin.dir.path, pr.dir.path], in: origin.dir)
        #expect(cloned == 0, "\(cloneErr)")
        try pr.git(["checkout", "-q", "-b", "more"])
        let recipes = CIRecipeTests()
        let common = ["BASE_BRANCH": "main", "MANIFEST": "troupe.yaml"]
        for characters in [3, 4] {
            try push(pr, characters: characters)
            let github = try githubEnvironment(fake, pr).merging(common) { $1 }
            let (status, out, err) = try await offPool { try recipes.runRecipe("pull-request-comment", in: pr.dir, environment: github) }
            #expect(status == 0 && out.hasPrefix("cost diff: "), "\(err)")
            #expect(!out.contains(Self.token) && !err.contains(Self.token))
            let gitlab = gitlabEnvironment(fake).merging(common) { $1 }
            let (glStatus, _, glErr) = try await offPool { try recipes.runRecipe("merge-request-comment", in: pr.dir, environment: gitlab) }
            #expect(glStatus == 0, "\(glErr)")
        }
        for thread in ["github:acme/campaign#7", "gitlab:42!3"] {
            let comments = await fake.comments(thread)
            #expect(comments.count == 1, "\(thread): \(comments.count) comments")
            #expect(comments.first?.contains("**troupe cost diff**: 18 → 36 units") == true, "\(comments)")
        }
    }
}
