public import TroupePlan

/// The plan's export jobs by what they export: a cell (`…/renders/<character>/<clip>.mp4`,
/// whatever folder the plan exports to) or a post-step (by its job index). Cells are found
/// through their exports because one render job may serve several cells.
public struct ExportIndex: Sendable {
    /// `character/clip` → export job index.
    public var cell: [String: Int] = [:]
    /// Post job index → export job index.
    public var post: [Int: Int] = [:]
    /// The folder exports go to, relative to the manifest's folder (`out` unless the plan says).
    public var folder = "out"

    public init(_ plan: Plan) {
        var folderFound = false
        for (j, job) in plan.jobs.enumerated() {
            guard case .export(let path) = job.subject, let dep = job.deps.first else { continue }
            switch plan.jobs[dep].kind {
            case .render:
                // Names are [a-z0-9-]: the last two parts are the cell, before them `renders`.
                let parts = path.split(separator: "/")
                guard parts.count >= 3, parts[parts.count - 3] == "renders", path.hasSuffix(".mp4") else { continue }
                cell[parts[parts.count - 2] + "/" + parts[parts.count - 1].dropLast(4)] = j
                if !folderFound {
                    folder = parts.dropLast(3).joined(separator: "/")
                    folderFound = true
                }
            case .post:
                post[dep] = j
                if !folderFound { folder = path.split(separator: "/").dropLast().joined(separator: "/") }
            default:
                continue
            }
        }
    }
}
