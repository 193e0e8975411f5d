import ArgumentParser
import Foundation
import TroupeMedia
import TroupeSupport

/// What every deliverable step by hand shares: input, output, the frame it is made for.
struct DeliverTarget: ParsableArguments {
    @Argument(help: "The input clip.") var input: String
    @Option(name: .shortAndLong, help: "The MP4 to write.") var output: String
    @Option(help: "Platform preset: \(PlatformPreset.names.joined(separator: ", ")). Default: the input's own size.")
    var platform: String?
    @Option(help: "WIDTHxHEIGHT (even) instead of a platform.") var size: String?

    func validate() throws {
        if let platform, PlatformPreset.named(platform) == nil {
            throw ValidationError("unknown platform '\(platform)'; presets: \(PlatformPreset.names.joined(separator: ", "))")
        }
        if let size, parse(size) == nil { throw ValidationError("--size takes WIDTHxHEIGHT in even pixels, e.g. 1080x1920") }
        if platform != nil && size != nil { throw ValidationError("give --platform or --size, not both") }
    }

    private func parse(_ text: String) -> (Int, Int)? {
        let parts = text.split(separator: "x").compactMap { Int($0) }
        guard parts.count == 2, parts.allSatisfy({ $0 >= 16 && $0 <= 8192 && $0 % 2 == 0 }) else { return nil }
        return (parts[0], parts[1])
    }

    /// The preset: the platform's, the size given, or the input's own size with reels' rules.
    func preset() throws -> PlatformPreset {
        if let platform, let p = PlatformPreset.named(platform) { return p }
        if let size, let (w, h) = parse(size) { return .custom(width: w, height: h) }
        let info = try MediaProbe.probe(input)
        return .custom(width: info.displaySize.width & ~1, height: info.displaySize.height & ~1)
    }

    /// Makes the deliverable, printing what was measured and applied.
    func make(printGraphs: Bool = false, _ edit: @escaping @Sendable (inout DeliverSpec) -> Void) async throws {
        let (input, output) = (input, output)
        let preset: PlatformPreset
        do { preset = try self.preset() } catch let error as MediaError {
            FileHandle.standardError.write(Data("error: \(FileErrors.plain(error))\n".utf8))
            throw ExitCode(1)
        }
        let result = try await runMedia { token in
            var spec = DeliverSpec(preset: preset)
            edit(&spec)
            return try Deliverable.make(input, spec: spec, to: output, cancellation: token)
        }
        var line = "\(output): \(preset.name), \(NumberText.shortest(result.seconds, roundedTo: 2)) s"
        if let m = result.measured, let g = result.gain {
            line += ", sound measured \(NumberText.shortest(m.integrated, roundedTo: 1)) LUFS, gain \(NumberText.shortest(g, roundedTo: 1)) dB"
        }
        print(line)
        // For scripts/bench-deliver.sh: the same graphs for the ffmpeg CLI, one a line.
        if printGraphs { for g in result.graphs { print("graph: " + g) } }
    }
}

struct MediaDeliverCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "deliver", abstract: "Make a platform deliverable: fit, logo, captions, fades, end card, music, loudness.")

    @OptionGroup var target: DeliverTarget
    @Option(help: "crop, pad or blur.") var fit = "crop"
    @Option(help: "Logo image (PNG keeps its transparency).") var logo: String?
    @Option(help: "Logo corner: top-left, top-right, bottom-left, bottom-right.") var at = "top-right"
    @Option(help: "Logo width, fraction of the frame's width.") var logoWidth = 0.15
    @Option(help: "Logo opacity, 0–1.") var opacity = 1.0
    @Option(help: "Subtitle file (srt, ass) to burn in.") var captions: String?
    @Option(help: "Fade in, seconds.") var fadeIn = 0.0
    @Option(help: "Fade out, seconds.") var fadeOut = 0.0
    @Option(help: "End card image.") var endCard: String?
    @Option(help: "End card seconds.") var cardSeconds = 2.0
    @Option(help: "Music bed.") var music: String?
    @Option(help: "Music level under the programme, dB.") var musicLevel = -12.0
    @Flag(help: "Drop the input's own sound.") var noOriginal = false
    @Option(help: "Integrated loudness target, LUFS (default: the preset's).") var loudness: Double?
    @Option(help: "True-peak ceiling, dBTP (default -1).") var truePeak: Double?
    @Flag(help: .hidden) var printGraphs = false

    func validate() throws { _ = try (fitMode(fit), corner(at)) }

    func run() async throws {
        let (fit, logo, at, logoWidth, opacity, captions) = (try fitMode(fit), logo, try corner(at), logoWidth, opacity, captions)
        let (fadeIn, fadeOut, endCard, cardSeconds, music, musicLevel) = (fadeIn, fadeOut, endCard, cardSeconds, music, musicLevel)
        let (original, loudness, truePeak) = (!noOriginal, loudness, truePeak)
        try await target.make(printGraphs: printGraphs) { spec in
            spec.fit = fit
            spec.overlay = logo.map { .init(image: $0, corner: at, width: logoWidth, opacity: opacity) }
            spec.captions = captions
            spec.fadeIn = fadeIn
            spec.fadeOut = fadeOut
            spec.endCard = endCard.map { .init(image: $0, seconds: cardSeconds) }
            spec.music = music.map { .init(path: $0, level: musicLevel) }
            spec.original = original
            if let loudness { spec.loudness = loudness }
            if let truePeak { spec.truePeak = truePeak }
        }
    }
}

struct MediaFitCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "fit", abstract: "Fit a clip to a platform's frame (crop, pad or blur), sound at its loudness.")
    @OptionGroup var target: DeliverTarget
    @Option(help: "crop, pad or blur.") var fit = "crop"

    func validate() throws { _ = try fitMode(fit) }

    func run() async throws {
        let fit = try fitMode(fit)
        try await target.make { $0.fit = fit }
    }
}

struct MediaOverlayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "overlay", abstract: "Put a logo in a corner of a clip (PNG transparency kept).")
    @OptionGroup var target: DeliverTarget
    @Option(help: "Logo image.") var image: String
    @Option(help: "Corner: top-left, top-right, bottom-left, bottom-right.") var at = "top-right"
    @Option(help: "Width, fraction of the frame's width.") var width = 0.15
    @Option(help: "Margin, fraction of the frame's shorter side.") var margin = 0.04
    @Option(help: "Opacity, 0–1.") var opacity = 1.0

    func validate() throws { _ = try corner(at) }

    func run() async throws {
        let (image, at, width, margin, opacity) = (image, try corner(at), width, margin, opacity)
        try await target.make { $0.overlay = .init(image: image, corner: at, width: width, margin: margin, opacity: opacity) }
    }
}

struct MediaLoudnessCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "loudness", abstract: "Bring a clip's sound to a loudness (two passes: measure, then gain and true-peak limiter).")
    @OptionGroup var target: DeliverTarget
    @Option(help: "Integrated loudness target, LUFS.") var loudness = -14.0
    @Option(help: "True-peak ceiling, dBTP.") var truePeak = -1.0

    func run() async throws {
        let (loudness, truePeak) = (loudness, truePeak)
        try await target.make { $0.loudness = loudness; $0.truePeak = truePeak }
    }
}

struct MediaGIFCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "gif", abstract: "Make a GIF of part of a clip (its own palette).")
    @Argument(help: "The input clip.") var input: String
    @Option(name: .shortAndLong, help: "The GIF to write.") var output: String
    @Option(help: "Width in pixels.") var width = 480
    @Option(help: "Frames per second.") var fps = 12
    @Option(help: "Start, seconds.") var from = 0.0
    @Option(help: "End, seconds.") var to = 3.0

    func run() async throws {
        let (input, output, spec) = (input, output, Deliverable.GIFSpec(width: width, fps: fps, from: from, to: to))
        try await runMedia { token in try Deliverable.gif(input, spec: spec, to: output, cancellation: token) }
        print(output)
    }
}

/// `--fit` and `--at` as written, checked in `validate()`.
func fitMode(_ text: String) throws -> DeliverSpec.FitMode {
    guard let mode = DeliverSpec.FitMode(rawValue: text) else { throw ValidationError("--fit takes crop, pad or blur") }
    return mode
}

func corner(_ text: String) throws -> DeliverSpec.Corner {
    guard let c = DeliverSpec.Corner(rawValue: text) else {
        throw ValidationError("--at takes top-left, top-right, bottom-left or bottom-right")
    }
    return c
}
