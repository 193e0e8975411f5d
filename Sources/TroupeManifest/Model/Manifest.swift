/// A price: `max(minimum, base + perSecond × seconds)` in the table's unit.
public struct PriceRate: Sendable, Hashable, Codable {
    public var base: Double
    public var perSecond: Double
    public var minimum: Double

    public init(base: Double = 0, perSecond: Double = 0, minimum: Double = 0) {
        self.base = base
        self.perSecond = perSecond
        self.minimum = minimum
    }

    public func price(seconds: Int) -> Double { max(minimum, base + perSecond * Double(seconds)) }

    enum CodingKeys: String, CodingKey {
        case base, minimum
        case perSecond = "per_second"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        base = try c.decodeIfPresent(Double.self, forKey: .base) ?? 0
        perSecond = try c.decodeIfPresent(Double.self, forKey: .perSecond) ?? 0
        minimum = try c.decodeIfPresent(Double.self, forKey: .minimum) ?? 0
    }
}

/// The manifest's `pricing:` section.
public struct PricingOverride: Sendable {
    public var unit: String?
    /// By "model/mode", e.g. "kling-v3/pro".
    public var render: [String: PriceRate]
    public var element: PriceRate?
    public var mark: Mark
}

/// Where a medium comes from: a file beside the manifest, or a URL the provider can fetch.
public enum MediaSource: Sendable, Hashable {
    /// `path` as written (relative to the manifest's folder) and resolved to an absolute path.
    case local(path: String, resolved: String)
    case remote(url: String)

    public var isRemote: Bool { if case .remote = self { return true } else { return false } }
    public var written: String {
        switch self {
        case .local(let p, _): return p
        case .remote(let u): return u
        }
    }
}

public struct Element: Sendable {
    public enum Source: Sendable {
        /// Created once from a 3–8 s reference video, then pinned in troupe.lock.
        case fromVideo(MediaSource, sha256: String?, duration: Double?)
        /// An element that already exists at the provider.
        case existing(id: Int64)
    }

    public var name: String
    public var source: Source
    public var description: String?
    public var mark: Mark
    public var sourceMark: Mark
}

public struct Character: Sendable {
    public var name: String
    public var image: MediaSource
    public var sha256: String?
    public var element: Located<String>?
    public var mark: Mark
    public var imageMark: Mark
}

public struct Clip: Sendable {
    public var name: String
    public var video: MediaSource
    public var sha256: String?
    /// Declared length in seconds (required for URL clips: it sets the price).
    public var duration: Double?
    public var trim: Located<ClosedRange<Double>>?
    /// Scale the clip into the provider's size limits before rendering.
    public var conform: Bool
    public var mark: Mark
    public var videoMark: Mark
}

/// One block of the character × clip matrix.
public struct RenderBlock: Sendable {
    /// Names or glob patterns (`*`, `mochi-*`), each with its position.
    public var characters: [Located<String>]
    public var clips: [Located<String>]
    public var exclude: [Exclusion]
    public var with: RenderOverrides?
    public var mark: Mark
}

/// An `exclude:` entry; it matches on the keys it gives.
public struct Exclusion: Sendable {
    public var character: Located<String>?
    public var clip: Located<String>?
    public var mark: Mark
}

/// A local post-step: concatenate renders and outputs, optionally trim the result, optionally
/// finish it for platforms (`delivery`).
public struct OutputSpec: Sendable {
    /// May contain `{character}` or `{clip}`: one output per character (or clip).
    public var name: Located<String>
    /// The inputs joined in order; `from: X` is a one-entry list.
    public var concat: [Located<String>]
    public var trim: Located<ClosedRange<Double>>?
    /// Finishing steps for platforms; nil for a plain concat/trim output.
    public var delivery: Delivery?
    public var mark: Mark
}

/// A parsed, validated manifest (format 1). Mappings keep their written order.
public struct Manifest: Sendable {
    public var path: String
    /// The folder relative paths resolve against.
    public var baseDirectory: String
    public var format: Int
    public var name: String
    public var provider: ProviderSettings
    public var budget: Budget?
    public var uploads: S3Uploads?
    public var defaults: RenderOverrides
    public var elements: [Element]
    public var characters: [Character]
    public var clips: [Clip]
    public var renders: [RenderBlock]
    public var outputs: [OutputSpec]
    /// Contract rates that replace the provider's price table.
    public var pricing: PricingOverride?
    /// Where `troupe run` reports how it ended (`notify:`).
    public var notify: NotifySettings? = nil

    /// Settings of a cell before any block's `with:`.
    public var baseSettings: RenderSettings {
        defaults.applied(to: RenderSettings(model: provider.model, mode: provider.mode))
    }
}
