/// Kling Motion Control's input limits, for the manifest loader (declared lengths) and the
/// media checks (probed files) alike. These apply whatever the provider: preview stands in for
/// Kling, so a campaign that passes on preview passes on Kling. Every bound is inclusive; MB
/// means 1,000,000 bytes.
public enum KlingLimits {
    public static let imageExtensions = ["jpg", "jpeg", "png"]
    public static let imageMaxBytes = 10_000_000
    public static let imageMinSide = 300
    public static let imageMaxAspect = 2.5
    public static let clipExtensions = ["mp4", "mov"]
    public static let clipMaxBytes = 100_000_000
    public static let clipMinSide = 340
    public static let clipMaxSide = 3850
    public static let clipMinSeconds = 3.0
    public static let clipMaxSecondsImageOrientation = 10.0
    public static let clipMaxSecondsVideoOrientation = 30.0
    public static let elementMinSeconds = 3.0
    public static let elementMaxSeconds = 8.0
    public static let promptMaxCharacters = 2500

    /// Durations are compared with this slack so 3.0 s measured as 2.9996 s still passes.
    public static let slack = 0.001

    public static func clipIsTooShort(_ seconds: Double) -> Bool { seconds < clipMinSeconds - slack }

    public static func clipIsTooLong(_ seconds: Double, orientation: Orientation) -> Bool {
        seconds > orientation.maxClipSeconds + slack
    }

    public static func elementLengthIsOutOfRange(_ seconds: Double) -> Bool {
        seconds < elementMinSeconds - slack || seconds > elementMaxSeconds + slack
    }
}

/// Kling's `character_orientation`: the output follows the image (clip ≤ 10 s) or the
/// video (≤ 30 s).
public enum Orientation: String, Sendable, CaseIterable, Codable {
    case image, video

    /// Longest reference clip Kling accepts for this orientation, in seconds.
    public var maxClipSeconds: Double {
        self == .image ? KlingLimits.clipMaxSecondsImageOrientation : KlingLimits.clipMaxSecondsVideoOrientation
    }
}
