public import TroupePlan
/// Where a cell of the matrix is.
public enum CellStatus: String, Sendable, CaseIterable {
    /// Rendered, and its export is on disk.
    case done
    /// The provider refused or failed the render, or polling gave up on it.
    case failed
    /// Not rendered yet: the next `troupe run` will do it (and pay, unless locked).
    case new
    /// A task at the provider: being created, queued, running or downloading.
    case inFlight = "in-flight"
    /// Submitted to fal, its answer lost, no request found: it may have been paid; not sent
    /// again unless `troupe run --retry-in-doubt`.
    case inDoubt = "in-doubt"
    /// Not in the plan: a render block excludes it, or no block covers it.
    case excluded

    /// A word a person reads; the page never relies on colour alone.
    public var label: String {
        switch self {
        case .done: "done"
        case .failed: "failed"
        case .new: "new"
        case .inFlight: "in flight"
        case .inDoubt: "in doubt"
        case .excluded: "excluded"
        }
    }
}

/// One character × clip cell of the page.
public struct ReportCell: Sendable, Equatable {
    public var character: String
    public var clip: String
    public var status: CellStatus
    /// The provider's words for a failure.
    public var reason: String?
    /// What the render costs (or cost) in the plan's unit.
    public var units: Double = 0
    /// What official Kling would charge, for a free provider.
    public var klingUnits: Double = 0
    public var seconds: Int?
    /// Settings that differ from the campaign's defaults, e.g. `mode pro`.
    public var differences: [String] = []
    public var element: String?
    /// The exported MP4, when it exists.
    public var video: String?
    public var poster: String?
    /// The render's content key.
    public var renderKey: String?
    /// Other cells served by the same render (identical inputs, paid once).
    public var sharedWith = 0
    /// With `--diff REF`: how the cell changed since the revision, and what it cost then.
    public var change: PlanDiff.Change?
    public var unitsBefore: Double?

    /// `character/clip`: the render id, the `data-cell` attribute.
    public var id: String { character + "/" + clip }
}
