/// Bounds that keep a hostile or broken file from eating memory or time.
public struct YAMLLimits: Sendable {
    /// Largest file accepted at all.
    public var maxFileBytes = 64 * 1024 * 1024
    /// Longest single value: no manifest field needs more (prompts are ≤ 2,500 characters).
    public var maxScalarBytes = 64 * 1024
    /// Deepest nesting of lists and mappings; a manifest needs about six.
    public var maxDepth = 64
    /// Nodes that aliases may add by expansion, summed over the file (billion-laughs guard).
    public var maxAliasExpansion = 100_000

    public init() {}
}
