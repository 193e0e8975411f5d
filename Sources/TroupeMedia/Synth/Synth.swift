import Foundation
internal import CFFmpeg

/// Synthetic media for tests, benchmarks and `troupe init`: deterministic for the same arguments.
public enum Synth {
    /// An audio track to add: a sine tone.
    public struct Tone: Sendable, Equatable {
        public var frequency: Double
        public var sampleRate: Int
        public var channels: Int
        /// A quiet tone with a loud 10 ms click at each whole second, and the picture white on
        /// the frame at each whole second: sound and picture carry the same ticks (sync tests),
        /// and the clicks' peaks stand far above the loudness (limiter tests).
        public var ticks: Bool
        public init(frequency: Double = 440, sampleRate: Int = 48_000, channels: Int = 2, ticks: Bool = false) {
            self.frequency = frequency; self.sampleRate = sampleRate; self.channels = channels; self.ticks = ticks
        }
    }

    /// Writes an H.264 MP4 (or MOV, by extension) of moving boxes over a gradient with the frame
    /// number drawn in binary along the top, and optionally an AAC sine tone.
    /// - Parameters:
    ///   - gop: keyframe interval in frames (default: two seconds).
    ///   - seed: varies colours and motion, so different seeds give different (but stable) bytes.
    ///   - rotation: clockwise display rotation to record (as phones do), in degrees.
    ///   - still: every frame is the first (nothing moves: a clip with no subject to follow).
    public static func video(
        to path: String, width: Int = 480, height: Int = 360, fps: Double = 30, seconds: Double = 4,
        gop: Int? = nil, tone: Tone? = Tone(), seed: Int = 0, rotation: Int = 0, still: Bool = false,
        settings: VideoSettings = .init(preset: "veryfast", crf: 23),
        cancellation: MediaCancellation? = nil
    ) throws(MediaError) {
        guard width >= 16, height >= 16, width % 2 == 0, height % 2 == 0, width <= 8192, height <= 8192 else {
            throw .invalidArgument("\(path): synth size \(width)×\(height) must be even and between 16 and 8192")
        }
        guard fps > 0, fps <= 240, seconds > 0, seconds <= 3600 else {
            throw .invalidArgument("\(path): synth needs 0 < fps ≤ 240 and 0 < seconds ≤ 3600")
        }
        var settings = settings
        if let gop { settings.gop = gop }
        let rate = Rational.frameRate(fps)
        let frames = max(1, Int((seconds * rate.value).rounded()))
        let muxer = try Muxer(path: path, width: width, height: height, frameRate: rate, settings: settings,
                              audio: tone.map { ($0.sampleRate, $0.channels) }, rotation: .degrees(rotation),
                              cancellation: cancellation)
        let pattern = SynthPattern(width: width, height: height, seed: seed)
        var toneWriter = tone.map { ToneGenerator(tone: $0) }
        muxer.beginSegment(frames: frames)
        for index in 0..<frames {
            if cancellation?.isCancelled == true { throw .cancelled(path: path) }
            let t = Double(index) / rate.value
            let picture = pattern.draw(frame: still ? 0 : index)
            if tone?.ticks == true, index % max(1, Int(rate.value.rounded())) == 0 {
                picture.fill(plane: 0, x: 0, y: 0, width: width, height: height, value: 235)
            }
            try muxer.video.feed(picture, at: t)
            // Keep audio just ahead of video so the muxer interleaves without buffering much.
            if var generator = toneWriter, let audio = muxer.audio {
                while generator.time < t + 1 / rate.value {
                    let (frame, start) = generator.next()
                    try audio.feed(frame, at: start)
                }
                toneWriter = generator
            }
        }
        try muxer.endSegment()
        try muxer.finish()
    }

    /// Writes a PNG or JPEG "character": a coloured figure on a gradient, varied by `seed`.
    public static func image(to path: String, width: Int = 512, height: Int = 768, format: ImageFormat? = nil,
                             seed: Int = 0) throws(MediaError) {
        guard width >= 2, height >= 2, width <= 8192, height <= 8192 else {
            throw .invalidArgument("\(path): synth image size \(width)×\(height) must be between 2 and 8192")
        }
        let resolved: ImageFormat
        if let format { resolved = format } else { resolved = try ImageWriter.format(for: path) }
        let frame = Frame.video(width: width, height: height, format: AV_PIX_FMT_RGB24)
        let hue = (seed * 67) % 256
        let cx = Double(width) / 2, cy = Double(height) * 0.55
        let radius = Double(min(width, height)) * 0.3
        let eyeY = cy - radius * 0.25, eyeDX = radius * 0.35, eyeR = radius * 0.12
        frame.fillRGB { x, y in
            let dx = Double(x) - cx, dy = Double(y) - cy
            if (Double(x) - cx + eyeDX) * (Double(x) - cx + eyeDX) + (Double(y) - eyeY) * (Double(y) - eyeY) < eyeR * eyeR
                || (Double(x) - cx - eyeDX) * (Double(x) - cx - eyeDX) + (Double(y) - eyeY) * (Double(y) - eyeY) < eyeR * eyeR {
                return (20, 20, 30)
            }
            if dx * dx + dy * dy < radius * radius {
                return (UInt8(hue), UInt8(255 - hue), 200)
            }
            return (UInt8(200 * y / height + 30), UInt8(180), UInt8(255 - 200 * x / width))
        }
        try ImageWriter.write(frame, to: path, format: resolved)
    }
}

/// Produces consecutive 1024-sample frames of a sine tone.
struct ToneGenerator {
    let tone: Synth.Tone
    private var sample = 0

    init(tone: Synth.Tone) { self.tone = tone }

    var time: Double { Double(sample) / Double(tone.sampleRate) }

    mutating func next() -> (Frame, Double) {
        let count = 1024
        let frame = Frame.audio(samples: count, format: AV_SAMPLE_FMT_FLT, sampleRate: tone.sampleRate,
                                channels: tone.channels)
        let step = 2 * Double.pi * tone.frequency / Double(tone.sampleRate)
        let start = time
        let rate = tone.sampleRate, ticks = tone.ticks
        frame.fillSamples { i in
            let s = sample + i
            guard ticks else { return Float(0.3 * sin(step * Double(s))) }
            let click = s % rate < rate / 100
            return Float(click ? 0.9 * sin(2 * Double.pi * 1000 * Double(s) / Double(rate)) : 0.1 * sin(step * Double(s)))
        }
        sample += count
        return (frame, start)
    }
}
