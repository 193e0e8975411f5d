import Foundation
import TroupeSupport

/// `troupe status --timeline --json` (schemas/timeline.schema.json): the same figures the
/// report's timeline shows, a job to a line. Times of jobs are seconds from the run's start.
extension RunTimeline {
    /// The document for `campaign`; `timeline` nil (no run recorded yet) gives `"run": null`
    /// and no jobs.
    public static func json(campaign: String, _ timeline: RunTimeline?) -> String {
        var out = "{\n  \"format\": 1,\n  \"campaign\": \(JSONString.quote(campaign)),\n"
        guard let t = timeline else {
            return out + "  \"run\": null,\n  \"totals\": \(phases(Array(repeating: 0, count: TimelinePhase.allCases.count))),\n  \"jobs\": [],\n  \"slowest\": []\n}\n"
        }
        out += "  \"run\": {\"start\": \(JSONString.quote(UTCStamp.iso(t.start))), \"end\": \(JSONString.quote(UTCStamp.iso(t.end))), "
        out += "\"seconds\": \(milliseconds(t.length)), \"jobs\": \(t.jobs.count)},\n"
        out += "  \"totals\": \(phases(t.totals)),\n"
        out += "  \"jobs\": [" + lines(t.jobs) + "],\n"
        out += "  \"slowest\": [" + lines(t.slowest()) + "]\n}\n"
        return out
    }

    private static func lines(_ jobs: [JobTimeline]) -> String {
        guard !jobs.isEmpty else { return "" }
        return "\n" + jobs.map { "    " + object($0) }.joined(separator: ",\n") + "\n  "
    }

    private static func object(_ j: JobTimeline) -> String {
        "{\"id\": \(JSONString.quote(j.id)), \"kind\": \(JSONString.quote(j.kind.rawValue)), \"outcome\": \(JSONString.quote(j.outcome)), "
            + "\"start\": \(milliseconds(j.start)), \"end\": \(milliseconds(j.end)), \"seconds\": \(milliseconds(j.span)), "
            + "\"phases\": \(phases(j.phases))}"
    }

    private static func phases(_ seconds: [Double]) -> String {
        "{" + zip(TimelinePhase.allCases, seconds).map { "\"\($0.0.rawValue)\": \(milliseconds($0.1))" }.joined(separator: ", ") + "}"
    }
}
