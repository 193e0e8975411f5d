/// Decodes an input from a point in time and hands out frames with times relative to that point.
final class SourceReader {
    let input: InputFile
    let video: StreamInfo
    let audio: StreamInfo?
    private let videoDecoder: Decoder
    private let audioDecoder: Decoder?
    private let packet = Packet()

    /// `fastVideo` and `skipNonReference` trade picture quality and frames for decoding speed
    /// (see `Decoder`); previews only.
    init(_ input: InputFile, audio wantAudio: Bool = true, videoThreads: Int = 0, fastVideo: Bool = false,
         skipNonReference: Bool = false) throws(MediaError) {
        self.input = input
        guard let video = input.bestStream(.video) else { throw .noVideoStream(path: input.path) }
        self.video = video
        videoDecoder = try Decoder(input: input, stream: video, threads: videoThreads, fast: fastVideo)
        videoDecoder.skipNonReference = skipNonReference
        let audio = wantAudio ? input.bestStream(.audio) : nil
        self.audio = audio
        audioDecoder = try audio.map { s throws(MediaError) in try Decoder(input: input, stream: s, threads: 1) }
    }

    /// Where source time 0 is on the streams' timelines: the container's start.
    var origin: Double { input.startSeconds }

    /// Seconds of video: the stream's duration, else the container's.
    var videoDuration: Double {
        video.durationSeconds ?? input.durationSeconds ?? 0
    }

    var frameRate: Rational { video.frameRate }

    /// The keyframe at or before `start` (source seconds), decoded alone: one picture's work
    /// however far into the clip `start` is, for posters of thousands of renders.
    func keyframe(at start: Double) throws(MediaError) -> Frame? {
        if !(input.untouched && start <= 0) {
            try input.seek(stream: video, to: start + origin)
            videoDecoder.flush()
        }
        let frame = Frame()
        while try input.read(into: packet) {
            guard packet.streamIndex == video.index else { continue }
            try videoDecoder.send(packet)
            if try videoDecoder.receive(into: frame) { return frame }
        }
        try videoDecoder.send(nil)
        return try videoDecoder.receive(into: frame) ? frame : nil
    }

    /// Decodes from the keyframe at or before `start` (source seconds) until both streams pass
    /// `end` (or the file ends), calling back with each frame and its time minus `start`.
    func run(from start: Double, to end: Double,
             video onVideo: (Frame, Double) throws(MediaError) -> Void,
             audio onAudio: (Frame, Double) throws(MediaError) -> Void) throws(MediaError) {
        // A run from 0 on an untouched input need not seek (stills and pipes cannot); once
        // anything has read or sought (a keyframe probe before a trim), it must.
        if !(input.untouched && start <= 0) {
            try input.seek(stream: video, to: start + origin)
            videoDecoder.flush()
            audioDecoder?.flush()
        }
        let margin = 4 / max(1, frameRate.value)
        var videoPast = false
        var audioPast = audio == nil

        func drain(_ decoder: Decoder, _ stream: StreamInfo) throws(MediaError) {
            while true {
                let frame = Frame()
                guard try decoder.receive(into: frame) else { return }
                guard let pts = frame.pts else { continue }
                let t = stream.timeBase.seconds(pts) - origin - start
                if stream.kind == .video { try onVideo(frame, t) } else { try onAudio(frame, t) }
            }
        }

        while !(videoPast && audioPast), try input.read(into: packet) {
            let index = packet.streamIndex
            let stamp = (packet.dts ?? packet.pts).map { ts in
                (index == video.index ? video : audio ?? video).timeBase.seconds(ts) - origin
            }
            if index == video.index {
                if let stamp, stamp > end + margin { videoPast = true }
                try videoDecoder.send(packet)
                try drain(videoDecoder, video)
            } else if let audio, let audioDecoder, index == audio.index {
                if let stamp, stamp > end + 0.05 { audioPast = true; continue }
                try audioDecoder.send(packet)
                try drain(audioDecoder, audio)
            }
        }
        try videoDecoder.send(nil)
        try drain(videoDecoder, video)
        if let audio, let audioDecoder {
            try audioDecoder.send(nil)
            try drain(audioDecoder, audio)
        }
    }
}
