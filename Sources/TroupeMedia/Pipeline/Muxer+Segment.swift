extension Muxer {
    /// One segment of `frames` output frames made from `reader` between `start` and `end`
    /// (source seconds), every picture turned by `upright` first when given: what trim,
    /// conform, concat and the preview each do per input.
    func appendSegment(frames: Int, from reader: SourceReader, start: Double = 0, end: Double,
                       upright: Upright? = nil) throws(MediaError) {
        beginSegment(frames: frames)
        try reader.run(from: start, to: end,
                       video: { frame, t throws(MediaError) in
                           let shown = if let upright { try upright.turn(frame) } else { frame }
                           try video.feed(shown, at: t)
                       },
                       audio: { frame, t throws(MediaError) in try audio?.feed(frame, at: t) })
        try endSegment()
    }
}
