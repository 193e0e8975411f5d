/// A provider's answer, reduced to what decides a paid job's next step.
public enum ProviderReply: Sendable, Equatable {
    /// Create accepted the task. `handle`: what to follow it by when the id is not enough
    /// (fal's URLs, as JSON), kept with the job's row.
    case accepted(taskID: String, handle: String? = nil)
    /// A query or poll found the task.
    case task(taskID: String, status: RemoteStatus)
    /// A query by external id found nothing: the create never reached the provider.
    case notFound
    /// Create refused because the external id exists: the earlier create did reach it.
    case duplicate
    /// 1302, 1303 or 5xx: try again later (`concurrency` for 1303).
    case retryable(after: Double?, concurrency: Bool)
    /// The request may or may not have arrived (timeout, dropped connection after sending).
    case ambiguous(String)
    /// Asked after an ambiguous create, a provider without idempotency keys (fal) cannot say
    /// whether it arrived: the job is in doubt, and is not sent again unless the user says so.
    case unknown(String)
    /// The provider refused this job (1103, 1200, 1201, 1300, 1301): fail it with its words
    /// (and its business code, when it gave one).
    case rejected(String, code: Int? = nil)
    /// The account cannot go on (auth 1000–1004, 1100–1102): stop the whole run.
    case fatal(String, code: Int? = nil)
}

public enum RemoteStatus: Sendable, Equatable {
    case queued, processing
    /// `url` is the result to download; for an element task it is the element id. `units` is
    /// what the provider deducted (final_unit_deduction), `seconds` the result's length.
    case succeeded(url: String, units: Double? = nil, seconds: Double? = nil)
    case failed(String)

    public var isFinished: Bool {
        switch self {
        case .queued, .processing: false
        case .succeeded, .failed: true
        }
    }
}
