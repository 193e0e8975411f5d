import TroupeManifest
import TroupeSupport

/// `troupe plan`'s default output: totals a reviewer can read in a pull request.
public enum PlanTable {
    public static func render(_ plan: Plan, totals: Plan.Totals? = nil, manifestPath: String, top: Int = 10,
                              all: Bool = false, maxUnits: Double? = nil) -> String {
        let t = totals ?? plan.totals
        let unit = plan.table.unit
        let p = plan.provider
        var out = "plan for \(manifestPath): provider \(p.use.rawValue)"
        if p.use == .kling { out += " (\(p.region.rawValue))" }
        out += ", prices in \(unit)"
        if let usd = plan.table.usdPerUnit, unit != "USD", usd > 0 { out += " (1 = $\(Units.format(usd)))" }
        out += "\n\n"

        let kinds = JobKind.allCases.compactMap { k in t.byKind[k].map { "\($0) \(k.rawValue)" } }
        out += "jobs: \(t.jobs) (\(kinds.joined(separator: ", ")))\n\n"

        var rows: [[String]] = [["status", "paid jobs", unit]]
        for s in JobStatus.allCases {
            let c = t.byStatus[s] ?? .init()
            // Only fal has doubts: the row is there when there is one.
            if s == .inDoubt && c.jobs == 0 { continue }
            rows.append([s.rawValue, String(c.jobs), Units.format(c.units)])
        }
        out += table(rows) + "\n"

        func section(_ title: String, _ pairs: [(String, Double)]) {
            guard !pairs.isEmpty else { return }
            out += table([[title, unit]] + pairs.map { [$0.0, Units.format($0.1)] }) + "\n"
        }
        section("model/mode", t.byModel.keys.sorted().map { ($0, t.byModel[$0]!) })
        section("character", plan.manifest.characters.compactMap { c in t.byCharacter[c.name].map { (c.name, $0) } })
        section("clip", plan.manifest.clips.compactMap { k in t.byClip[k.name].map { (k.name, $0) } })

        let paid = plan.jobs.indices.filter { plan.jobs[$0].kind.isPaid }
        let listed = all ? Array(plan.jobs.indices) : topJobs(plan, paid, top)
        if !listed.isEmpty {
            out += all ? "every job:\n" : "most expensive jobs (top \(listed.count) of \(paid.count); --all lists every job):\n"
            var jobRows: [[String]] = [["job", "status", "seconds", unit, "key"]]
            for j in listed.map({ plan.jobs[$0] }) {
                let id = j.cells.count > 1 ? "\(j.id) (+\(j.cells.count - 1) shared)" : j.id
                jobRows.append([id, j.status.rawValue, j.seconds.map { "\($0) s" } ?? "", Units.format(j.units), String(j.key.prefix(12))])
            }
            out += table(jobRows) + "\n"
        }

        out += deliverables(plan)
        let shared = plan.jobs.filter { $0.kind == .render && $0.cells.count > 1 }
        if !shared.isEmpty {
            let cells = shared.reduce(0) { $0 + $1.cells.count }
            let example = shared[0].cells.prefix(3).joined(separator: ", ")
            out += "identical inputs: \(cells) cells share \(shared.count) render\(shared.count == 1 ? "" : "s"), each paid once (e.g. \(example))\n\n"
        }
        out += "to spend: \(Units.format(t.units)) \(unit)"
        if let usd = plan.usd(t.units), unit != "USD" { out += " ($\(Units.format(usd)))" }
        out += "\n"
        if p.use == .preview, (t.byStatus[.new]?.jobs ?? 0) > 0 {
            out += "preview renders locally and costs nothing; on Kling these renders would cost \(Units.format(t.klingUnits)) units\n"
        }
        if let max = maxUnits {
            let left = max - t.units
            out += left >= 0 ? "budget: \(Units.format(max)) \(unit), \(Units.format(left)) left\n"
                : "budget: \(Units.format(max)) \(unit), \(Units.format(-left)) over\n"
        }
        return out
    }

    /// The `n` most expensive of `candidates` (indices), dearest first, ties by id; without
    /// sorting every job of a million-cell plan.
    static func topJobs(_ plan: Plan, _ candidates: [Int], _ n: Int) -> [Int] {
        func before(_ a: Int, _ b: Int) -> Bool {
            let x = plan.jobs[a], y = plan.jobs[b]
            return x.units != y.units ? x.units > y.units : x.id < y.id
        }
        var best: [Int] = []
        for i in candidates {
            if best.count < n {
                best.append(i)
                best.sort(by: before)
            } else if let last = best.last, before(i, last) {
                best[best.count - 1] = i
                best.sort(by: before)
            }
        }
        return best
    }

    /// Left-aligned first column, right-aligned numbers.
    static func table(_ rows: [[String]]) -> String {
        guard let width = rows.first?.count else { return "" }
        var widths = [Int](repeating: 0, count: width)
        for r in rows { for (i, cell) in r.enumerated() { widths[i] = max(widths[i], cell.count) } }
        var out = ""
        for r in rows {
            var line = "  "
            for (i, cell) in r.enumerated() {
                let pad = String(repeating: " ", count: widths[i] - cell.count)
                line += i == 0 || i == width - 1 && r.count == 5 ? cell + pad : pad + cell
                if i < width - 1 { line += "  " }
            }
            while line.hasSuffix(" ") { line.removeLast() }
            out += line + "\n"
        }
        return out
    }

    /// Deliverables by platform, with their length (they cost no units); empty when there are none.
    static func deliverables(_ plan: Plan) -> String {
        let made = plan.jobs.filter { $0.kind == .post && $0.still == nil && $0.platform != nil }
        guard !made.isEmpty else { return "" }
        var rows: [[String]] = [["deliverable", "platform", "seconds", "status"]]
        let platforms = made.compactMap(\.platform).reduce(into: [String]()) { if !$0.contains($1) { $0.append($1) } }
        for p in platforms {
            for j in made where j.platform == p {
                rows.append([j.name, p, j.duration.map { NumberText.shortest($0, roundedTo: 2) } ?? "?", j.status.rawValue])
            }
        }
        return "deliverables (local, no units):\n" + table(rows) + "\n"
    }
}
