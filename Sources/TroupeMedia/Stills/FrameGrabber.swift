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
        // Stills are shown upright, as a player would show the clip.
        let turn = ((Int(reader.video.rotation.rounded()) % 360) + 360) % 360 / 90 * 90
        guard upright, turn != 0 else { return frame }
        return try Upright(degrees: turn, width: turn % 180 == 0 ? frame.width : frame.height,
                           height: turn % 180 == 0 ? frame.height : frame.width, path: path, fast: false).turn(frame)
    }
}
