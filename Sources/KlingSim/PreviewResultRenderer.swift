import Foundation
import TroupeMedia
import TroupeNet

/// Renders a task's result as the preview provider would: fetches image_url and video_url,
/// composites the character over the clip's motion at the mode's height, and bills the
/// reference clip's length rounded half up, as Kling does. A fetch or decode failure fails
/// the task with the reason, the way Kling reports unusable inputs.
public struct PreviewResultRenderer: ResultRenderer {
    let http: HTTPClient
    let directory: String

    public init(directory: String? = nil) {
        self.http = HTTPClient()
        self.directory = directory ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("troupe-sim-\(getpid())").path
    }

    public func render(_ request: SimCreateRequest, billedSeconds _: Double) async throws -> RenderedResult {
        try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        let id = UUID().uuidString
        let image = "\(directory)/\(id)-image.\(Self.ext(request.imageURL, default: "png"))"
        let clip = "\(directory)/\(id)-clip.\(Self.ext(request.videoURL, default: "mp4"))"
        let output = "\(directory)/\(id)-result.mp4"
        defer {
            try? FileManager.default.removeItem(atPath: image)
            try? FileManager.default.removeItem(atPath: clip)
        }
        _ = try await http.download(request.imageURL, to: image)
        _ = try await http.download(request.videoURL, to: clip)
        let seconds = Int((try MediaProbe.probe(clip).durationSeconds + 0.5).rounded(.down))
        let height = request.mode == "pro" ? 1080 : 720
        _ = try await Task.detached {
            try await PreviewRenderer().render(image: image, clip: clip, output: output, height: height,
                                         seconds: max(1, seconds), keepSound: request.keepOriginalSound,
                                         orientation: request.characterOrientation == "video" ? .video : .image)
        }.value
        return RenderedResult(path: output, durationSeconds: Double(seconds))
    }

    static func ext(_ url: String, default fallback: String) -> String {
        let path = url.prefix { $0 != "?" && $0 != "#" }
        guard let dot = path.lastIndex(of: "."), !path[dot...].contains("/") else { return fallback }
        return String(path[path.index(after: dot)...]).lowercased()
    }
}
