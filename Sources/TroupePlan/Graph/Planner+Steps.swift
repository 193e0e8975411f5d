/// What one step of `Planner.plan()` hands to the next.
extension Planner {
    /// Each clip's key (its prepared job's, or its source digest), the jobs a render of it
    /// depends on (prepare or upload), and its billed seconds.
    struct PreparedClips {
        var keys: [String]
        var deps: [[Int]]
        var seconds: [Int]
    }

    /// Elements by name; each one's reference in render keys (its job's key, or `id:N`) and job.
    struct PlannedElements {
        var index: [String: Int]
        var ref: [String]
        var job: [Int?]
    }

    /// The render job of each cell (`c * clipCount + k`, -1 for none) and the cells in plan order.
    struct PlannedRenders {
        var job: [Int]
        var order: [Int]
        var clipCount: Int
    }
}
