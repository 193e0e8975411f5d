import TroupeManifest

/// What a change to a manifest does to its cost: every paid cell (and element) of the plan at
/// a base revision against the plan now, by content key. A cell whose key changed will be
/// rendered (and paid for) again; one that only moved or was renamed in the file will not.
public struct PlanDiff: Sendable {
    public enum Change: String, Sendable { case added, removed, changed }

    public struct Cell: Sendable {
        /// `mochi/wave` for a render, `element:mochi` for an element.
        public var id: String
        public var change: Change
        public var unitsBefore: Double?
        public var unitsAfter: Double?
    }

    public struct Sums: Sendable {
        public var before = 0.0
        public var after = 0.0
        public var delta: Double { after - before }
    }

    public var ref: String
    /// All paid jobs of each plan, whatever their status: what the campaign costs.
    public var baseUnits = 0.0
    public var headUnits = 0.0
    public var deltaUnits: Double { headUnits - baseUnits }
    /// Added, removed and changed cells: head order, then what was removed.
    public var cells: [Cell] = []
    public var byCharacter: [(String, Sums)] = []
    public var byClip: [(String, Sums)] = []
    public var byModel: [(String, Sums)] = []
    public var unit: String
    public var usdPerUnit: Double?
    /// Cells whose key is the same at both revisions.
    public var unchanged = 0
    /// The manifest's policies weighed against this change (the JSON carries them when set).
    public var policies: [PolicyCheck] = []

    /// `base` nil: the manifest did not exist at `ref`.
    public init(base: Plan?, head: Plan, ref: String) {
        self.ref = ref
        unit = head.table.unit
        usdPerUnit = head.table.usdPerUnit
        let before = base.map(Self.paidCells) ?? []
        let after = Self.paidCells(head)
        var beforeByID: [String: PaidCell] = [:]
        for c in before { beforeByID[c.id] = c }
        var afterIDs = Set<String>()
        var characters = OrderedSums(), clips = OrderedSums(), models = OrderedSums()
        func add(_ c: PaidCell, after isAfter: Bool) {
            if let ch = c.character { characters.add(c.units, to: ch, after: isAfter) }
            if let cl = c.clip { clips.add(c.units, to: cl, after: isAfter) }
            models.add(c.units, to: c.model, after: isAfter)
        }
        for c in before {
            baseUnits += c.units
            add(c, after: false)
        }
        for c in after {
            headUnits += c.units
            add(c, after: true)
            afterIDs.insert(c.id)
            if let old = beforeByID[c.id] {
                if old.key == c.key { unchanged += 1 } else {
                    cells.append(Cell(id: c.id, change: .changed, unitsBefore: old.units, unitsAfter: c.units))
                }
            } else {
                cells.append(Cell(id: c.id, change: .added, unitsBefore: nil, unitsAfter: c.units))
            }
        }
        for c in before where !afterIDs.contains(c.id) {
            cells.append(Cell(id: c.id, change: .removed, unitsBefore: c.units, unitsAfter: nil))
        }
        byCharacter = characters.list
        byClip = clips.list
        byModel = models.list
    }

    /// Sums by name, in the order names first came.
    struct OrderedSums {
        private var sums: [String: Sums] = [:]
        private var order: [String] = []

        mutating func add(_ units: Double, to name: String, after: Bool) {
            if sums[name] == nil { order.append(name) }
            if after { sums[name, default: Sums()].after += units } else { sums[name, default: Sums()].before += units }
        }

        var list: [(String, Sums)] { order.map { ($0, sums[$0]!) } }
    }

    public func usd(_ units: Double) -> Double? { usdPerUnit.map { units * $0 } }

    /// A paid cell: a render's cell or an element. A render shared by identical cells is paid
    /// once: its first cell carries the units, the others none.
    struct PaidCell {
        var id: String
        var key: String
        var units: Double
        var character: String?
        var clip: String?
        var model: String
    }

    static func paidCells(_ plan: Plan) -> [PaidCell] {
        var out: [PaidCell] = []
        for job in plan.jobs where job.kind.isPaid {
            switch job.subject {
            case .render(let c, let k, _, let s):
                let model = "\(s.model.rawValue)/\(s.mode.rawValue)"
                for (i, name) in job.names.enumerated() {
                    let parts = name.split(separator: "/", maxSplits: 1).map(String.init)
                    out.append(PaidCell(id: name, key: job.key, units: i == 0 ? job.units : 0,
                                        character: parts.first ?? plan.manifest.characters[c].name,
                                        clip: parts.count > 1 ? parts[1] : plan.manifest.clips[k].name, model: model))
                }
            case .element:
                for (i, name) in job.names.enumerated() {
                    out.append(PaidCell(id: "element:" + name, key: job.key, units: i == 0 ? job.units : 0,
                                        character: nil, clip: nil, model: "elements"))
                }
            default: continue
            }
        }
        return out
    }
}
