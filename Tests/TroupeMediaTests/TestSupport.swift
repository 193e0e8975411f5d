import Foundation
@testable import TroupeMedia

/// A fresh temporary folder, removed when the value is released.
final class TempDir: @unchecked Sendable {
    let url: URL

    init() {
        url = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-media-\(UUID().uuidString)")
        try? FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    }

    deinit { try? FileManager.default.removeItem(at: url) }

    func path(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Names of the files in the folder (to check no temp files are left behind).
    var contents: [String] { (try? FileManager.default.contentsOfDirectory(atPath: url.path).sorted()) ?? [] }

    /// A small synthesized clip (default 320×240, 30 fps, 4 s, keyframe each second, with tone).
    func clip(_ name: String = "clip.mp4", width: Int = 320, height: Int = 240, fps: Double = 30,
              seconds: Double = 4, gop: Int? = 30, tone: Synth.Tone? = .init(), seed: Int = 0) throws -> String {
        let p = path(name)
        try Synth.video(to: p, width: width, height: height, fps: fps, seconds: seconds, gop: gop, tone: tone, seed: seed)
        return p
    }
}

func fileBytes(_ path: String) -> Data { FileManager.default.contents(atPath: path) ?? Data() }
