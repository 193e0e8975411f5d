import Foundation

/// A platform-ready file made from one input: libavfilter graphs run in-process (DESIGN §5).
///
/// Loudness is two-pass: the sound alone is first measured (the programme and the music apart,
/// to set the bed under the programme, then their mix), then the picture and the sound are
/// made in one pass with the gain that meets the target and a true-peak limiter.
public enum Deliverable {
    /// The engine's version, part of every deliverable's content key: bump it when the same
    /// spec would make a different file.
    public static let engineVersion = 1

    /// What was made.
    public struct Result: Sendable, Equatable {
        public var seconds: Double
        /// The sound as measured before the gain, and the gain applied (dB); nil without sound.
        public var measured: LoudnessReading?
        public var gain: Double?
        /// The filter graphs run, in order: the sound's measuring passes, then the one that made
        /// the file (the benchmark gives the same graphs to the ffmpeg CLI).
        public var graphs: [String]
    }

    /// Makes `output` (MP4, H.264 High + AAC-LC 48 kHz stereo, faststart) from `source`.
    @discardableResult
    public static func make(_ source: String, spec: DeliverSpec, to output: String, settings: VideoSettings = .standard,
                            threads: Int = 0, cancellation: MediaCancellation? = nil) throws(MediaError) -> Result {
        let input = try InputFile(path: source, cancellation: cancellation)
        guard let video = input.bestStream(.video) else { throw .noVideoStream(path: source) }
        let sound = spec.original ? SoundReader(input) : nil
        if spec.original && sound == nil {
            throw .invalidArgument("\(source): has no sound to keep; set `audio: {original: false}` (music only or silence)")
        }
        let rate = video.frameRate
        let length = input.durationSeconds ?? video.durationSeconds ?? 0
        let start = spec.trim?.lowerBound ?? 0
        let end = min(spec.trim?.upperBound ?? length, length)
        guard start >= 0, end > start else { throw .invalidRange(path: source, start: start, end: end, duration: length) }
        let frames = max(1, Int(((end - start) * rate.value).rounded()))
        let music = try spec.music.map { m throws(MediaError) in try DecodedSound(m.path, cancellation: cancellation) }
        let graph = DeliverGraph(spec: spec, rate: rate, programme: Double(frames) / rate.value,
                                 hasSound: sound != nil, musicSeconds: music?.seconds)
        let inputs = DeliverRun.Inputs(source: source, start: start, end: end, sound: sound, music: music)
        let levels = try DeliverLevels.measure(graph, inputs, cancellation: cancellation)
        let run = try DeliverRun(graph: graph, inputs: inputs, levels: levels, output: output, settings: settings,
                                 threads: threads, cancellation: cancellation)
        try run.encode()
        return Result(seconds: graph.total, measured: levels.measured, gain: levels.gain, graphs: levels.passes + [run.description])
    }

    /// The picture at `seconds` of a made deliverable, as JPEG (the output's poster).
    public static func poster(_ source: String, at seconds: Double, to output: String,
                              cancellation: MediaCancellation? = nil) throws(MediaError) {
        try MediaStills.thumbnail(source, at: seconds, to: output, cancellation: cancellation)
    }
}

/// The gains of the two-pass loudness: the bed's under the programme, then the whole's.
struct DeliverLevels {
    var musicGain: Double?
    var gain: Double
    var measured: LoudnessReading?
    /// The measuring graphs run.
    var passes: [String] = []

    static func measure(_ graph: DeliverGraph, _ inputs: DeliverRun.Inputs,
                        cancellation: MediaCancellation?) throws(MediaError) -> DeliverLevels {
        var passes: [String] = []
        func run(_ chain: String, _ graph: DeliverGraph, _ inputs: DeliverRun.Inputs, music: Bool, sound: Bool,
                 _ cancellation: MediaCancellation?) throws(MediaError) -> LoudnessReading {
            passes.append(DeliverGraph.measured(chain))
            return try Self.run(chain, graph, inputs, music: music, sound: sound, cancellation)
        }
        var musicGain: Double?
        if inputs.music != nil, let level = graph.spec.music?.level {
            let bed = try run(graph.music(gain: 0), graph, inputs, music: true, sound: false, cancellation)
            if inputs.sound != nil {
                let programme = try run(graph.programmeSound, graph, inputs, music: false, sound: true, cancellation)
                // Silence measures -70: nothing to sit under, so the bed is taken as it is.
                musicGain = programme.integrated > -69 && bed.integrated > -69 ? programme.integrated + level - bed.integrated : 0
            } else {
                musicGain = 0
            }
        }
        guard inputs.sound != nil || inputs.music != nil else { return DeliverLevels(musicGain: nil, gain: 0, measured: nil) }
        let mix = try run(graph.mix(musicGain: musicGain), graph, inputs, music: inputs.music != nil,
                          sound: inputs.sound != nil, cancellation)
        guard mix.integrated > -69 else { return DeliverLevels(musicGain: musicGain, gain: 0, measured: mix, passes: passes) }
        // The limiter takes some loudness off peaky sound: measure what it leaves and make up
        // the difference (audio-only passes are cheap next to the picture's).
        var gain = graph.spec.loudness - mix.integrated
        for _ in 0..<3 {
            let limited = try run(graph.sound(musicGain: musicGain, gain: gain), graph, inputs, music: inputs.music != nil,
                                  sound: inputs.sound != nil, cancellation)
            let miss = graph.spec.loudness - limited.integrated
            if abs(miss) < 0.15 { break }
            gain += miss
        }
        return DeliverLevels(musicGain: musicGain, gain: gain, measured: mix, passes: passes)
    }

    /// Runs one measuring graph over the sound alone.
    private static func run(_ chain: String, _ graph: DeliverGraph, _ inputs: DeliverRun.Inputs, music: Bool, sound: Bool,
                            _ cancellation: MediaCancellation?) throws(MediaError) -> LoudnessReading {
        let copies = music ? (0..<graph.musicCopies).map { "m\($0)" } : []
        var sources: [FilterGraph.Source] = copies.map { inputs.music!.source($0) }
        if sound, let s = inputs.sound { sources.append(s.source("snd")) }
        let meter = try Meter(FilterGraph(DeliverGraph.measured(chain), sources: sources,
                                          sinks: [.audio(label: "aout", frameSize: nil)], threads: 1, path: inputs.source))
        if music, let bed = inputs.music { try bed.feed(meter.graph, copies) }
        if sound, let s = inputs.sound {
            try s.run(from: inputs.start, to: inputs.end) { frame throws(MediaError) in
                if cancellation?.isCancelled == true { throw .cancelled(path: inputs.source) }
                try meter.feed(frame, to: "snd")
            }
            return try meter.finish(closing: ["snd"])
        }
        return try meter.finish(closing: [])
    }
}
