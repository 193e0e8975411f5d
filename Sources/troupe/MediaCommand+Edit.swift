import ArgumentParser
import TroupeMedia
import TroupeSupport

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
        abstract: "Render a local preview: the character cut out and put on the clip's moving subject, at most 15 fps.")

    @Argument(help: "Character image (PNG or JPEG).") var image: String
    @Argument(help: "Motion clip.") var clip: String
    @Option(name: .shortAndLong, help: "Output clip.") var output: String
    @Option(help: "720 (std) or 1080 (pro).") var height = 720
    @Option(help: "Length in seconds (default: the clip's, rounded half up, as Kling bills it).") var seconds: Int?
    @Option(help: "image: keep the picture's facing; video: mirror it while the subject heads the other way.")
    var orientation = "image"
    @Flag(inversion: .prefixedNo, help: "Keep the clip's sound.") var sound = true

    func validate() throws {
        guard Orientation(rawValue: orientation) != nil else {
            throw ValidationError("--orientation must be image or video, not '\(orientation)'")
        }
    }

    func run() async throws {
        let (image, clip, output, height, sound) = (image, clip, output, height, sound)
        let facing = Orientation(rawValue: orientation) ?? .image
        let seconds = try seconds ?? PreviewRenderer.billedSeconds(try MediaProbe.probe(clip).durationSeconds)
        let summary = try await runMedia(suspending: { token in
            try await PreviewRenderer().render(image: image, clip: clip, output: output, height: height, seconds: seconds,
                                         keepSound: sound, orientation: facing, cancellation: token)
        })
        if let notice = summary.notice { print("\(clip): \(notice)") }
        print("\(output): preview rendered")
    }
}
