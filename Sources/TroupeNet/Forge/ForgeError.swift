/// Why a comment could not be read or written. Messages name the environment variable to fix
/// and never the token itself.
public enum ForgeError: Error, Sendable, Equatable, CustomStringConvertible {
    /// A variable the CI sets (or the user must) is missing or unusable.
    case environment(variable: String, problem: String, fix: String)
    /// 401: the token is wrong or expired.
    case tokenRejected(variable: String, fix: String)
    /// 403: the token may not do this.
    case forbidden(variable: String, fix: String)
    /// 404: the project, pull request or comment does not exist, or the token cannot see it.
    case notFound(what: String, fix: String)
    /// Any other answer.
    case status(Int, request: String, message: String)
    /// No answer at all.
    case transport(String)
    /// An answer that is not what the API documents.
    case unexpected(String)

    public var description: String {
        switch self {
        case .environment(let variable, let problem, let fix): "\(variable) \(problem); \(fix)"
        case .tokenRejected(let variable, let fix): "the token in \(variable) was rejected (HTTP 401); \(fix)"
        case .forbidden(let variable, let fix): "the token in \(variable) may not comment here (HTTP 403); \(fix)"
        case .notFound(let what, let fix): "\(what) was not found (HTTP 404); \(fix)"
        case .status(let code, let request, let message): "\(request) answered HTTP \(code)\(message.isEmpty ? "" : ": \(message)")"
        case .transport(let message): message
        case .unexpected(let message): "unexpected answer: \(message)"
        }
    }
}
