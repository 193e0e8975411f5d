internal import CFFmpeg

/// Encodes decoded frames into an output's H.264 stream at a constant frame rate.
///
/// Work is split in segments of a known number of output frames. Each output slot k of a
/// segment shows the latest source frame whose time (seconds from the segment start) is at most
/// (k + ½)/fps, so frames before the segment start, duplicates and drops for a different source
/// rate, and gaps all fall out of one rule, and every segment lasts exactly frames/fps. A frame on
/// a slot boundary (or up to 1/32 slot before it: time stamps are rounded, to the millisecond in
/// some containers) belongs to the next slot, so halving a rate shows frames 0, 2, 4… in even
/// steps rather than whichever side rounding favours.
final class VideoSink {
    let width: Int, height: Int
    let frameRate: Rational
    private let encoder: Encoder
    private let output: OutputFile
    let stream: Int
    private let packet = Packet()
    private var scaler: Scaler?
    private let fastScaling: Bool
    /// Called on each converted frame before encoding (the preview overlay).
    var compose: ((Frame) -> Void)?

    private(set) var producedFrames = 0
    private var segmentFrames = 0
    private var nextSlot = 0
    private var pending: Frame?
    private var pendingConverted: Frame?

    init(output: OutputFile, width: Int, height: Int, frameRate: Rational, settings: VideoSettings,
         fastScaling: Bool = false) throws(MediaError) {
        self.width = width; self.height = height; self.frameRate = frameRate
        self.output = output
        self.fastScaling = fastScaling
        encoder = try .h264(path: output.path, width: width, height: height, frameRate: frameRate,
                            settings: settings, globalHeader: output.needsGlobalHeader)
        stream = try output.addStream(encoder: encoder)
    }

    func beginSegment(frames: Int) {
        segmentFrames = frames
        nextSlot = 0
        pending = nil
        pendingConverted = nil
    }

    /// Offers a decoded frame shown from `seconds` after the segment start.
    func feed(_ frame: Frame, at seconds: Double) throws(MediaError) {
        let period = 1 / frameRate.value
        while nextSlot < segmentFrames, (Double(nextSlot) + 0.5) * period < seconds + period / 32 {
            try emit(pending ?? frame)
        }
        if nextSlot < segmentFrames {
            pending = frame
            pendingConverted = nil
        }
    }

    /// Fills the rest of the segment with the last frame (black if there was none).
    func endSegment() throws(MediaError) {
        if pending == nil && nextSlot < segmentFrames {
            let black = Frame.video(width: width, height: height, format: AV_PIX_FMT_YUV420P)
            black.fill(plane: 0, x: 0, y: 0, width: width, height: height, value: 16)
            black.fill(plane: 1, x: 0, y: 0, width: width, height: height, value: 128)
            black.fill(plane: 2, x: 0, y: 0, width: width, height: height, value: 128)
            pending = black
        }
        while nextSlot < segmentFrames, let frame = pending { try emit(frame) }
        pending = nil
        pendingConverted = nil
    }

    private func emit(_ frame: Frame) throws(MediaError) {
        let converted: Frame
        if frame === pending, let cached = pendingConverted {
            converted = cached
        } else {
            converted = try convert(frame)
            if frame === pending { pendingConverted = converted }
        }
        // A repeated frame is re-sent as a fresh frame referencing the same pixels.
        let out = converted.reference()
        out.pts = Int64(producedFrames)
        try encoder.send(out)
        producedFrames += 1
        nextSlot += 1
        try drain()
    }

    /// Scales into the output size, letterboxing when the aspect differs, then composes.
    private func convert(_ frame: Frame) throws(MediaError) -> Frame {
        let same = frame.width == width && frame.height == height && frame.pixelFormat == AV_PIX_FMT_YUV420P
        var result: Frame
        if same && compose == nil {
            return frame
        } else if same {
            result = frame.copy()
        } else {
            let fit = Fit.inside(sourceWidth: frame.width, sourceHeight: frame.height, width: width, height: height)
            if scaler == nil || !scaler!.matches(frame) || scaler!.width != fit.width || scaler!.height != fit.height {
                scaler = try Scaler(from: frame.width, frame.height, frame.pixelFormat,
                                    to: fit.width, fit.height, AV_PIX_FMT_YUV420P, fast: fastScaling, path: output.path)
            }
            let scaled = scaler!.scale(frame)
            if fit.width == width && fit.height == height {
                result = scaled
            } else {
                result = Frame.video(width: width, height: height, format: AV_PIX_FMT_YUV420P)
                result.fill(plane: 0, x: 0, y: 0, width: width, height: height, value: 16)
                result.fill(plane: 1, x: 0, y: 0, width: width, height: height, value: 128)
                result.fill(plane: 2, x: 0, y: 0, width: width, height: height, value: 128)
                result.blit(scaled, x: fit.x, y: fit.y)
            }
        }
        compose?(result)
        return result
    }

    private func drain() throws(MediaError) {
        while try encoder.receive(into: packet) {
            packet.streamIndex = stream
            packet.duration = 1  // one frame; the muxer needs it for the last sample's length
            packet.rescale(from: encoder.timeBase, to: output.timeBase(stream))
            try output.write(packet)
        }
    }

    /// Flushes the encoder.
    func finish() throws(MediaError) {
        try encoder.send(nil)
        try drain()
    }
}

/// Where a picture of one size goes inside another, keeping its aspect (even coordinates).
struct Fit: Equatable {
    var x: Int, y: Int, width: Int, height: Int

    static func inside(sourceWidth: Int, sourceHeight: Int, width: Int, height: Int) -> Fit {
        let scale = min(Double(width) / Double(max(1, sourceWidth)), Double(height) / Double(max(1, sourceHeight)))
        var w = Int((Double(sourceWidth) * scale).rounded()) & ~1
        var h = Int((Double(sourceHeight) * scale).rounded()) & ~1
        // Within a couple of pixels of the target: stretch rather than draw hairline bars.
        if abs(w - width) <= 2 { w = width }
        if abs(h - height) <= 2 { h = height }
        w = max(2, min(w, width)); h = max(2, min(h, height))
        return Fit(x: ((width - w) / 2) & ~1, y: ((height - h) / 2) & ~1, width: w, height: h)
    }
}
