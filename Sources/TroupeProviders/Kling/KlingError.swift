public import TroupeNet

/// Every way a Kling call can fail, each saying what to do. Codes are Kling's business codes.
public enum KlingError: Error, Sendable, Equatable {
    /// 1000–1004: the JWT was missing, invalid, not yet valid or expired.
    case authentication(code: Int, message: String)
    /// 1100 account exception, 1101 arrears.
    case account(code: Int, message: String)
    /// 1102: the resource pack is used up.
    case resourcePackExhausted(message: String)
    /// 1103: the key may not use this model or endpoint.
    case permissionDenied(message: String)
    /// 1200, 1201, 1202: the request was malformed; the message names the field.
    case invalidRequest(code: Int, message: String)
    /// 1203 or HTTP 404: no such task. For a query by external_task_id this means "safe to submit".
    case notFound(message: String)
    /// 1300 policy, 1301 content security: the provider refused the inputs.
    case contentRejected(code: Int, message: String)
    /// 1302: too many requests; retry after `retryAfter` or with backoff.
    case rateLimited(retryAfter: Duration?)
    /// 1303: more tasks in flight than the resource pack allows.
    case concurrencyLimit(retryAfter: Duration?)
    /// 1304: the caller's IP is not on the account's whitelist.
    case ipNotAllowed(message: String)
    /// 5000–5002 or HTTP 5xx: the provider failed; retry with backoff.
    case server(status: Int, code: Int, message: String)
    /// The task ended `failed`; the message is Kling's task_status_msg.
    case taskFailed(taskID: String, message: String)
    /// An answer troupe does not understand (not JSON, unknown code).
    case unexpectedResponse(status: Int, message: String)
    /// No answer: the network failed. See `HTTPError.neverSent` for whether the call may have taken effect.
    case transport(HTTPError)

    /// Worth trying the same call again later.
    public var isRetryable: Bool {
        switch self {
        case .rateLimited, .concurrencyLimit, .server: true
        case .transport: true
        default: false
        }
    }

    /// The provider's Retry-After, when it sent one.
    public var retryAfter: Duration? {
        switch self {
        case .rateLimited(let after), .concurrencyLimit(let after): after
        default: nil
        }
    }

    /// Kling clearly said the task does not exist.
    public var isNotFound: Bool {
        if case .notFound = self { return true }
        return false
    }

    /// Kling's business code, where the case has one.
    public var code: Int? {
        switch self {
        case .authentication(let code, _), .account(let code, _), .invalidRequest(let code, _),
             .contentRejected(let code, _), .server(_, let code, _): code
        case .resourcePackExhausted: 1102
        case .permissionDenied: 1103
        case .notFound: 1203
        case .rateLimited: 1302
        case .concurrencyLimit: 1303
        case .ipNotAllowed: 1304
        case .taskFailed, .unexpectedResponse, .transport: nil
        }
    }

    /// Errors no job can get past: the whole run should stop.
    public var stopsRun: Bool {
        switch self {
        case .authentication, .account, .resourcePackExhausted, .permissionDenied, .ipNotAllowed: true
        default: false
        }
    }

    /// Maps an error answer (HTTP status, business code, message) to a case.
    static func from(status: Int, code: Int?, message: String, retryAfter: Duration?) -> KlingError {
        switch code {
        case let code? where (1000...1004).contains(code): return .authentication(code: code, message: message)
        case 1100?, 1101?: return .account(code: code!, message: message)
        case 1102?: return .resourcePackExhausted(message: message)
        case 1103?: return .permissionDenied(message: message)
        case 1203?: return .notFound(message: message)
        case 1200?, 1201?, 1202?:
            // Kling does not document a not-found code for queries; a 400 saying so counts too.
            let lower = message.lowercased()
            if lower.contains("not exist") || lower.contains("not found") || lower.contains("no such") {
                return .notFound(message: message)
            }
            return .invalidRequest(code: code!, message: message)
        case 1300?, 1301?: return .contentRejected(code: code!, message: message)
        case 1302?: return .rateLimited(retryAfter: retryAfter)
        case 1303?: return .concurrencyLimit(retryAfter: retryAfter)
        case 1304?: return .ipNotAllowed(message: message)
        case let code? where (5000...5999).contains(code): return .server(status: status, code: code, message: message)
        default:
            if status == 404 { return .notFound(message: message) }
            if status == 429 { return .rateLimited(retryAfter: retryAfter) }
            if status >= 500 { return .server(status: status, code: code ?? 0, message: message) }
            if status == 401 { return .authentication(code: code ?? 1000, message: message) }
            return .unexpectedResponse(status: status, message: "code \(code.map(String.init) ?? "none"): \(message)")
        }
    }
}

extension KlingError: CustomStringConvertible {
    public var description: String {
        switch self {
        case .authentication(let code, let message):
            "Kling rejected the credentials (\(code): \(message)). Check KLING_ACCESS_KEY and KLING_SECRET_KEY, and the system clock."
        case .account(let code, let message):
            "The Kling account cannot be used (\(code): \(message)). Check the account status and billing in the Kling console."
        case .resourcePackExhausted(let message):
            "The Kling resource pack is used up (1102: \(message)). Buy more units, then run again; finished jobs are kept."
        case .permissionDenied(let message):
            "This Kling key may not use this model or endpoint (1103: \(message)). Check the key's permissions."
        case .invalidRequest(let code, let message):
            "Kling refused the request as invalid (\(code): \(message))."
        case .notFound(let message):
            "Kling has no such task (\(message))."
        case .contentRejected(let code, let message):
            "Kling rejected the content (\(code): \(message)). Change the image, clip or prompt."
        case .rateLimited(let after):
            "Kling rate limit hit (1302); retrying\(after.map { " after \($0)" } ?? " with backoff")."
        case .concurrencyLimit(let after):
            "Kling concurrency limit of the resource pack reached (1303); waiting for running tasks\(after.map { " (retry after \($0))" } ?? "")."
        case .server(let status, let code, let message):
            "Kling server error (HTTP \(status), \(code): \(message)); retrying."
        case .taskFailed(let taskID, let message):
            "Kling task \(taskID) failed: \(message)"
        case .ipNotAllowed(let message):
            "Kling refused this machine's IP address (1304: \(message)). Add it to the account's IP whitelist."
        case .unexpectedResponse(let status, let message):
            "Unexpected answer from Kling (HTTP \(status)): \(message)"
        case .transport(let error):
            "Could not reach Kling: \(error)"
        }
    }
}
