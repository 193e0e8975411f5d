import TroupeManifest
import TroupeSupport

/// `troupe plan --json`: the stable shape described by schemas/plan.schema.json.
/// Written by hand so key order is fixed and a million jobs stream out quickly.
public enum PlanJSON {
    /// `policies`: written only when the manifest (or --max-units) sets any, so the JSON of a
    /// plan without them is as it was.
    public static func render(_ plan: Plan, totals: Plan.Totals? = nil, manifestPath: String, policies: [PolicyCheck] = []) -> String {
        let t = totals ?? plan.totals
        let p = plan.provider
        var out = "{\"format\":1,\"manifest\":\(JSONString.quote(manifestPath)),\n"
        out += "\"provider\":{\"use\":\"\(p.use.rawValue)\",\"model\":\"\(p.model.rawValue)\",\"mode\":\"\(p.mode.rawValue)\","
        out += "\"region\":\"\(p.region.rawValue)\",\"unit\":\(JSONString.quote(plan.table.unit)),"
        out += "\"usd_per_unit\":\(plan.table.usdPerUnit.map(number) ?? "null")},\n"
        out += "\"totals\":{\"units\":\(number(t.units)),\"usd\":\(plan.usd(t.units).map(number) ?? "null"),"
        out += "\"kling_units\":\(number(t.klingUnits)),\"jobs\":\(t.jobs),\"paid_jobs\":\(t.paidJobs),\n"
        let statuses: [String] = JobStatus.allCases.map { s in
            let c = t.byStatus[s] ?? .init()
            return "\"\(s.rawValue)\":{\"jobs\":\(c.jobs),\"units\":\(number(c.units))}"
        }
        out += " \"by_status\":{" + statuses.joined(separator: ",") + "},\n"
        out += " \"by_kind\":{" + JobKind.allCases.map { "\"\($0.rawValue)\":\(t.byKind[$0] ?? 0)" }.joined(separator: ",") + "},\n"
        out += " \"by_model\":" + object(t.byModel.keys.sorted().map { ($0, t.byModel[$0]!) }) + ",\n"
        out += " \"by_character\":" + object(plan.manifest.characters.compactMap { c in t.byCharacter[c.name].map { (c.name, $0) } }) + ",\n"
        out += " \"by_clip\":" + object(plan.manifest.clips.compactMap { k in t.byClip[k.name].map { (k.name, $0) } }) + "},\n"
        if !policies.isEmpty { out += "\"policies\":" + Policies.json(policies) + ",\n" }
        out += "\"jobs\":["
        out.reserveCapacity(out.utf8.count + plan.jobs.count * 220)
        for (i, job) in plan.jobs.enumerated() {
            out += i == 0 ? "\n" : ",\n"
            out += "{\"id\":\(JSONString.quote(job.id)),\"kind\":\"\(job.kind.rawValue)\",\"key\":\"\(job.key)\","
            out += "\"status\":\"\(job.status.rawValue)\",\"units\":\(number(job.units)),"
            out += "\"seconds\":\(job.seconds.map(String.init) ?? "null"),\"deps\":["
            out += job.deps.map { JSONString.quote(plan.jobs[$0].id) }.joined(separator: ",")
            out += "]"
            if !job.cells.isEmpty { out += ",\"cells\":[" + job.cells.map(JSONString.quote).joined(separator: ",") + "]" }
            if let platform = job.platform {
                out += ",\"platform\":\(JSONString.quote(platform)),\"duration\":\(job.duration.map(number) ?? "null")"
            }
            out += "}"
        }
        out += "\n]}\n"
        return out
    }

    private static func object(_ pairs: [(String, Double)]) -> String {
        "{" + pairs.map { "\(JSONString.quote($0.0)):\(number($0.1))" }.joined(separator: ",") + "}"
    }

    /// Rounded to micro-units so sums of decimal prices print as written (6.3, not 6.300000000000001).
    static func number(_ v: Double) -> String { NumberText.shortest(v, roundedTo: 6) }
}
