/// Decodes the picture shown at a moment of a clip (or an image's only picture).
enum FrameGrabber {
    /// `upright` applies the clip's display rotation.
    static func grab(_ path: String, at seconds: Double?, upright: Bool = true,
                     cancellation: MediaCancellation?) throws(MediaError) -> Frame {
        let input = try InputFile(path: path, cancellation: cancellation)
        let reader = try SourceReader(input, audio: false)
        let duration = reader.videoDuration
        let period = 1 / reader.frameRate.value
        let wanted = seconds ?? duration / 2
        guard wanted >= 0 else { throw .invalidRange(path: path, start: wanted, end: wanted, duration: duration) }
        // Past the end means the last frame.
        let at = duration > 0 ? min(wanted, max(0, duration - period)) : 0
        var picked: Frame?
        var last: Frame?
        try reader.run(from: at, to: at + period, video: { frame, t throws(MediaError) in
            last = frame
            if picked == nil && t >= -period / 2 { picked = frame }
        }, audio: { _, _ throws(MediaError) in })
        guard let frame = picked ?? last else {
            throw .decodeFailed(path: path, reason: "no picture could be decoded at \(MediaError.seconds(at)) s")
        }
        return upright ? try Self.upright(frame, reader: reader, path: path) : frame
    }

    /// The keyframe at or before `seconds` (default: the middle), upright: one decoded picture
    /// and a single decoding thread, since callers make many of these side by side.
    static func keyframe(_ path: String, near seconds: Double?, cancellation: MediaCancellation?) throws(MediaError) -> Frame {
        let input = try InputFile(path: path, cancellation: cancellation)
        let reader = try SourceReader(input, audio: false, videoThreads: 1)
        let wanted = max(0, seconds ?? reader.videoDuration / 2)
        guard let frame = try reader.keyframe(at: min(wanted, max(0, reader.videoDuration))) else {
            throw .decodeFailed(path: path, reason: "no picture could be decoded near \(MediaError.seconds(wanted)) s")
        }
        return try upright(frame, reader: reader, path: path)
    }

    /// Stills are shown upright, as a player would show the clip.
    private static func upright(_ frame: Frame, reader: SourceReader, path: String) throws(MediaError) -> Frame {
        let turn = ((Int(reader.video.rotation.rounded()) % 360) + 360) % 360 / 90 * 90
        guard turn != 0 else { return frame }
        return try Upright(degrees: turn, width: turn % 180 == 0 ? frame.width : frame.height,
                           height: turn % 180 == 0 ? frame.height : frame.width, path: path, fast: false).turn(frame)
    }
}
