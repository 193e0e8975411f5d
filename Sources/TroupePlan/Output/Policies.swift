import TroupeManifest
import TroupeSupport

/// One spending policy of `budget:` weighed against a plan: `plan`, `plan --diff` and `run`
/// print warnings and refuse (exit 3) on a deny before anything is spent.
public struct PolicyCheck: Sendable, Equatable {
    public enum Verdict: String, Sendable { case ok, warn, deny }

    /// The manifest's key: max_units, warn_units, max_increase_units, max_render_units.
    public var name: String
    public var limit: Double
    public var value: Double
    public var verdict: Verdict
    /// What the value is of: the most expensive new render, for max_render_units.
    public var subject: String?
}

public enum Policies {
    /// The policies the manifest (or `--max-units`) sets, against `totals`' new units; the
    /// increase only when a diff gives one.
    public static func evaluate(_ plan: Plan, totals: Plan.Totals, maxUnits: Double?, increase: Double? = nil) -> [PolicyCheck] {
        let budget = plan.manifest.budget
        var checks: [PolicyCheck] = []
        if let limit = maxUnits ?? budget?.maxUnits {
            checks.append(PolicyCheck(name: "max_units", limit: limit, value: totals.units, verdict: totals.units > limit + 1e-9 ? .deny : .ok))
        }
        if let limit = budget?.warnUnits {
            checks.append(PolicyCheck(name: "warn_units", limit: limit, value: totals.units, verdict: totals.units > limit + 1e-9 ? .warn : .ok))
        }
        if let limit = budget?.maxIncreaseUnits, let increase {
            checks.append(PolicyCheck(name: "max_increase_units", limit: limit, value: increase, verdict: increase > limit + 1e-9 ? .deny : .ok))
        }
        if let limit = budget?.maxRenderUnits {
            let dearest = plan.jobs.filter { $0.kind == .render && $0.status == .new }.max { $0.units < $1.units }
            let value = dearest?.units ?? 0
            checks.append(PolicyCheck(name: "max_render_units", limit: limit, value: value,
                                      verdict: value > limit + 1e-9 ? .deny : .ok, subject: dearest?.name))
        }
        return checks
    }

    /// `"policies":[…]` for plan and plan-diff JSON (schemas/plan.schema.json).
    public static func json(_ checks: [PolicyCheck]) -> String {
        "[" + checks.map { c in
            "{\"name\":\"\(c.name)\",\"limit\":\(PlanJSON.number(c.limit)),\"value\":\(PlanJSON.number(c.value)),"
                + "\"verdict\":\"\(c.verdict.rawValue)\"" + (c.subject.map { ",\"subject\":\(JSONString.quote($0))" } ?? "") + "}"
        }.joined(separator: ",") + "]"
    }

    /// What a warn or deny means, and what to do.
    public static func message(_ c: PolicyCheck, unit: String) -> String {
        let value = Units.format(c.value), limit = Units.format(c.limit)
        switch c.name {
        case "warn_units":
            return "policy warn_units: the plan's new work costs \(value) \(unit), above the warning level of \(limit) \(unit)"
        case "max_increase_units":
            return "policy max_increase_units: this change adds \(value) \(unit), more than the \(limit) \(unit) a change may add; "
                + "split it, or raise budget.max_increase_units"
        case "max_render_units":
            return "policy max_render_units: render \(c.subject ?? "?") costs \(value) \(unit), more than the \(limit) \(unit) one render may cost; "
                + "trim its clip, use mode: std, or raise budget.max_render_units"
        default:
            return "policy \(c.name): \(value) \(unit) against a limit of \(limit) \(unit)"
        }
    }
}
