public import TroupeSupport

/// Everything one deliverable is made of, besides its input: what `outputs:` says, resolved to
/// paths and numbers. Steps apply in the order of the fields: trim → fit → overlay → captions →
/// fade → end card → audio and loudness → encode.
public struct DeliverSpec: Sendable, Equatable {
    /// How a picture of another aspect is made to fill the preset's size.
    public enum FitMode: String, Sendable, Codable, CaseIterable {
        /// Scaled to cover the frame, the overflow cut off.
        case crop
        /// Scaled to fit inside, black bars around.
        case pad
        /// Scaled to fit inside over a blurred, cropped copy of itself.
        case blur
    }

    public enum Corner: String, Sendable, Codable, CaseIterable {
        case topLeft = "top-left", topRight = "top-right", bottomLeft = "bottom-left", bottomRight = "bottom-right"
    }

    /// A logo or watermark image over the picture.
    public struct Overlay: Sendable, Equatable {
        public var image: String
        public var corner: Corner
        /// The logo's width as a fraction of the frame's width.
        public var width: Double
        /// The distance from the edges as a fraction of the frame's shorter side.
        public var margin: Double
        public var opacity: Double

        public init(image: String, corner: Corner = .topRight, width: Double = 0.15, margin: Double = 0.04,
                    opacity: Double = 1) {
            self.image = image; self.corner = corner; self.width = width; self.margin = margin; self.opacity = opacity
        }
    }

    /// A still shown after the programme, fitted inside the frame on black.
    public struct EndCard: Sendable, Equatable {
        public var image: String
        public var seconds: Double
        public init(image: String, seconds: Double) { self.image = image; self.seconds = seconds }
    }

    /// A music bed: looped with a crossfade when shorter than the deliverable, cut with a fade
    /// when longer, `level` dB under the programme's sound.
    public struct Music: Sendable, Equatable {
        public var path: String
        public var level: Double
        public init(path: String, level: Double = -12) { self.path = path; self.level = level }
    }

    public var preset: PlatformPreset
    public var trim: ClosedRange<Double>?
    public var fit: FitMode
    public var overlay: Overlay?
    /// An SRT/ASS file burned in through libass.
    public var captions: String?
    public var fadeIn: Double
    public var fadeOut: Double
    public var endCard: EndCard?
    public var music: Music?
    /// Keep the input's own sound (false: only the music, or silence).
    public var original: Bool
    /// Integrated loudness target (LUFS) and true-peak ceiling (dBTP); the preset's by default.
    public var loudness: Double
    public var truePeak: Double

    public init(preset: PlatformPreset, trim: ClosedRange<Double>? = nil, fit: FitMode = .crop, overlay: Overlay? = nil,
                captions: String? = nil, fadeIn: Double = 0, fadeOut: Double = 0, endCard: EndCard? = nil,
                music: Music? = nil, original: Bool = true, loudness: Double? = nil, truePeak: Double? = nil) {
        self.preset = preset; self.trim = trim; self.fit = fit; self.overlay = overlay; self.captions = captions
        self.fadeIn = fadeIn; self.fadeOut = fadeOut; self.endCard = endCard; self.music = music
        self.original = original
        self.loudness = loudness ?? preset.loudness
        self.truePeak = truePeak ?? preset.truePeak
    }
}
