import ArgumentParser
import Foundation
import TroupeNet
import TroupePlan

/// Where `plan --diff --comment` posts: a GitHub pull request or a GitLab merge request.
enum ReviewForge: String, ExpressibleByArgument, CaseIterable {
    case github, gitlab
}

/// `troupe plan --diff REF --comment github|gitlab`: the Markdown cost diff as one comment on the
/// pull request, edited in place on every later push (found by a marker naming the manifest).
enum CommentOnReview {
    /// Posts or edits the comment and says so on stderr; a missing variable, a rejected token or
    /// an unreachable API is an error naming what to fix (exit 2), as with missing credentials.
    static func post(_ diff: PlanDiff, manifest: String, forge: ReviewForge, onlyIfChanged: Bool,
                     environment: [String: String] = ProcessInfo.processInfo.environment) async throws {
        let err = FileHandle.standardError
        if onlyIfChanged && diff.cells.isEmpty {
            err.write(Data("--comment-if-changed: no cell changed against \(diff.ref); nothing posted\n".utf8))
            return
        }
        let http = HTTPClient(configuration: .init(connectTimeout: .seconds(10), timeout: .seconds(30)))
        do {
            let comments: any ReviewComments = switch forge {
            case .github: try GitHubComments.fromEnvironment(environment, http: http)
            case .gitlab: try GitLabNotes.fromEnvironment(environment, http: http)
            }
            switch try await StickyComment.post(diff.markdown(), marker: StickyComment.marker(manifest: manifest), to: comments) {
            case .created: err.write(Data("commented the cost diff on \(comments.thread)\n".utf8))
            case .updated(let id): err.write(Data("updated the cost diff comment \(id) on \(comments.thread)\n".utf8))
            case .unchanged(let id): err.write(Data("the cost diff comment \(id) on \(comments.thread) is up to date\n".utf8))
            }
        } catch {
            err.write(Data("error: --comment \(forge.rawValue): \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
