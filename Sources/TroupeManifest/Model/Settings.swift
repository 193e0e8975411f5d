public import TroupeSupport

public enum ProviderKind: String, Sendable, CaseIterable, Codable {
    case kling, fal, preview
    /// Remote providers fetch media by URL, so local files must be uploaded first.
    public var isRemote: Bool { self != .preview }
}

public enum Model: String, Sendable, CaseIterable, Codable {
    case klingV3 = "kling-v3"
    case klingV2_6 = "kling-v2-6"
}

public enum Mode: String, Sendable, CaseIterable, Codable {
    case std, pro
    public var outputHeight: Int { self == .std ? 720 : 1080 }
}

public enum Region: String, Sendable, CaseIterable, Codable {
    case singapore, beijing, global
}

/// A ceiling on create calls, e.g. `2/s` or `60/min`.
public struct Rate: Sendable, Hashable, Codable, CustomStringConvertible {
    public var count: Double
    public var perSeconds: Double
    public var perSecond: Double { count / perSeconds }
    public var description: String { "\(NumberText.shortest(count))/\(perSeconds == 1 ? "s" : perSeconds == 60 ? "min" : "h")" }

    public init(count: Double, perSeconds: Double) {
        self.count = count
        self.perSeconds = perSeconds
    }

    static func parse(_ text: String) -> Rate? {
        let parts = text.split(separator: "/", omittingEmptySubsequences: false)
        guard parts.count == 2, let n = Double(parts[0].trimmingSpaces), n > 0, n.isFinite else { return nil }
        switch parts[1].trimmingSpaces {
        case "s", "sec", "second": return Rate(count: n, perSeconds: 1)
        case "m", "min", "minute": return Rate(count: n, perSeconds: 60)
        case "h", "hour": return Rate(count: n, perSeconds: 3600)
        default: return nil
        }
    }
}

public struct ProviderSettings: Sendable {
    public var use: ProviderKind = .preview
    public var model: Model = .klingV3
    public var mode: Mode = .std
    public var region: Region = .singapore
    /// The account's parallel-task limit.
    public var concurrency: Int = 5
    public var rate: Rate = Rate(count: 2, perSeconds: 1)
    public var mark: Mark = .start
    public init() {}
}

public struct Budget: Sendable {
    public var maxUnits: Double?
    public var usdPerUnit: Double?
    /// Policies: a warning level for the plan's new units, the most a `plan --diff` may add,
    /// and the most one render may cost.
    public var warnUnits: Double?
    public var maxIncreaseUnits: Double?
    public var maxRenderUnits: Double?
    public var mark: Mark
}

public struct S3Uploads: Sendable {
    public var bucket: String
    public var prefix: String
    public var region: String
    public var endpoint: String?
    /// Lifetime of presigned GET URLs, in seconds.
    public var expiresSeconds: Int
    public var mark: Mark
}

/// Settings of a render cell; every field may be overridden per block with `with:`.
public struct RenderSettings: Sendable, Hashable {
    public var model: Model
    public var mode: Mode
    public var orientation: Orientation
    public var keepSound: Bool
    public var prompt: String
    public var watermark: Bool

    public init(model: Model = .klingV3, mode: Mode = .std, orientation: Orientation = .video,
                keepSound: Bool = true, prompt: String = "", watermark: Bool = false) {
        self.model = model
        self.mode = mode
        self.orientation = orientation
        self.keepSound = keepSound
        self.prompt = prompt
        self.watermark = watermark
    }
}

/// A partial `RenderSettings`: what a `defaults:` or `with:` section sets, with positions.
public struct RenderOverrides: Sendable {
    public var model: Located<Model>?
    public var mode: Located<Mode>?
    public var orientation: Located<Orientation>?
    public var keepSound: Located<Bool>?
    public var prompt: Located<String>?
    public var watermark: Located<Bool>?
    public var mark: Mark

    public init(mark: Mark) { self.mark = mark }

    public func applied(to base: RenderSettings) -> RenderSettings {
        var s = base
        if let v = model { s.model = v.value }
        if let v = mode { s.mode = v.value }
        if let v = orientation { s.orientation = v.value }
        if let v = keepSound { s.keepSound = v.value }
        if let v = prompt { s.prompt = v.value }
        if let v = watermark { s.watermark = v.value }
        return s
    }
}

extension Substring {
    var trimmingSpaces: Substring {
        var s = self
        while s.first == " " { s.removeFirst() }
        while s.last == " " { s.removeLast() }
        return s
    }
}
