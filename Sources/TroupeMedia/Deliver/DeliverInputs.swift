internal import CFFmpeg

/// A still image (logo, end card) decoded once, in its own pixel format (alpha kept).
struct StillImage {
    let frame: Frame

    init(_ path: String, cancellation: MediaCancellation?) throws(MediaError) {
        let input = try InputFile(path: path, cancellation: cancellation)
        guard let stream = input.bestStream(.video) else { throw .noVideoStream(path: path) }
        let decoder = try Decoder(input: input, stream: stream, threads: 1)
        let packet = Packet(), frame = Frame()
        while try input.read(into: packet) {
            guard packet.streamIndex == stream.index else { continue }
            try decoder.send(packet)
            if try decoder.receive(into: frame) { self.frame = frame; return }
        }
        try decoder.send(nil)
        guard try decoder.receive(into: frame) else {
            throw .decodeFailed(path: path, reason: "no picture could be decoded")
        }
        self.frame = frame
    }

    func source(_ label: String, rate: Rational) -> FilterGraph.Source {
        .video(label: label, width: frame.width, height: frame.height, format: frame.pixelFormat,
               timeBase: rate.inverted, frameRate: rate)
    }
}

/// The sound of a file decoded from a point in time: frames with times relative to it.
/// Audio-only passes (loudness measuring) read it without decoding any picture.
struct SoundReader {
    let input: InputFile
    let stream: StreamInfo

    init?(_ input: InputFile) {
        guard let stream = input.bestStream(.audio) else { return nil }
        self.input = input
        self.stream = stream
    }

    /// The source of a graph fed by this sound, times in microseconds.
    func source(_ label: String) -> FilterGraph.Source {
        let par = input.codecParameters(stream.index).pointee
        return .audio(label: label, sampleRate: Int(par.sample_rate), format: AVSampleFormat(rawValue: par.format),
                      channels: max(1, Int(par.ch_layout.nb_channels)), timeBase: Rational(1, 1_000_000))
    }

    /// Calls `body` with each decoded frame from `start` to `end` (seconds), its pts set to
    /// its time from `start` in microseconds.
    func run(from start: Double, to end: Double, _ body: (Frame) throws(MediaError) -> Void) throws(MediaError) {
        let decoder = try Decoder(input: input, stream: stream, threads: 1)
        let origin = input.startSeconds
        try input.seek(stream: stream, to: max(0, start) + origin)
        let packet = Packet()
        func drain() throws(MediaError) {
            while true {
                let frame = Frame()
                guard try decoder.receive(into: frame) else { return }
                guard let pts = frame.pts else { continue }
                frame.pts = Int64(((stream.timeBase.seconds(pts) - origin - start) * 1_000_000).rounded())
                try body(frame)
            }
        }
        while try input.read(into: packet) {
            guard packet.streamIndex == stream.index else { continue }
            if let ts = packet.pts, stream.timeBase.seconds(ts) - origin > end + 0.1 { break }
            try decoder.send(packet)
            try drain()
        }
        try decoder.send(nil)
        try drain()
    }
}

/// A whole audio file (the music bed) decoded into memory, to be fed to as many graph
/// sources as the loop needs copies.
struct DecodedSound {
    let frames: [Frame]
    let sampleRate: Int
    let format: AVSampleFormat
    let channels: Int
    let seconds: Double

    init(_ path: String, cancellation: MediaCancellation?) throws(MediaError) {
        let input = try InputFile(path: path, cancellation: cancellation)
        guard let reader = SoundReader(input) else {
            throw .invalidArgument("\(path): has no sound; use an audio file (m4a, mp3, wav) for the music")
        }
        var frames: [Frame] = []
        var samples = 0
        try reader.run(from: 0, to: .infinity) { frame throws(MediaError) in
            frames.append(frame)
            samples += frame.sampleCount
        }
        guard let first = frames.first, samples > 0 else { throw .decodeFailed(path: path, reason: "no sound could be decoded") }
        self.frames = frames
        sampleRate = first.sampleRate
        format = first.sampleFormat
        channels = first.channels
        seconds = Double(samples) / Double(first.sampleRate)
    }

    func source(_ label: String) -> FilterGraph.Source {
        .audio(label: label, sampleRate: sampleRate, format: format, channels: channels, timeBase: Rational(1, 1_000_000))
    }

    /// Feeds every frame to each source named, then closes them.
    func feed(_ graph: FilterGraph, _ labels: [String]) throws(MediaError) {
        for label in labels {
            for frame in frames { try graph.send(frame, to: label) }
            try graph.close(label)
        }
    }
}
