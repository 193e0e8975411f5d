/// The preview's MP4: one H.264 picture per preview frame, and the clip's sound looped or cut with
/// the pictures. The sound is copied packet for packet, so it is the clip's own, bit for bit;
/// only a codec MP4 cannot carry is re-encoded to AAC.
final class PreviewWriter {
    private let output: OutputFile
    private let video: VideoSink
    private let sound: PreviewSound?
    private let total: Int
    private let period: Double
    private var written = 0

    /// `total` preview frames at the source's rate and size; sound when the source kept any.
    init(path: String, source: PreviewSource, total: Int, settings: VideoSettings,
         cancellation: MediaCancellation?) throws(MediaError) {
        let file = try OutputFile(path: path, cancellation: cancellation)
        output = file
        video = try VideoSink(output: file, width: source.width, height: source.height, frameRate: source.rate,
                              settings: settings)
        sound = try source.audio.map { a throws(MediaError) in
            try PreviewSound(output: file, source: source, stream: a, total: total, fastAAC: settings.fastAudio == true)
        }
        self.total = total
        period = 1 / source.rate.value
        try output.writeHeader()
        video.beginSegment(frames: total)
    }

    /// Adds the next preview frame (yuv420p at the preview's size); the sound up to its end
    /// goes first, so the file interleaves as it is written.
    func append(_ frame: Frame) throws(MediaError) {
        guard written < total else { return }
        try sound?.advance(to: Double(written + 1) * period)
        try video.feed(frame, at: Double(written) * period)
        written += 1
    }

    func finish() throws(MediaError) {
        try video.endSegment()
        try sound?.advance(to: Double(total) * period)
        try video.finish()
        try sound?.finish()
        try output.finish()
    }
}

/// The clip's sound laid under the preview: pass n over the clip starts n·(clip frames) into the
/// preview; within a pass, packets keep their times. Packets before the clip's start (encoder
/// priming) play only in the first pass, and none starts at or after the preview's end.
private final class PreviewSound {
    private let output: OutputFile
    private let source: PreviewSource
    private let stream: StreamInfo
    private let out: Int
    private let loopSeconds: Double, endSeconds: Double
    private let totalFrames: Int
    /// Re-encoding, when MP4 cannot carry the clip's codec.
    private let sink: AudioSink?
    private let decoder: Decoder?
    private var pass = 0, index = 0, lastDts: Int64?
    /// The pass whose segment the re-encoder is filling.
    private var segmentPass = -1

    init(output: OutputFile, source: PreviewSource, stream: StreamInfo, total: Int, fastAAC: Bool) throws(MediaError) {
        self.output = output; self.source = source; self.stream = stream
        let period = 1 / source.rate.value
        loopSeconds = Double(source.frames) * period
        endSeconds = Double(total) * period
        totalFrames = total
        if OutputFile.canHold(stream.codecID, path: output.path) {
            out = try output.addStream(copying: stream.index, of: source.input)
            sink = nil; decoder = nil
        } else {
            let made = try AudioSink(output: output, sampleRate: max(1, stream.sampleRate),
                                     channels: max(1, stream.channels), fast: fastAAC)
            out = -1
            sink = made
            decoder = try Decoder(input: source.input, stream: stream, threads: 1)
        }
    }

    /// Writes every packet that starts before `seconds` of the preview.
    func advance(to seconds: Double) throws(MediaError) {
        let origin = source.input.startSeconds
        while !source.audioPackets.isEmpty {
            if index == source.audioPackets.count {
                // The first pass over the clip is still reading: the rest comes with later frames.
                if !source.soundComplete || Double(pass + 1) * loopSeconds >= endSeconds { return }
                pass += 1; index = 0
            }
            if sink != nil && segmentPass != pass { try openSegment() }
            let packet = source.audioPackets[index]
            guard let pts = packet.pts else { index += 1; continue }
            let local = stream.timeBase.seconds(pts) - origin
            let start = local + Double(pass) * loopSeconds
            let lastPass = Double(pass + 1) * loopSeconds >= endSeconds
            if (pass > 0 && local < 0) || (!lastPass && local >= loopSeconds) || start >= endSeconds {
                index += 1
                continue
            }
            if start >= seconds { return }
            try write(packet, pass: pass, origin: origin)
            index += 1
        }
    }

    private func openSegment() throws(MediaError) {
        guard let sink else { return }
        if segmentPass >= 0 { try sink.endSegment(); decoder?.flush() }
        segmentPass = pass
        let rate = source.rate.value, sr = Double(sink.sampleRate)
        let first = min(totalFrames, pass * source.frames), last = min(totalFrames, (pass + 1) * source.frames)
        let samples = Int((Double(last) / rate * sr).rounded()) - Int((Double(first) / rate * sr).rounded())
        sink.beginSegment(samples: samples)
    }

    private func write(_ packet: Packet, pass: Int, origin: Double) throws(MediaError) {
        if let sink, let decoder {
            try decoder.send(packet.clone())
            let frame = Frame()
            while try decoder.receive(into: frame) {
                guard let pts = frame.pts else { continue }
                try sink.feed(frame, at: stream.timeBase.seconds(pts) - origin)
            }
            return
        }
        let copy = packet.clone()
        copy.shift(by: stream.timeBase.ticks(Double(pass) * loopSeconds - origin))
        copy.streamIndex = out
        copy.rescale(from: stream.timeBase, to: output.timeBase(out))
        // Passes join where one ends; rounding must never step a stream backwards.
        if let dts = copy.dts, let last = lastDts, dts <= last {
            copy.dts = last + 1
            if let pts = copy.pts, pts < last + 1 { copy.pts = last + 1 }
        }
        lastDts = copy.dts
        try output.write(copy)
    }

    func finish() throws(MediaError) {
        guard let sink, let decoder else { return }
        try decoder.send(nil)
        let frame = Frame()
        while try decoder.receive(into: frame) {
            guard let pts = frame.pts else { continue }
            try sink.feed(frame, at: stream.timeBase.seconds(pts) - source.input.startSeconds)
        }
        if segmentPass >= 0 { try sink.endSegment() }
        try sink.finish()
    }
}
