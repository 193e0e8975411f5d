/// A local file an output's finishing step reads (logo, end card, music, captions).
public struct LocalFile: Sendable, Hashable {
    /// As written, relative to the manifest's folder.
    public var written: String
    public var resolved: String
    public var mark: Mark
}

/// The finishing steps of a deliverable output (`platform:` or `size:` and what goes with them).
/// Numbers are checked by the loader; the preset table is `PlatformPreset` (TroupeSupport).
public struct Delivery: Sendable {
    public enum Fit: String, Sendable, CaseIterable { case crop, pad, blur }
    public enum Corner: String, Sendable, CaseIterable {
        case topLeft = "top-left", topRight = "top-right", bottomLeft = "bottom-left", bottomRight = "bottom-right"
    }

    public struct Overlay: Sendable {
        public var image: LocalFile
        public var corner: Corner = .topRight
        /// Fraction of the frame's width.
        public var width = 0.15
        /// Fraction of the frame's shorter side.
        public var margin = 0.04
        public var opacity = 1.0
    }

    public struct EndCard: Sendable {
        public var image: LocalFile
        public var seconds: Double
    }

    public struct GIF: Sendable, Equatable {
        public var width = 480
        public var fps = 12
        public var from = 0.0
        public var to = 3.0
    }

    /// Preset names, each with its position (one output each); empty when `size` stands instead.
    public var platforms: [Located<String>] = []
    /// `size: WxH`, even and non-zero.
    public var size: Located<PictureSize>?
    public var fit: Fit = .crop
    public var overlay: Overlay?
    public var fadeIn = 0.0
    public var fadeOut = 0.0
    public var endCard: EndCard?
    public var music: LocalFile?
    /// dB under the programme.
    public var musicLevel = -12.0
    /// Keep the render's own sound.
    public var original = true
    public var originalMark: Mark?
    public var loudness: Double?
    public var truePeak: Double?
    public var captions: LocalFile?
    /// Seconds into the deliverable of the poster frame (out/<name>.jpg).
    public var poster: Double?
    public var gif: GIF?
    public var mark: Mark

    /// The finishing files, for digests and existence checks.
    public var files: [LocalFile] {
        [overlay?.image, endCard?.image, music, captions].compactMap { $0 }
    }
}

/// A picture size in pixels.
public struct PictureSize: Sendable, Hashable {
    public var width: Int
    public var height: Int
    public init(width: Int, height: Int) { self.width = width; self.height = height }
}
