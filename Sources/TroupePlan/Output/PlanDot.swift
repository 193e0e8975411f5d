import Foundation

/// `troupe plan --dot`: the job DAG for Graphviz.
public enum PlanDot {
    public static func render(_ plan: Plan) -> String {
        var out = "digraph troupe {\n  rankdir=LR;\n  node [shape=box, fontname=\"Helvetica\", fontsize=10];\n"
        for (i, job) in plan.jobs.enumerated() {
            let colour: String
            switch job.status {
            case .new: colour = job.kind.isPaid ? "#f8d7a8" : "#ffffff"
            case .cached: colour = "#cfe8cf"
            case .locked: colour = "#c9dcf2"
            case .inFlight: colour = "#f2ecc9"
            case .failed: colour = "#f2c9c9"
            case .inDoubt: colour = "#f2ddc9"
            }
            var label = job.id.replacingOccurrences(of: "\"", with: "\\\"")
            if job.units > 0 { label += "\\n\(Units.format(job.units)) \(plan.table.unit)" }
            out += "  j\(i) [label=\"\(label)\", style=filled, fillcolor=\"\(colour)\"];\n"
        }
        for (i, job) in plan.jobs.enumerated() {
            for d in job.deps { out += "  j\(d) -> j\(i);\n" }
        }
        return out + "}\n"
    }
}
