internal import CFFmpeg

/// Encodes decoded audio into an output's AAC stream, segment by segment, padding gaps with
/// silence and cutting overlaps so that each segment holds exactly the samples its video lasts.
final class AudioSink {
    let sampleRate: Int, channels: Int
    private let encoder: Encoder
    private let output: OutputFile
    private let stream: Int
    private let fifo: AudioFifo
    private let packet = Packet()
    private var resampler: Resampler?
    private var resamplerKey: [Int] = []
    private var encodedSamples: Int64 = 0
    private var segmentTarget = 0
    private var segmentWritten = 0
    /// Offsets within this many samples count as contiguous (decoder timestamps jitter).
    private let slack = 64

    init(output: OutputFile, sampleRate: Int, channels: Int, fast: Bool = false) throws(MediaError) {
        self.sampleRate = sampleRate; self.channels = channels
        self.output = output
        encoder = try .aac(path: output.path, sampleRate: sampleRate, channels: channels,
                           globalHeader: output.needsGlobalHeader, fast: fast)
        stream = try output.addStream(encoder: encoder)
        fifo = AudioFifo(format: encoder.sampleFormat, channels: channels, rate: sampleRate)
    }

    func beginSegment(samples: Int) {
        segmentTarget = samples
        segmentWritten = 0
        resampler = nil
    }

    /// Offers decoded audio that starts `seconds` after the segment start.
    func feed(_ frame: Frame, at seconds: Double) throws(MediaError) {
        let key = [frame.sampleRate, Int(frame.sampleFormat.rawValue), frame.channels]
        if resampler == nil || key != resamplerKey {
            try flushResampler()
            resampler = try Resampler(from: frame, toRate: sampleRate, format: encoder.sampleFormat, channels: channels)
            resamplerKey = key
        }
        let converted = resampler!.convert(frame)
        try place(converted, at: Int((seconds * Double(sampleRate)).rounded()))
    }

    private func place(_ frame: Frame, at position: Int?) throws(MediaError) {
        var skip = 0
        if let position {
            if position > segmentWritten + slack {
                let gap = min(position, segmentTarget) - segmentWritten
                if gap > 0 { fifo.writeSilence(gap); segmentWritten += gap }
            } else if position < segmentWritten - slack {
                skip = segmentWritten - position
            }
        }
        let count = min(frame.sampleCount - skip, segmentTarget - segmentWritten)
        if count > 0 {
            fifo.write(frame, offset: skip, count: count)
            segmentWritten += count
        }
        try encodeFull()
    }

    private func flushResampler() throws(MediaError) {
        guard let resampler else { return }
        let rest = resampler.convert(nil)
        if rest.sampleCount > 0 { try place(rest, at: nil) }
        self.resampler = nil
    }

    /// Pads the segment with silence up to its length.
    func endSegment() throws(MediaError) {
        try flushResampler()
        if segmentWritten < segmentTarget {
            fifo.writeSilence(segmentTarget - segmentWritten)
            segmentWritten = segmentTarget
        }
        try encodeFull()
    }

    private func encodeFull() throws(MediaError) {
        let size = encoder.frameSize > 0 ? encoder.frameSize : 1024
        while fifo.count >= size { try encode(fifo.read(size)) }
    }

    private func encode(_ frame: Frame) throws(MediaError) {
        frame.pts = encodedSamples
        encodedSamples += Int64(frame.sampleCount)
        try encoder.send(frame)
        try drain()
    }

    private func drain() throws(MediaError) {
        while try encoder.receive(into: packet) {
            packet.streamIndex = stream
            packet.rescale(from: encoder.timeBase, to: output.timeBase(stream))
            try output.write(packet)
        }
    }

    /// Encodes what is left and flushes the encoder.
    func finish() throws(MediaError) {
        if fifo.count > 0 { try encode(fifo.read(fifo.count)) }
        try encoder.send(nil)
        try drain()
    }
}
