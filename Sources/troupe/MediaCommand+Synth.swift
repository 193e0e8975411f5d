import ArgumentParser
import TroupeMedia

struct MediaSynthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "synth", abstract: "Write a synthetic test clip or image.", shouldDisplay: false)

    @Argument(help: "Output file (.mp4/.mov for video, .png/.jpg for an image).") var output: String
    @Option var width: Int = 480
    @Option var height: Int = 360
    @Option var fps: Double = 30
    @Option var seconds: Double = 4
    @Option(help: "Keyframe interval in frames (default: 2 s).") var gop: Int?
    @Option(help: "Tone frequency in Hz; 0 = no audio.") var tone: Double = 440
    @Option var seed: Int = 0
    @Option(help: "Clockwise display rotation to record, degrees.") var rotation: Int = 0
    @Option var preset: String = "veryfast"
    @Option var crf: Int = 23
    @Flag(help: "Nothing moves: every frame is the first.") var still = false

    func run() async throws {
        let (output, width, height, fps, seconds, gop, tone, seed, preset, crf, rotation, still) =
            (output, width, height, fps, seconds, gop, tone, seed, preset, crf, rotation, still)
        try await runMedia { token in
            let lower = output.lowercased()
            if lower.hasSuffix(".png") || lower.hasSuffix(".jpg") || lower.hasSuffix(".jpeg") {
                try Synth.image(to: output, width: width, height: height, seed: seed)
            } else {
                try Synth.video(to: output, width: width, height: height, fps: fps, seconds: seconds, gop: gop,
                                tone: tone > 0 ? Synth.Tone(frequency: tone) : nil, seed: seed, rotation: rotation, still: still,
                                settings: VideoSettings(preset: preset, crf: crf), cancellation: token)
            }
        }
    }
}
