/// An MP4 output fed by a video sink and optionally an audio sink, segment by segment, keeping
/// audio exactly as long as video across segments.
final class Muxer {
    let output: OutputFile
    let video: VideoSink
    let audio: AudioSink?
    private var cumulativeFrames = 0
    private var cumulativeSamples = 0

    init(path: String, width: Int, height: Int, frameRate: Rational, settings: VideoSettings,
         audio: (sampleRate: Int, channels: Int)?, fastScaling: Bool = false,
         rotation: Rotation = .none, cancellation: MediaCancellation?) throws(MediaError) {
        guard width >= 2, height >= 2, width <= 16384, height <= 16384, width % 2 == 0, height % 2 == 0 else {
            throw .invalidArgument("\(path): output size \(width)×\(height) must be even and between 2 and 16384")
        }
        let file = try OutputFile(path: path, cancellation: cancellation)
        output = file
        video = try VideoSink(output: file, width: width, height: height, frameRate: frameRate,
                              settings: settings, fastScaling: fastScaling)
        if let audio {
            self.audio = try AudioSink(output: file, sampleRate: audio.sampleRate, channels: audio.channels,
                                       fast: settings.fastAudio == true)
        } else {
            self.audio = nil
        }
        switch rotation {
        case .none: break
        case .degrees(let d): if d % 360 != 0 { try file.setRotation(video.stream, degrees: d) }
        case .like(let input, let index): try file.keepRotation(video.stream, of: input, index)
        }
        try output.writeHeader()
    }

    /// The display rotation to record on the video stream.
    enum Rotation {
        case none
        case degrees(Int)
        case like(InputFile, Int)
    }

    var frameRate: Rational { video.frameRate }

    /// Starts a segment of `frames` output frames; audio gets the matching number of samples.
    func beginSegment(frames: Int) {
        cumulativeFrames += frames
        video.beginSegment(frames: frames)
        if let audio {
            let end = Int((Double(cumulativeFrames) / frameRate.value * Double(audio.sampleRate)).rounded())
            audio.beginSegment(samples: end - cumulativeSamples)
            cumulativeSamples = end
        }
    }

    func endSegment() throws(MediaError) {
        try video.endSegment()
        try audio?.endSegment()
    }

    func finish() throws(MediaError) {
        try video.finish()
        try audio?.finish()
        try output.finish()
    }
}
