extension MediaEditor {
    /// Joins clips end to end.
    ///
    /// Stream copy when every clip has the same video setup as the first (codec, size, pixel
    /// format, frame rate, codec headers) and the same audio setup (or none has audio). Otherwise
    /// every clip is re-encoded to the first clip's size and display rotation (turned and
    /// letterboxed if its orientation or aspect differs),
    /// frame rate and H.264/AAC; clips without audio contribute silence so sound stays in sync.
    @discardableResult
    public static func concat(_ sources: [String], to output: String, settings: VideoSettings = .standard,
                              allowStreamCopy: Bool = true,
                              cancellation: MediaCancellation? = nil) throws(MediaError) -> Method {
        guard !sources.isEmpty else { throw .invalidArgument("\(output): concat needs at least one input clip") }
        var readers: [SourceReader] = []
        for source in sources {
            let input = try InputFile(path: source, cancellation: cancellation)
            let reader = try SourceReader(input)
            guard reader.videoDuration > 0 else {
                throw .unreadable(path: source, reason: "the video stream has no duration")
            }
            readers.append(reader)
        }
        if allowStreamCopy && StreamCopy.canConcat(readers, into: output) {
            try StreamCopy.concat(readers, to: output, cancellation: cancellation)
            return .streamCopy
        }
        let first = readers[0]
        let rate = first.frameRate
        let audioFormat = readers.lazy.compactMap(\.audio).first.map { ($0.sampleRate, max(1, $0.channels)) }
        let muxer = try Muxer(path: output, width: first.video.width & ~1, height: first.video.height & ~1,
                              frameRate: rate, settings: settings, audio: audioFormat,
                              rotation: .like(first.input, first.video.index), cancellation: cancellation)
        for reader in readers {
            let length = reader.videoDuration
            // A clip shot in another orientation is turned to match the first clip's.
            let turn = ((Int((reader.video.rotation - first.video.rotation).rounded()) % 360) + 360) % 360 / 90 * 90
            let upright = turn == 0 ? nil : try Upright(
                degrees: turn, width: turn % 180 == 0 ? reader.video.width : reader.video.height,
                height: turn % 180 == 0 ? reader.video.height : reader.video.width, path: reader.input.path, fast: false)
            try muxer.appendSegment(frames: max(1, Int((length * rate.value).rounded())), from: reader, end: length,
                                    upright: upright)
        }
        try muxer.finish()
        return .reencode
    }
}
