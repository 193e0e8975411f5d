import Foundation
import GRDB

/// The last run's timeline, one row per campaign (RunTimeline+Stored): written once as a run
/// ends, replacing the run before's.
extension StateStore {
    static func createTimelineTable(_ db: Database) throws {
        try db.execute(sql: """
            CREATE TABLE run_timeline (
                campaign TEXT NOT NULL PRIMARY KEY, started_at DOUBLE NOT NULL, ended_at DOUBLE NOT NULL, jobs TEXT NOT NULL
            )
            """)
    }

    public func saveTimeline(_ timeline: RunTimeline) throws {
        let jobs = timeline.storedJobs
        try pool.write { db in
            try db.execute(sql: "INSERT OR REPLACE INTO run_timeline (campaign, started_at, ended_at, jobs) VALUES (?, ?, ?, ?)",
                           arguments: [timeline.campaign, timeline.start.timeIntervalSince1970, timeline.end.timeIntervalSince1970, jobs])
        }
    }

    public func lastTimeline(campaign: String) throws -> RunTimeline? {
        let row = try pool.read { db in
            try Row.fetchOne(db, sql: "SELECT started_at, ended_at, jobs FROM run_timeline WHERE campaign = ?", arguments: [campaign])
        }
        guard let row else { return nil }
        return try RunTimeline(campaign: campaign, start: Date(timeIntervalSince1970: row[0]),
                               end: Date(timeIntervalSince1970: row[1]), storedJobs: row[2])
    }
}
