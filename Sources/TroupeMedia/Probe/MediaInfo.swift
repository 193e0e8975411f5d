/// What `MediaProbe` learns about a file.
public struct MediaInfo: Sendable, Codable, Equatable {
    /// Normalised container: "mp4", "mov", "png", "jpeg", or FFmpeg's demuxer name otherwise.
    public var container: String
    /// The file's extension, lowercased, without the dot ("" when none).
    public var fileExtension: String
    /// Seconds; 0 for still images.
    public var durationSeconds: Double
    /// Coded picture size in pixels.
    public var width: Int
    public var height: Int
    /// Display rotation in degrees (clockwise, from the display matrix), usually 0, 90, 180 or 270.
    public var rotation: Int
    /// Frames per second (average); 0 for still images.
    public var fps: Double
    public var videoCodec: String
    public var audioCodec: String?
    public var hasAudio: Bool
    public var audioSampleRate: Int?
    public var audioChannels: Int?
    /// Frames the container declares for the video stream (0 when unknown).
    public var frameCount: Int
    public var sizeBytes: Int
    public var isImage: Bool

    public init(container: String, fileExtension: String, durationSeconds: Double, width: Int, height: Int,
                rotation: Int, fps: Double, videoCodec: String, audioCodec: String?, hasAudio: Bool,
                audioSampleRate: Int?, audioChannels: Int?, frameCount: Int, sizeBytes: Int, isImage: Bool) {
        self.container = container; self.fileExtension = fileExtension; self.durationSeconds = durationSeconds
        self.width = width; self.height = height; self.rotation = rotation; self.fps = fps
        self.videoCodec = videoCodec; self.audioCodec = audioCodec; self.hasAudio = hasAudio
        self.audioSampleRate = audioSampleRate; self.audioChannels = audioChannels
        self.frameCount = frameCount; self.sizeBytes = sizeBytes; self.isImage = isImage
    }

    /// Width and height as displayed (swapped for 90°/270° rotation).
    public var displaySize: (width: Int, height: Int) {
        rotation % 180 == 0 ? (width, height) : (height, width)
    }
}
