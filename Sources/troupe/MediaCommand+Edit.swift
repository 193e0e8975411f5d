import ArgumentParser
import TroupeMedia

struct MediaTrimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "trim",
        abstract: "Cut [start, end] out of a clip (stream copy on keyframes, otherwise frame-accurate).")

    @Argument(help: "Input clip.") var input: String
    @Argument(help: "Output clip (.mp4 or .mov).") var output: String
    @Option(help: "Start, seconds.") var start: Double
    @Option(help: "End, seconds.") var end: Double
    @Flag(help: "Always re-encode, even when the cuts fall on keyframes.") var reencode = false
    @Option(help: "x264 preset for re-encoding.") var preset = VideoSettings.standard.preset
    @Option(help: "x264 CRF for re-encoding.") var crf = VideoSettings.standard.crf

    func run() async throws {
        let (input, output, start, end, copy) = (input, output, start, end, !reencode)
        let settings = VideoSettings(preset: preset, crf: crf)
        let method = try await runMedia { token in
            try MediaEditor.trim(input, to: output, start: start, end: end, settings: settings,
                                 allowStreamCopy: copy, cancellation: token)
        }
        print("\(output): trimmed (\(method.rawValue))")
    }
}

struct MediaConcatCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "concat",
        abstract: "Join clips end to end (stream copy when they match, otherwise normalised to the first).")

    @Option(name: .shortAndLong, help: "Output clip (.mp4 or .mov).") var output: String
    @Argument(help: "Input clips, in order.") var inputs: [String]
    @Flag(help: "Always re-encode.") var reencode = false

    func validate() throws { if inputs.isEmpty { throw ValidationError("Give at least one input clip.") } }

    func run() async throws {
        let (inputs, output, copy) = (inputs, output, !reencode)
        let method = try await runMedia { token in
            try MediaEditor.concat(inputs, to: output, allowStreamCopy: copy, cancellation: token)
        }
        print("\(output): \(inputs.count) clips joined (\(method.rawValue))")
    }
}

struct MediaConformCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "conform", abstract: "Scale a clip into Kling's limits (sides 340–3850 px, ≤ 100 MB).")

    @Argument(help: "Input clip.") var input: String
    @Argument(help: "Output clip (.mp4 or .mov).") var output: String

    func run() async throws {
        let (input, output) = (input, output)
        let method = try await runMedia { token in try MediaEditor.conform(input, to: output, cancellation: token) }
        print("\(output): conformed (\(method.rawValue))")
    }
}

struct MediaPreviewCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "preview",
        abstract: "Render a local preview: the clip's motion with the character composited, at most 15 fps.")

    @Option(help: "Character image.") var image: String
    @Option(help: "Motion clip.") var clip: String
    @Option(name: .shortAndLong, help: "Output clip.") var output: String
    @Option(help: "720 (std) or 1080 (pro).") var height = 720
    @Option(help: "Length in seconds.") var seconds = 5
    @Flag(inversion: .prefixedNo, help: "Keep the clip's sound.") var sound = true

    func run() async throws {
        let (image, clip, output, height, seconds, sound) = (image, clip, output, height, seconds, sound)
        try await runMedia { token in
            try PreviewRenderer().render(image: image, clip: clip, output: output, height: height, seconds: seconds,
                                         keepSound: sound, cancellation: token)
        }
        print("\(output): preview rendered")
    }
}
