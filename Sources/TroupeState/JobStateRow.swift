public import TroupePlan

/// A job's row reduced to what decides what a run will do with it.
public struct JobStateRow: Sendable {
    public var key: String
    public var kind: JobKind
    public var state: JobState
    public var result: String?

    public init(key: String, kind: JobKind, state: JobState, result: String?) {
        self.key = key
        self.kind = kind
        self.state = state
        self.result = result
    }
}
