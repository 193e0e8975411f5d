/// Still image formats troupe reads and writes.
public enum ImageFormat: String, Sendable, Codable, CaseIterable {
    case png, jpeg
}

/// H.264 encoding settings for every re-encoding operation.
public struct VideoSettings: Sendable, Equatable, Codable {
    /// x264 preset (ultrafast … veryslow).
    public var preset: String
    /// x264 constant rate factor (0–51, lower is better).
    public var crf: Int
    /// Keyframe interval in frames; nil = two seconds' worth.
    public var gop: Int?
    /// Encoder threads. Fixed rather than automatic because x264's output depends on the
    /// thread count: a fixed count gives the same bytes on every machine.
    public var threads: Int
    /// AAC with FFmpeg's fast coder rather than the two-loop one (previews).
    public var fastAudio: Bool?

    public init(preset: String = "veryfast", crf: Int = 20, gop: Int? = nil, threads: Int = 4, fastAudio: Bool? = nil) {
        self.preset = preset; self.crf = crf; self.gop = gop; self.threads = threads; self.fastAudio = fastAudio
    }

    public static let standard = VideoSettings()
    /// For previews: speed over size. Two encoder threads: more only add overhead on a two-core
    /// machine, where the decoder's threads and the compositing need the cores too.
    public static let preview = VideoSettings(preset: "ultrafast", crf: 26, threads: 2, fastAudio: true)
}
