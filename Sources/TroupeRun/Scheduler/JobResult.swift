/// What a finished job hands to the jobs that need it.
enum JobResult: Sendable, Equatable {
    /// A file in the result cache (a prepared clip, a render, a post-step's output).
    case file(sha256: String)
    /// A medium in the upload store under its digest; its URL is presigned when used, so it
    /// is fresh however long ago the upload was.
    case uploaded(sha256: String)
    /// An element made at the provider.
    case element(id: Int64)
    /// A cache object linked or copied under out/.
    case exported(sha256: String)

    /// The digest of the file it stands for, if it is one.
    var sha256: String? {
        switch self {
        case .file(let sha), .uploaded(let sha), .exported(let sha): sha
        case .element: nil
        }
    }

    var elementID: Int64? {
        if case .element(let id) = self { return id }
        return nil
    }
}
