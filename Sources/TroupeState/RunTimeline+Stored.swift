public import Foundation
import TroupePlan
import TroupeSupport

/// A timeline as both stores keep it: one row per campaign, its jobs in one compact JSON
/// text. It is always written and read whole (a run's end writes it once; report and status
/// read it once), so one statement each way instead of a row per job.
extension RunTimeline {
    /// `[[id, kind, outcome, start, end, slot, provider, download, post], …]`, seconds to the
    /// millisecond.
    public var storedJobs: String {
        var out = "["
        out.reserveCapacity(jobs.count * 120)
        for (n, j) in jobs.enumerated() {
            if n > 0 { out += "," }
            out += "[" + JSONString.quote(j.id) + "," + JSONString.quote(j.kind.rawValue) + "," + JSONString.quote(j.outcome)
            for x in [j.start, j.end] + j.phases { out += "," + Self.milliseconds(x) }
            out += "]"
        }
        return out + "]"
    }

    /// Reads what `storedJobs` wrote; a job of a kind this troupe does not know is an error.
    public init(campaign: String, start: Date, end: Date, storedJobs: String) throws {
        guard let rows = try JSONSerialization.jsonObject(with: Data(storedJobs.utf8)) as? [[Any]] else {
            throw StoredTimelineUnreadable(campaign: campaign)
        }
        let phases = TimelinePhase.allCases.count
        let jobs = try rows.map { row -> JobTimeline in
            guard row.count == 5 + phases, let id = row[0] as? String, let kind = row[1] as? String, let outcome = row[2] as? String else {
                throw StoredTimelineUnreadable(campaign: campaign)
            }
            let numbers = try row[3...].map { v -> Double in
                guard let x = (v as? NSNumber)?.doubleValue else { throw StoredTimelineUnreadable(campaign: campaign) }
                return x
            }
            return JobTimeline(id: id, kind: try JobKind(column: kind), outcome: outcome, start: numbers[0], end: numbers[1],
                               phases: Array(numbers[2...]))
        }
        self.init(campaign: campaign, start: start, end: end, jobs: jobs)
    }

    static func milliseconds(_ x: Double) -> String { NumberText.shortest(x, roundedTo: 3) }
}

/// The stored timeline is not what this troupe writes (damaged, or a newer troupe's).
public struct StoredTimelineUnreadable: Error, CustomStringConvertible {
    public var campaign: String
    public var description: String {
        "the state store's timeline of \(campaign)'s last run cannot be read; the next `troupe run` writes a new one"
    }
}
