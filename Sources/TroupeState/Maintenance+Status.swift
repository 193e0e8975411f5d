import Foundation
public import TroupeCache
public import TroupePlan

/// `troupe status`: what the state store knows about a plan's jobs.
extension Maintenance {
    public struct Status: Sendable {
        public var byState: [JobState: Int] = [:]
        public var inFlight: [JobRecord] = []
        public var failed: [JobRecord] = []
        /// Paid jobs whose submit may have been queued though its answer was lost (fal).
        public var inDoubt: [JobRecord] = []
        /// Charged for this plan's jobs, re-rolled tasks included.
        public var unitsSpent = 0.0
        /// Charged for every job the state store knows, of any manifest or version.
        public var unitsSpentInStore = 0.0
        public var planned = 0
        public var unknown = 0
    }

    /// What the store knows about the jobs of a plan.
    public static func status(of plan: Plan, store: any StateStoring) async throws -> Status {
        var s = Status()
        let records = try await store.records(keys: plan.jobs.map(\.key))
        s.planned = plan.jobs.count
        s.unitsSpentInStore = try await store.records().reduce(0) { $0 + ($1.unitsCharged ?? 0) + $1.unitsRerolled }
        for job in plan.jobs {
            guard let r = records[job.key] else {
                s.unknown += 1
                continue
            }
            s.byState[r.state, default: 0] += 1
            s.unitsSpent += (r.unitsCharged ?? 0) + r.unitsRerolled
            if r.state == .submitting || r.state == .submitted || r.state == .succeeded { s.inFlight.append(r) }
            if r.state == .failed || r.state == .stalled { s.failed.append(r) }
            if r.state == .inDoubt { s.inDoubt.append(r) }
        }
        return s
    }
}
