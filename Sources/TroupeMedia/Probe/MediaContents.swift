/// What kinds of streams a file holds, as libavformat finds them: what a deliverable's finishing
/// file (logo, end card, music, captions) is checked against before anything is made.
public struct MediaContents: Sendable, Equatable {
    public enum Kind: String, Sendable, CaseIterable {
        /// A still picture (PNG, JPEG, …) that decodes.
        case image
        /// Moving pictures.
        case video
        case audio
        /// Subtitles (SubRip, ASS/SSA, WebVTT), as the `subtitles` filter reads them.
        case subtitles
    }

    /// Every kind of stream in the file: a video with sound is `[video, audio]`; an MP3's cover
    /// art is not counted as a picture.
    public var kinds: Set<Kind>
    /// FFmpeg's demuxer name ("png_pipe", "mov,mp4,m4a,3gp,3g2,mj2", "srt", …).
    public var format: String

    public init(kinds: Set<Kind>, format: String) {
        self.kinds = kinds
        self.format = format
    }

    /// The file in words, for a diagnostic: "a video with sound", "sound only", "subtitles".
    public var summary: String {
        if kinds.contains(.video) { return kinds.contains(.audio) ? "a video with sound" : "a video without sound" }
        if kinds.contains(.image) { return "a still picture" }
        if kinds.contains(.audio) { return "sound only" }
        if kinds.contains(.subtitles) { return "subtitles" }
        return "a \(format) file with no picture, sound or subtitles"
    }
}

extension MediaProbe {
    /// Opens `path` and names the kinds of its streams; a still picture is decoded too (a
    /// truncated PNG still has a readable header). Reads no more than the probe needs.
    public static func contents(_ path: String, cancellation: MediaCancellation? = nil) throws(MediaError) -> MediaContents {
        let input = try InputFile(path: path, cancellation: cancellation)
        let format = input.formatName
        let still = format.hasSuffix("_pipe") || format == "image2"
        var kinds = Set<MediaContents.Kind>()
        for stream in input.streams {
            switch stream.kind {
            case .video where stream.isAttachedPicture: continue
            case .video: kinds.insert(still ? .image : .video)
            case .audio: kinds.insert(.audio)
            case .subtitle: kinds.insert(.subtitles)
            case .other: continue
            }
        }
        if still, let picture = input.bestStream(.video) { try decodeOnePicture(input, picture) }
        return MediaContents(kinds: kinds, format: format)
    }
}
