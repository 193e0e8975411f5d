internal import CFFmpeg

/// Decodes a whole file and reports what is really in it: frame counts, timestamps, audio
/// length and the synth frame numbers. For tests and `troupe media probe --deep`.
struct MediaReport: Sendable {
    var videoFrames = 0
    /// Presentation times of the video frames, seconds, in display order.
    var videoTimes: [Double] = []
    /// Synth frame numbers read from each frame (only when asked).
    var frameNumbers: [Int] = []
    var audioSamples = 0
    var audioSampleRate = 0
    var audioStart: Double?
    var width = 0, height = 0

    var audioSeconds: Double { audioSampleRate == 0 ? 0 : Double(audioSamples) / Double(audioSampleRate) }
}

enum MediaInspector {
    static func inspect(_ path: String, readFrameNumbers: Bool = false, patternScale: Double = 1) throws(MediaError) -> MediaReport {
        let input = try InputFile(path: path)
        var report = MediaReport()
        guard let video = input.bestStream(.video) else { throw .noVideoStream(path: path) }
        let audio = input.bestStream(.audio)
        let videoDecoder = try Decoder(input: input, stream: video, threads: 1)
        let audioDecoder = try audio.map { s throws(MediaError) in try Decoder(input: input, stream: s, threads: 1) }
        let packet = Packet(), frame = Frame()
        var gray: Scaler?

        func take(_ decoder: Decoder, _ stream: StreamInfo) throws(MediaError) {
            while try decoder.receive(into: frame) {
                let t = frame.pts.map { stream.timeBase.seconds($0) } ?? 0
                if stream.kind == .video {
                    report.videoFrames += 1
                    report.videoTimes.append(t)
                    report.width = frame.width; report.height = frame.height
                    if readFrameNumbers {
                        var picture = frame
                        if frame.pixelFormat != AV_PIX_FMT_YUV420P {
                            if gray == nil { gray = try Scaler(from: frame.width, frame.height, frame.pixelFormat,
                                                               to: frame.width, frame.height, AV_PIX_FMT_YUV420P, path: path) }
                            picture = gray!.scale(frame)
                        }
                        report.frameNumbers.append(SynthPattern.frameNumber(in: picture, scale: patternScale))
                    }
                } else {
                    if report.audioStart == nil { report.audioStart = t }
                    report.audioSamples += frame.sampleCount
                    report.audioSampleRate = frame.sampleRate
                }
            }
        }

        while try input.read(into: packet) {
            if packet.streamIndex == video.index {
                try videoDecoder.send(packet); try take(videoDecoder, video)
            } else if let audio, let audioDecoder, packet.streamIndex == audio.index {
                try audioDecoder.send(packet); try take(audioDecoder, audio)
            }
        }
        try videoDecoder.send(nil); try take(videoDecoder, video)
        if let audio, let audioDecoder { try audioDecoder.send(nil); try take(audioDecoder, audio) }
        report.videoTimes.sort()
        return report
    }
}
