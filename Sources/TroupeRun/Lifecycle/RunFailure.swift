/// Why a paid job failed, with the provider's code and words where it gave them. The
/// description is what users read (the summary, `troupe status`, the record's last error).
public enum RunFailure: Error, Sendable, Equatable, CustomStringConvertible {
    /// The provider refused the job (1103, 1200, 1201, 1300, 1301): fail it with its words.
    case rejected(code: Int?, message: String)
    /// The provider's task ended `failed`; `message` is its task_status_msg.
    case taskFailed(taskID: String?, message: String)
    /// The account cannot go on (auth 1000–1004, 1100–1102): the whole run stops.
    case fatal(code: Int?, message: String)
    /// The task did not finish within the poll deadline (seconds); it is never resubmitted.
    case stalled(taskID: String, deadline: Int)
    /// The result's URL kept failing to download; the task is done and paid, a later run
    /// downloads it.
    case downloadFailed(attempts: Int, reason: String)
    /// The result URL expired each time the task was asked for a fresh one; `madeDaysAgo`
    /// when the lock says the result is older than the provider keeps results.
    case resultExpired(madeDaysAgo: Int? = nil)
    /// The provider answered with something that cannot be used (an element id that is no number,
    /// a finished task without a result).
    case unusableAnswer(String)
    /// A URL medium's content is not the one its manifest entry declares (`url` without its query).
    case digestMismatch(url: String, found: String, declared: String)
    /// The job failed or stalled in an earlier run; only a re-roll (`name`) pays for it again.
    case failedEarlier(reason: String, name: String)
    /// A create whose answer was lost at a provider without idempotency keys (fal), and no
    /// request found that matches it: it may have been queued and paid. Not sent again.
    case inDoubt(reason: String)
    /// The provider has the request but no longer its result (kept for a limited time): paid,
    /// and lost. Never submitted again by itself.
    case resultLost(requestID: String)

    public var description: String {
        switch self {
        case .rejected(_, let message), .taskFailed(_, let message), .fatal(_, let message): message
        case .stalled(let taskID, let deadline):
            "task \(taskID) has not finished after \(deadline) s; it is not resubmitted (check it at the provider, then re-roll if it is lost)"
        case .downloadFailed(let attempts, let reason):
            "downloading the result failed \(attempts) times (\(reason)); run again to retry"
        case .resultExpired(let days?):
            Self.expiredAtProvider(days: days) + ", or re-roll with --reroll to render it again"
        case .resultExpired(nil):
            "the result URL expired before it could be downloaded; re-roll with --reroll to render again"
        case .unusableAnswer(let message): message
        case .digestMismatch(let url, let found, let declared):
            "'\(url)' has sha256 \(found), but the manifest says \(declared); fix the manifest's sha256 or the file"
        case .failedEarlier(let reason, let name):
            "\(reason) — in an earlier run; `troupe run --reroll '\(name)'` tries again"
        case .inDoubt(let reason):
            "in doubt: the submit's answer was lost (\(reason)) and no matching request was found; it may have been queued and paid, so it is not sent again — `troupe run --retry-in-doubt` sends it again (it may be paid twice)"
        case .resultLost(let requestID):
            "paid, result lost: the provider no longer keeps the result of request \(requestID); it is not submitted again — re-roll with --reroll to render it again"
        }
    }

    /// Why a result the lock says was made `days` ago cannot be fetched, and where it may still be.
    static func expiredAtProvider(days: Int) -> String {
        "expired at the provider (made \(days) days ago); restore the file from the shared cache it was pushed to (troupe cache pull)"
    }

    public var isInDoubt: Bool {
        if case .inDoubt = self { return true }
        return false
    }

    /// The provider's business code, when it gave one.
    public var code: Int? {
        switch self {
        case .rejected(let code, _), .fatal(let code, _): code
        default: nil
        }
    }
}
