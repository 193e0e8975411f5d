public import TroupeManifest
import TroupeSupport

/// The job DAG of a manifest, priced.
public struct Plan: Sendable {
    public var manifest: Manifest
    /// The provider settings in force (`--provider` applied).
    public var provider: ProviderSettings
    public var table: PriceTable
    public var jobs: [Job]
    /// The manifest's outputs after expansion; `JobSubject.post(output:)` indexes them.
    public var outputs: [ResolvedOutput] = []
    /// Where exports go, relative to the manifest's folder.
    public var outputFolder = "out"

    /// Sums of units and jobs along the axes a reviewer asks about.
    public struct Totals: Sendable {
        public struct Count: Sendable {
            public var jobs = 0
            public var units = 0.0
        }
        /// Units still to spend (new paid jobs).
        public var units = 0.0
        /// What official Kling would charge for the new renders (for free providers).
        public var klingUnits = 0.0
        public var jobs = 0
        public var paidJobs = 0
        public var byStatus: [JobStatus: Count] = [:]
        public var byKind: [JobKind: Int] = [:]
        /// New units by character, clip, "model/mode" and render block.
        public var byCharacter: [String: Double] = [:]
        public var byClip: [String: Double] = [:]
        public var byModel: [String: Double] = [:]
        public var byBlock: [Int: Double] = [:]
    }

    /// Computed on each call (a pass over every job): keep the result when you need it twice.
    public var totals: Totals {
        var t = Totals()
        t.jobs = jobs.count
        // Sum by index first; names are looked up once per character/clip at the end.
        var byCharacter = [Double](repeating: 0, count: manifest.characters.count)
        var byClip = [Double](repeating: 0, count: manifest.clips.count)
        var byBlock = [Double](repeating: 0, count: manifest.renders.count)
        var byModel: [RenderSettings: Double] = [:]
        var lastSettings: RenderSettings?
        var lastModelUnits = 0.0
        for job in jobs {
            t.byKind[job.kind, default: 0] += 1
            guard job.kind.isPaid else { continue }
            t.paidJobs += 1
            t.byStatus[job.status, default: .init()].jobs += 1
            t.byStatus[job.status, default: .init()].units += job.units
            guard job.status == .new else { continue }
            t.units += job.units
            t.klingUnits += job.klingUnits
            if case .render(let c, let k, let b, let s) = job.subject {
                byCharacter[c] += job.units
                byClip[k] += job.units
                byBlock[b] += job.units
                // Renders come block by block: add up a run of equal settings before hashing them.
                if s != lastSettings {
                    if let last = lastSettings { byModel[last, default: 0] += lastModelUnits }
                    lastSettings = s
                    lastModelUnits = 0
                }
                lastModelUnits += job.units
            }
        }
        if let last = lastSettings { byModel[last, default: 0] += lastModelUnits }
        for (s, units) in byModel { t.byModel["\(s.model.rawValue)/\(s.mode.rawValue)", default: 0] += units }
        for (c, units) in byCharacter.enumerated() where units > 0 { t.byCharacter[manifest.characters[c].name] = units }
        for (k, units) in byClip.enumerated() where units > 0 { t.byClip[manifest.clips[k].name] = units }
        for (b, units) in byBlock.enumerated() where units > 0 { t.byBlock[b] = units }
        return t
    }

    /// USD for a number of units, where the table or the budget says what a unit is worth.
    public func usd(_ units: Double) -> Double? {
        guard let rate = table.usdPerUnit else { return nil }
        return units * rate
    }

    /// Nil when the plan fits; otherwise what a user needs to decide what to cut.
    public func budgetProblem(maxUnits: Double, totals: Totals) -> String? {
        guard totals.units > maxUnits else { return nil }
        let u = table.unit
        var text = "plan costs \(Units.format(totals.units)) \(u), \(Units.format(totals.units - maxUnits)) over the budget of \(Units.format(maxUnits)) \(u)\n"
        func top<K>(_ d: [K: Double], _ name: (K) -> String) -> String {
            d.sorted { $0.value != $1.value ? $0.value > $1.value : name($0.key) < name($1.key) }.prefix(3)
                .map { "\(name($0.key)) \(Units.format($0.value))" }.joined(separator: ", ")
        }
        text += "  most expensive blocks:     \(top(totals.byBlock) { "#\($0 + 1)" })\n"
        text += "  most expensive characters: \(top(totals.byCharacter) { $0 })\n"
        text += "  most expensive clips:      \(top(totals.byClip) { $0 })\n"
        text += "raise budget.max_units (or --max-units), exclude cells, trim clips or use mode: std"
        return text
    }
}

public enum Units {
    /// Units with at most two decimals, no trailing zeros: 6.6, 12, 0.84.
    public static func format(_ v: Double) -> String { NumberText.shortest(v, roundedTo: 2) }
}
