import Foundation
public import TroupeState

/// The last run's timeline of each campaign, one row each (RunTimeline+Stored): the runner
/// whose run ends last writes it, in one statement.
extension PostgresStateStore {
    public func saveTimeline(_ timeline: RunTimeline) async throws {
        try await db.query("""
            INSERT INTO troupe_timeline (campaign, started_at, ended_at, jobs, runner) VALUES ($1, $2, $3, $4, $5)
            ON CONFLICT (campaign) DO UPDATE SET started_at = excluded.started_at, ended_at = excluded.ended_at,
                jobs = excluded.jobs, runner = excluded.runner
            """, [.text(timeline.campaign), .double(timeline.start.timeIntervalSince1970), .double(timeline.end.timeIntervalSince1970),
                  .text(timeline.storedJobs), .text(runnerID)], doing: "saving the run's timeline")
    }

    public func lastTimeline(campaign: String) async throws -> RunTimeline? {
        let rows = try await db.query("SELECT started_at, ended_at, jobs FROM troupe_timeline WHERE campaign = $1",
                                      [.text(campaign)], doing: "reading the last run's timeline")
        guard let row = rows.first, let start = try row.value("started_at", as: Double.self),
              let end = try row.value("ended_at", as: Double.self), let jobs = try row.value("jobs", as: String.self) else { return nil }
        return try RunTimeline(campaign: campaign, start: Date(timeIntervalSince1970: start), end: Date(timeIntervalSince1970: end),
                               storedJobs: jobs)
    }
}
