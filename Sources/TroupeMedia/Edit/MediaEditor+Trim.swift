extension MediaEditor {
    /// Cuts `[start, end]` (seconds) out of a clip.
    ///
    /// Stream copy when both cuts fall on keyframes (within half a frame; the end may also be the
    /// clip's end); otherwise a frame-accurate re-encode whose length is end − start rounded to
    /// whole frames. Audio is cut to the same span.
    @discardableResult
    public static func trim(_ source: String, to output: String, start: Double, end: Double,
                            settings: VideoSettings = .standard, allowStreamCopy: Bool = true,
                            cancellation: MediaCancellation? = nil) throws(MediaError) -> Method {
        let input = try InputFile(path: source, cancellation: cancellation)
        let reader = try SourceReader(input)
        let duration = input.durationSeconds ?? reader.videoDuration
        let half = 0.5 / reader.frameRate.value
        guard start >= 0, end > start, end <= duration + half, start < duration else {
            throw .invalidRange(path: source, start: start, end: end, duration: duration)
        }
        let end = min(end, duration)
        if allowStreamCopy, StreamCopy.canCopy(reader, into: output), let cut = try KeyframeCut.find(input, reader.video, start: start, end: end, duration: duration) {
            try StreamCopy.trim(input, reader.video, reader.audio, cut: cut, to: output, cancellation: cancellation)
            return .streamCopy
        }
        let frames = max(1, Int(((end - start) * reader.frameRate.value).rounded()))
        let muxer = try Muxer(path: output, width: reader.video.width & ~1, height: reader.video.height & ~1,
                              frameRate: reader.frameRate, settings: settings,
                              audio: reader.audio.map { ($0.sampleRate, max(1, $0.channels)) },
                              rotation: .like(input, reader.video.index), cancellation: cancellation)
        try muxer.appendSegment(frames: frames, from: reader, start: start, end: end)
        try muxer.finish()
        return .reencode
    }
}

/// Cut points on keyframes, as exact stream timestamps (video ticks).
struct KeyframeCut {
    var startTicks: Int64
    var endTicks: Int64?
    var startSeconds: Double
    var endSeconds: Double

    /// Finds whether `start` and `end` fall on keyframes; nil when a re-encode is needed.
    static func find(_ input: InputFile, _ video: StreamInfo, start: Double, end: Double,
                     duration: Double) throws(MediaError) -> KeyframeCut? {
        let half = 0.5 / video.frameRate.value
        let origin = input.startSeconds
        guard let startKey = try keyframe(input, video, at: start + origin),
              abs(video.timeBase.seconds(startKey) - origin - start) <= half else { return nil }
        if end >= duration - half {
            return KeyframeCut(startTicks: startKey, endTicks: nil, startSeconds: start, endSeconds: end)
        }
        guard let endKey = try keyframe(input, video, at: end + origin),
              abs(video.timeBase.seconds(endKey) - origin - end) <= half else { return nil }
        return KeyframeCut(startTicks: startKey, endTicks: endKey, startSeconds: start, endSeconds: end)
    }

    /// The pts of the keyframe at or before `seconds`: seek there and read the first video packet.
    private static func keyframe(_ input: InputFile, _ video: StreamInfo, at seconds: Double) throws(MediaError) -> Int64? {
        try input.seek(stream: video, to: seconds + 0.25 / video.frameRate.value)
        let packet = Packet()
        while try input.read(into: packet) {
            guard packet.streamIndex == video.index else { continue }
            return packet.isKey ? packet.pts : nil
        }
        return nil
    }
}
