/// A comment already on a pull request or merge request.
public struct PostedComment: Sendable, Equatable {
    public var id: String
    public var body: String

    public init(id: String, body: String) {
        self.id = id
        self.body = body
    }
}

/// The comments of one pull request (GitHub) or merge request (GitLab): list, add, edit.
public protocol ReviewComments: Sendable {
    /// What the comments are on, for messages: `pull request #12 of acme/campaign`.
    var thread: String { get }
    /// Every comment, all pages, oldest first.
    func list() async throws(ForgeError) -> [PostedComment]
    func create(body: String) async throws(ForgeError)
    func update(id: String, body: String) async throws(ForgeError)
}

/// What `StickyComment.post` did.
public enum StickyOutcome: Sendable, Equatable {
    case created
    case updated(id: String)
    /// The comment already says exactly this.
    case unchanged(id: String)
}

/// One comment per pull request and campaign, edited in place on every later run: found again
/// by a hidden marker at its top, so reviewers see the latest figures in one place.
public enum StickyComment {
    /// `<!-- troupe-plan-diff: campaign.yaml -->`: the manifest's path keeps two campaigns of one
    /// repository in two comments.
    public static func marker(manifest: String) -> String {
        var path = manifest
        while path.hasPrefix("./") { path.removeFirst(2) }
        return "<!-- troupe-plan-diff: \(path.replacingOccurrences(of: "--", with: "- -")) -->"
    }

    /// Edits the oldest comment carrying `marker`, or adds one.
    public static func post(_ markdown: String, marker: String, to comments: any ReviewComments) async throws(ForgeError) -> StickyOutcome {
        let body = marker + "\n" + markdown
        guard let mine = try await comments.list().first(where: { $0.body.contains(marker) }) else {
            try await comments.create(body: body)
            return .created
        }
        if mine.body == body { return .unchanged(id: mine.id) }
        try await comments.update(id: mine.id, body: body)
        return .updated(id: mine.id)
    }
}
