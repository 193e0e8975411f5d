import Foundation

public struct RunOptions: Sendable {
    /// Globs over render ids (`mochi/*`) and output names: run those and what they need.
    public var only: [String] = []
    /// `--locked`: never create a paid task. Locked renders are adopted by their task ids or
    /// taken from the cache; a paid job that would need a create is refused (`LockedRunRefused`
    /// before the run starts, `RunSummary.lockedRefused` when the provider turns out not to
    /// know a locked task).
    public var locked = false
    /// Local jobs (prepare, post, export) at once; the preview renderer counts as local.
    public var localConcurrency = max(1, ProcessInfo.processInfo.activeProcessorCount)
    /// Uploads at once.
    public var networkConcurrency = 4
    /// Re-checked against what the provider actually deducts (nil: no budget).
    public var maxUnits: Double?
    /// Globs over render ids to render again, paying again (a new external_task_id).
    public var reroll: [String] = []
    /// `--retry-in-doubt`: jobs in doubt to send again, paying again if the first was queued
    /// (nil: none; empty: all; else globs over render ids).
    public var retryInDoubt: [String]?
    public init() {}
}
