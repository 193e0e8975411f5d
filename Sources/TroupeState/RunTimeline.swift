public import Foundation
public import TroupePlan

/// Where a job's time went, phase by phase. The phases of one job are consecutive: their
/// seconds add up to the job's span in the run.
public enum TimelinePhase: String, Sendable, CaseIterable {
    /// Ready to start but waiting: for a lane of the scheduler, an account slot (the
    /// concurrency gate, across runners with shared state), a create token, or a job held by
    /// another runner.
    case slot
    /// At the provider: from the create sent (or the query of a task found in flight) until the
    /// provider says the task finished, polling included; a preview render itself.
    case provider
    /// Moving bytes: a result downloaded into the cache (a preview's result ingested into it),
    /// a shared-cache pull, an upload job.
    case download
    /// Local work: prepare, post-steps (trim, concat, deliverables, stills), exports.
    case post
}

/// One job's bar on the last run's timeline.
public struct JobTimeline: Sendable, Equatable {
    public var id: String
    public var kind: JobKind
    /// How the job ended in that run: `done`, `failed`, `stopped` (the run stopped first),
    /// `refused` (budget, account or `--locked`).
    public var outcome: String
    /// Seconds from the run's start to the job's: when it became ready (its dependencies done).
    public var start: Double
    public var end: Double
    /// Seconds per phase, in `TimelinePhase.allCases` order.
    public var phases: [Double]

    public init(id: String, kind: JobKind, outcome: String, start: Double, end: Double, phases: [Double]) {
        self.id = id
        self.kind = kind
        self.outcome = outcome
        self.start = start
        self.end = end
        self.phases = phases
    }

    public var span: Double { end - start }
    public func seconds(_ phase: TimelinePhase) -> Double {
        phases[TimelinePhase.allCases.firstIndex(of: phase)!]
    }
}

/// The last run of a campaign as a timeline: when it started and ended, and a bar per job it
/// ran. The executor records it and the state store keeps the last one per campaign; the
/// report and `troupe status --timeline` show it.
public struct RunTimeline: Sendable, Equatable {
    /// The manifest's file name, as the run's team knows the campaign.
    public var campaign: String
    public var start: Date
    public var end: Date
    /// By start, then end, then id (a waterfall).
    public var jobs: [JobTimeline]

    public init(campaign: String, start: Date, end: Date, jobs: [JobTimeline]) {
        self.campaign = campaign
        self.start = start
        self.end = end
        self.jobs = jobs
    }

    /// The run's wall length in seconds (on the run's clock).
    public var length: Double { end.timeIntervalSince(start) }

    /// The `n` jobs that took longest, longest first.
    public func slowest(_ n: Int = 10) -> [JobTimeline] {
        Array(jobs.sorted { $0.span != $1.span ? $0.span > $1.span : $0.id < $1.id }.prefix(n))
    }

    /// Seconds per phase summed over every job, in `TimelinePhase.allCases` order.
    public var totals: [Double] {
        jobs.reduce(into: Array(repeating: 0.0, count: TimelinePhase.allCases.count)) { sums, job in
            for i in sums.indices { sums[i] += job.phases[i] }
        }
    }
}

extension TimelinePhase {
    /// The phase in words, for the report's legend and `troupe status --timeline`.
    public var label: String {
        switch self {
        case .slot: "waiting for a slot"
        case .provider: "at the provider"
        case .download: "downloading"
        case .post: "post-steps"
        }
    }
}
