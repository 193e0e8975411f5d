/// A platform's delivery requirements: picture size, video limits, loudness, duration limits.
/// The table is versioned: `version` goes into every deliverable's content key, so changing a
/// preset's numbers (and bumping it) makes the deliverables that use it again.
public struct PlatformPreset: Sendable, Equatable, Codable {
    public var name: String
    public var width: Int
    public var height: Int
    /// Video bit-rate ceiling (maxrate) in bits per second.
    public var maxBitRate: Int
    /// Keyframe interval in seconds (closed GOPs).
    public var gopSeconds: Double
    /// Integrated loudness target, LUFS.
    public var loudness: Double
    /// True-peak ceiling, dBTP.
    public var truePeak: Double
    /// Shortest and longest allowed duration in seconds (nil: no limit).
    public var minSeconds: Double?
    public var maxSeconds: Double?

    /// The version of the table below; part of each deliverable's content key.
    public static let version = 1

    public static let all: [PlatformPreset] = [
        .init(name: "reels", width: 1080, height: 1920, maxBitRate: 25_000_000, gopSeconds: 2, loudness: -14, truePeak: -1,
              minSeconds: 3, maxSeconds: 15 * 60),
        .init(name: "shorts", width: 1080, height: 1920, maxBitRate: 15_000_000, gopSeconds: 2, loudness: -14, truePeak: -1,
              minSeconds: nil, maxSeconds: 3 * 60),
        .init(name: "tiktok", width: 1080, height: 1920, maxBitRate: 15_000_000, gopSeconds: 2, loudness: -14, truePeak: -1,
              minSeconds: 3, maxSeconds: 10 * 60),
        // YouTube's recommendation: a closed GOP of half the frame rate.
        .init(name: "youtube", width: 1920, height: 1080, maxBitRate: 8_000_000, gopSeconds: 0.5, loudness: -14, truePeak: -1,
              minSeconds: nil, maxSeconds: nil),
        .init(name: "square", width: 1080, height: 1080, maxBitRate: 25_000_000, gopSeconds: 2, loudness: -14, truePeak: -1,
              minSeconds: 3, maxSeconds: 60 * 60),
        .init(name: "feed", width: 1080, height: 1350, maxBitRate: 25_000_000, gopSeconds: 2, loudness: -14, truePeak: -1,
              minSeconds: 3, maxSeconds: 60 * 60),
        // EBU R 128.
        .init(name: "broadcast", width: 1920, height: 1080, maxBitRate: 8_000_000, gopSeconds: 0.5, loudness: -23, truePeak: -1,
              minSeconds: nil, maxSeconds: nil),
    ]

    public static func named(_ name: String) -> PlatformPreset? { all.first { $0.name == name } }

    public static var names: [String] { all.map(\.name) }

    /// A custom `size:` in place of a platform: reels' video and loudness rules at that size.
    public static func custom(width: Int, height: Int) -> PlatformPreset {
        var preset = all[0]
        preset.name = "\(width)x\(height)"
        preset.width = width
        preset.height = height
        preset.minSeconds = nil
        preset.maxSeconds = nil
        return preset
    }

    /// Whether `seconds` is within the preset's duration limits.
    public func allows(seconds: Double) -> Bool {
        if let minSeconds, seconds < minSeconds - 0.001 { return false }
        if let maxSeconds, seconds > maxSeconds + 0.001 { return false }
        return true
    }
}
