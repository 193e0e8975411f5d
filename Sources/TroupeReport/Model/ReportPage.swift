public import Foundation
public import TroupePlan
public import TroupeState

/// Everything the campaign page shows, as a value: the HTML is rendered from it, and tests
/// read it without a browser. Hrefs are relative to the report folder.
public struct ReportPage: Sendable, Equatable {
    /// The manifest's `name`.
    public var title: String
    public var provider: String
    public var model: String
    public var mode: String
    /// The price table's unit (Kling units, USD, a reseller's credits).
    public var unit: String
    public var spend: Spend
    public var jobs: JobCounts
    /// The newest change the state store recorded for this plan's jobs; nil before any run.
    public var lastRun: Date?
    public var lock: LockState
    /// Row heads, in manifest order.
    public var characters: [CharacterHead]
    /// Column heads, in manifest order.
    public var clips: [ClipHead]
    /// The full character × clip grid, row by row (characters.count × clips.count cells).
    public var cells: [ReportCell]
    public var reels: [Reel]
    public var spendByCharacter: [Bar]
    public var spendByClip: [Bar]
    /// What the bars measure: the plan's units, or what Kling would charge when the provider is free.
    public var chartUnit: String
    /// When the page was generated.
    public var generated: Date
    /// With `--diff REF`: the comparison the cells' `change` comes from.
    public var diff: DiffSummary?
    /// What the team should act on before it is too late (locked results about to expire at
    /// the provider and kept in no shared cache), shown at the top.
    public var warnings: [String] = []
    /// Outputs with `platform:` or `size:`, by platform (not among `reels`).
    public var deliverables: [DeliverableGroup] = []
    /// The last run as a timeline, when the state store keeps one.
    public var timeline: RunTimeline? = nil

    /// A cost comparison with the manifest at a git revision.
    public struct DiffSummary: Sendable, Equatable {
        public var ref: String
        public var unitsBefore: Double
        public var unitsAfter: Double
        /// Cells (render ids) the revision had and the manifest no longer has, with their units then.
        public var removed: [String: Double]
    }

    /// Marks the cells `diff` names as added or changed, and keeps the removed ones apart.
    public mutating func apply(_ diff: PlanDiff) {
        var removed: [String: Double] = [:]
        var byID: [String: PlanDiff.Cell] = [:]
        for c in diff.cells { byID[c.id] = c }
        for i in cells.indices {
            guard let c = byID[cells[i].id] else { continue }
            cells[i].change = c.change
            cells[i].unitsBefore = c.unitsBefore
        }
        for c in diff.cells where c.change == .removed && !c.id.hasPrefix("element:") { removed[c.id] = c.unitsBefore ?? 0 }
        self.diff = DiffSummary(ref: diff.ref, unitsBefore: diff.baseUnits, unitsAfter: diff.headUnits, removed: removed)
    }

    public func cell(character: String, clip: String) -> ReportCell? {
        guard let c = characters.firstIndex(where: { $0.name == character }),
              let k = clips.firstIndex(where: { $0.name == clip }) else { return nil }
        return cells[c * clips.count + k]
    }

    /// Cells by status, for the legend and the tests.
    public var countByStatus: [CellStatus: Int] {
        cells.reduce(into: [:]) { $0[$1.status, default: 0] += 1 }
    }
}

extension ReportPage {
    /// Units spent, still to spend and allowed.
    public struct Spend: Sendable, Equatable {
        /// What the provider deducted for this plan's jobs (the state store's record).
        public var spent = 0.0
        /// The price of every paid job in the plan, done or not.
        public var planned = 0.0
        /// The price of the paid jobs that still have to run.
        public var toSpend = 0.0
        public var budget: Double?
        /// USD per unit, when the manifest or the price table says (nil or 0: not shown).
        public var usdPerUnit: Double?
        /// What official Kling would charge for the whole plan, shown for a free provider.
        public var klingPlanned: Double?
    }

    /// Jobs of the plan (every kind) by where they are.
    public struct JobCounts: Sendable, Equatable {
        public var total = 0
        public var done = 0
        public var failed = 0
        public var inFlight = 0
        /// Paid jobs whose submit's answer was lost (fal): they may have been paid.
        public var inDoubt = 0
        public var pending = 0
    }

    /// What troupe.lock records of this plan.
    public struct LockState: Sendable, Equatable {
        public var exists: Bool
        public var lockedRenders: Int
        public var plannedRenders: Int

        public var summary: String {
            guard exists else { return "no troupe.lock yet" }
            if lockedRenders == plannedRenders { return "troupe.lock records all \(plannedRenders) renders" }
            return "troupe.lock records \(lockedRenders) of \(plannedRenders) renders"
        }
    }

    public struct CharacterHead: Sendable, Equatable {
        public var name: String
        /// A small picture of the character's image; nil for a URL image or when it cannot be read.
        public var image: String?
        public var element: String?
    }

    public struct ClipHead: Sendable, Equatable {
        public var name: String
        public var poster: String?
        /// The clip's length after its trim, when known.
        public var seconds: Double?
    }

    /// An output of the manifest's post-steps.
    public struct Reel: Sendable, Equatable {
        public var name: String
        /// The exported MP4, when it exists.
        public var video: String?
        /// A contact sheet of its renders, in order.
        public var filmstrip: String?
        /// Cell ids (`character/clip`) in the order they play.
        public var renders: [String]
    }

    /// One bar of a spend chart.
    public struct Bar: Sendable, Equatable {
        public var name: String
        /// Units of cells that are done.
        public var spent: Double
        /// Units of cells still to render.
        public var toSpend: Double
    }
}
