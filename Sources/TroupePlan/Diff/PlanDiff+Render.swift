import TroupeManifest
import TroupeSupport

/// `troupe plan --diff REF`: a table for terminals, Markdown for a pull request comment, and
/// JSON (schemas/plan-diff.schema.json) for tools.
extension PlanDiff {
    func signed(_ v: Double) -> String { (v > 0 ? "+" : v < 0 ? "-" : "±") + Units.format(abs(v)) }

    /// A signed amount in USD, where the unit's worth is known.
    func money(_ units: Double) -> String {
        guard let usd = usd(units), unit != "USD", abs(units) > 1e-9 else { return "" }
        return ", " + (units > 0 ? "+" : units < 0 ? "-" : "±") + "$" + Units.format(abs(usd))
    }

    /// One line: the totals and how many cells moved.
    public var summary: String {
        let n = { (c: Change) in cells.filter { $0.change == c }.count }
        return "\(Units.format(baseUnits)) → \(Units.format(headUnits)) \(unit) (\(signed(deltaUnits))\(money(deltaUnits))) against \(ref): "
            + "\(n(.changed)) changed, \(n(.added)) added, \(n(.removed)) removed, \(unchanged) unchanged"
    }

    public func table(limit: Int = 50) -> String {
        var out = "cost diff: " + summary + "\n"
        if !cells.isEmpty {
            var rows: [[String]] = [["cell", "change", "before", "after", "delta"]]
            for c in cells.prefix(limit) {
                rows.append([c.id, c.change.rawValue, c.unitsBefore.map(Units.format) ?? "", c.unitsAfter.map(Units.format) ?? "",
                             signed((c.unitsAfter ?? 0) - (c.unitsBefore ?? 0))])
            }
            out += "\n" + PlanTable.table(rows)
            if cells.count > limit { out += "  … and \(cells.count - limit) more (--json lists every one)\n" }
        }
        for (title, sums) in [("character", byCharacter), ("clip", byClip), ("model/mode", byModel)] {
            let moved = sums.filter { abs($0.1.delta) > 1e-9 }
            guard !moved.isEmpty else { continue }
            out += "\n" + PlanTable.table([[title, "before", "after", "delta"]] + moved.map {
                [$0.0, Units.format($0.1.before), Units.format($0.1.after), signed($0.1.delta)]
            })
        }
        return out
    }

    public func markdown(limit: Int = 100) -> String {
        var out = "**troupe cost diff**: " + summary.replacingOccurrences(of: " against \(ref)", with: " against `\(ref)`") + "\n"
        if !cells.isEmpty {
            out += "\n| cell | change | before | after | delta |\n|---|---|---:|---:|---:|\n"
            for c in cells.prefix(limit) {
                out += "| `\(c.id)` | \(c.change.rawValue) | \(c.unitsBefore.map(Units.format) ?? "") | \(c.unitsAfter.map(Units.format) ?? "") | \(signed((c.unitsAfter ?? 0) - (c.unitsBefore ?? 0))) |\n"
            }
            if cells.count > limit { out += "\n… and \(cells.count - limit) more cells.\n" }
        }
        let moved = byCharacter.filter { abs($0.1.delta) > 1e-9 }
        if !moved.isEmpty {
            out += "\n<details><summary>by character</summary>\n\n| character | before | after | delta |\n|---|---:|---:|---:|\n"
            for (name, s) in moved { out += "| `\(name)` | \(Units.format(s.before)) | \(Units.format(s.after)) | \(signed(s.delta)) |\n" }
            out += "\n</details>\n"
        }
        return out
    }

    public var json: String {
        let n = PlanJSON.number
        var out = "{\"format\":1,\"base\":{\"ref\":\(JSONString.quote(ref)),\"units\":\(n(baseUnits))},"
        out += "\"head\":{\"units\":\(n(headUnits))},"
        out += "\"delta\":{\"units\":\(n(deltaUnits)),\"usd\":\(usd(deltaUnits).map(n) ?? "null")},"
        out += "\"unit\":\(JSONString.quote(unit)),\"unchanged\":\(unchanged),\n"
        if !policies.isEmpty { out += "\"policies\":" + Policies.json(policies) + ",\n" }
        func sums(_ list: [(String, Sums)]) -> String {
            "{" + list.map { "\(JSONString.quote($0.0)):{\"before\":\(n($0.1.before)),\"after\":\(n($0.1.after)),\"delta\":\(n($0.1.delta))}" }
                .joined(separator: ",") + "}"
        }
        out += "\"by_character\":\(sums(byCharacter)),\n\"by_clip\":\(sums(byClip)),\n\"by_model\":\(sums(byModel)),\n\"cells\":["
        for (i, c) in cells.enumerated() {
            out += (i == 0 ? "\n" : ",\n") + "{\"id\":\(JSONString.quote(c.id)),\"change\":\"\(c.change.rawValue)\","
            out += "\"units_before\":\(c.unitsBefore.map(n) ?? "null"),\"units_after\":\(c.unitsAfter.map(n) ?? "null")}"
        }
        return out + "\n]}\n"
    }
}
