import Foundation

/// One task the simulator holds: motion-control render or element (fal requests: SimFalRequest).
struct SimTask {
    enum Kind { case video, element }
    enum Status: String { case submitted, processing, succeed, failed }

    let id: String
    let kind: Kind
    let account: String
    let externalID: String?
    let request: SimCreateRequest?
    let elementName: String
    let createdAtMs: Int64
    /// Real seconds since the simulator started.
    let processingAt: Double
    let finishAt: Double
    let failure: String?

    var rendered: RenderedResult?
    var renderFailure: String?
    var status: Status = .submitted
    var updatedAtMs: Int64
    var units = 0.0
    /// Epoch seconds after which the result URL answers 410.
    var expiresAt = 0.0
    var elementID: Int64?

    var isFinished: Bool { status == .succeed || status == .failed }

    var statusMessage: String {
        switch status {
        case .failed: failure ?? renderFailure ?? "task failed"
        default: ""
        }
    }
}

/// Counters `/_sim/stats` reports.
public struct SimStats: Sendable, Equatable {
    /// Motion-control creates accepted (tasks made).
    public var creates = 0
    /// Create requests carrying each external_task_id that passed auth, rate limit and fault
    /// injection and body validation, including ones then rejected as duplicates or by the
    /// concurrency limit (1303): the number of times a client tried that id.
    public var createsByExternalID: [String: Int] = [:]
    public var duplicateRejections = 0
    public var peakConcurrency = 0
    public var unitsCharged = 0.0
    public var tasks: [String: Int] = [:]
    public var requests = 0
    /// Rejections by Kling business code (1302, 1303, 5000, ...).
    public var rejections: [String: Int] = [:]
    /// Result downloads served, per task id.
    public var resultFetches: [String: Int] = [:]
    /// When the first and the latest accepted create came (Unix seconds, real time): where
    /// a run's makespan went, for benchmarks.
    public var firstCreateAt: Double?
    public var lastCreateAt: Double?
    /// fal submits accepted (queued), whatever became of them.
    public var falSubmissions = 0
    /// Accepted fal submits per input key (`SimFalInputKey`): a count above 1 is the same
    /// input submitted again.
    public var falSubmissionsByInput: [String: Int] = [:]
    public var falDollarsCharged = 0.0
    /// Most fal requests IN_PROGRESS at once for one key.
    public var falPeakInProgress = 0
    public var falRequests: [SimFalRequestSummary] = []

    var json: [String: Any] {
        ["creates": creates, "creates_by_external_id": createsByExternalID, "duplicate_rejections": duplicateRejections,
         "peak_concurrency": peakConcurrency, "units_charged": unitsCharged, "tasks": tasks, "requests": requests,
         "rejections": rejections, "result_fetches": resultFetches,
         "first_create_at": firstCreateAt ?? NSNull(), "last_create_at": lastCreateAt ?? NSNull(),
         "fal_submissions": falSubmissions, "fal_submissions_by_input": falSubmissionsByInput,
         "fal_dollars_charged": falDollarsCharged, "fal_peak_in_progress": falPeakInProgress,
         "fal_requests": falRequests.map(\.json)]
    }
}
