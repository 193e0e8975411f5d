import Foundation
internal import CFFmpeg

/// Integrated loudness and true peak as FFmpeg's `ebur128` filter measures them (EBU R 128).
public struct LoudnessReading: Sendable, Equatable, Codable {
    /// Integrated loudness, LUFS (-70 or less: silence).
    public var integrated: Double
    /// True peak, dBTP (4× oversampled).
    public var truePeak: Double

    public init(integrated: Double, truePeak: Double) {
        self.integrated = integrated
        self.truePeak = truePeak
    }
}

public enum Loudness {
    /// Measures a file's sound; nil when it has none.
    public static func measure(_ path: String, cancellation: MediaCancellation? = nil) throws(MediaError) -> LoudnessReading? {
        let input = try InputFile(path: path, cancellation: cancellation)
        guard let sound = SoundReader(input) else { return nil }
        let meter = try Meter(FilterGraph("[snd]" + DeliverGraph.measured(DeliverGraph.stereo48k), sources: [sound.source("snd")],
                                          sinks: [.audio(label: "aout", frameSize: nil)], threads: 1, path: path))
        try sound.run(from: 0, to: .infinity) { frame throws(MediaError) in try meter.feed(frame, to: "snd") }
        return try meter.finish(closing: ["snd"])
    }
}

/// Reads what an `ebur128=metadata=1` graph attaches to its frames as they come out of `aout`.
final class Meter {
    let graph: FilterGraph
    private let frame = Frame()
    private var integrated: Double?
    private var peak = 0.0

    init(_ graph: FilterGraph) { self.graph = graph }

    func feed(_ input: Frame, to label: String) throws(MediaError) {
        try graph.send(input, to: label)
        try drain()
    }

    private func drain() throws(MediaError) {
        while try graph.pull("aout", into: frame) == .frame {
            if let i = frame.metadata("lavfi.r128.I").flatMap(Double.init) { integrated = i }
            if let p = frame.metadata("lavfi.r128.true_peak").flatMap(Double.init) { peak = max(peak, p) }
        }
    }

    /// Closes the sources and reads the final values.
    func finish(closing labels: [String]) throws(MediaError) -> LoudnessReading {
        for label in labels { try graph.close(label) }
        try drain()
        return LoudnessReading(integrated: integrated ?? -70, truePeak: peak > 0 ? 20 * log10(peak) : -144)
    }
}
