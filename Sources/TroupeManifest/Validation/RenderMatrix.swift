/// The character × clip cells a manifest asks for, by block. Blocks are kept as index sets
/// (not expanded cells) so checking a 10-million-cell campaign stays cheap.
public struct RenderMatrix: Sendable {
    public struct Block: Sendable {
        /// `characterIn[c]` is true when character index c is in the block.
        public var characterIn: [Bool]
        public var clipIn: [Bool]
        /// Single cells removed by `exclude` entries that give both keys, as c * clipCount + k.
        public var excludedCells: Set<Int>
        public var settings: RenderSettings
    }

    public let characterCount: Int
    public let clipCount: Int
    public var blocks: [Block]

    /// The block that renders a cell, if any (validation guarantees at most one).
    public func block(character c: Int, clip k: Int) -> Int? {
        for (i, b) in blocks.enumerated() where b.characterIn[c] && b.clipIn[k] && !b.excludedCells.contains(c * clipCount + k) {
            return i
        }
        return nil
    }

    public func contains(character c: Int, clip k: Int) -> Bool { block(character: c, clip: k) != nil }

    /// Every cell in character-major, declaration order, with its block index.
    public func forEachCell(_ body: (_ character: Int, _ clip: Int, _ block: Int) throws -> Void) rethrows {
        for c in 0..<characterCount {
            for k in 0..<clipCount {
                if let b = block(character: c, clip: k) { try body(c, k, b) }
            }
        }
    }

    /// Cells in a block: its rectangle less the single-cell exclusions inside it.
    public func cellCount(ofBlock i: Int) -> Int {
        let b = blocks[i]
        let rectangle = b.characterIn.lazy.filter { $0 }.count * b.clipIn.lazy.filter { $0 }.count
        let excluded = b.excludedCells.lazy.filter { b.characterIn[$0 / clipCount] && b.clipIn[$0 % clipCount] }.count
        return rectangle - excluded
    }

    /// All cells; blocks are disjoint once the manifest is valid, so their counts add up.
    public var cellCount: Int { blocks.indices.reduce(0) { $0 + cellCount(ofBlock: $1) } }
}

/// An output after templates and globs are expanded: concrete renders and outputs, in order.
public struct ResolvedOutput: Sendable {
    public enum Input: Sendable, Hashable {
        case render(character: Int, clip: Int)
        case output(Int)
    }

    public var name: String
    public var inputs: [Input]
    public var trim: ClosedRange<Double>?
    /// Index of the `outputs:` entry it came from.
    public var spec: Int
    /// A deliverable's preset name (or `WxH` for `size:`); nil for a plain output.
    public var platform: String?

    public init(name: String, inputs: [Input], trim: ClosedRange<Double>?, spec: Int, platform: String? = nil) {
        self.name = name; self.inputs = inputs; self.trim = trim; self.spec = spec; self.platform = platform
    }
}
