import ArgumentParser
import Foundation
import TroupeMedia

/// `troupe media …`: the media engine by hand (probe, trim, concat, thumbnail, deliver, fit, …).
struct MediaCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "media",
        abstract: "Inspect and edit media files with the built-in FFmpeg engine.",
        subcommands: [MediaProbeCommand.self, MediaTrimCommand.self, MediaConcatCommand.self,
                      MediaThumbnailCommand.self, MediaContactSheetCommand.self, MediaConformCommand.self,
                      MediaPreviewCommand.self, MediaSynthCommand.self, MediaDeliverCommand.self, MediaFitCommand.self,
                      MediaOverlayCommand.self, MediaLoudnessCommand.self, MediaGIFCommand.self])
}

/// Runs a media operation, printing a `MediaError` as one line and exiting 1.
func runMedia<T: Sendable>(_ body: @escaping @Sendable (MediaCancellation) throws -> T) async throws -> T {
    try await sayingMediaErrors { try await MediaCancellation.run(body) }
}

/// `runMedia` for an operation that may suspend.
func runMedia<T: Sendable>(suspending body: (MediaCancellation) async throws -> T) async throws -> T {
    try await sayingMediaErrors { try await MediaCancellation.run(suspending: body) }
}

private func sayingMediaErrors<T>(_ body: () async throws -> T) async throws -> T {
    do {
        return try await body()
    } catch let error as MediaError {
        FileHandle.standardError.write(Data("error: \(FileErrors.plain(error))\n".utf8))
        throw ExitCode(1)
    }
}
