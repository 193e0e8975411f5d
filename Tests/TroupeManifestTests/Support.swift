import Foundation
@testable import TroupeManifest

/// The repository checkout, found from this file's path.
let repoRoot: URL = URL(fileURLWithPath: #filePath)
    .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

/// Loads manifest text as if it were a file named `file` in `directory`.
func load(_ text: String, file: String = "troupe.yaml", directory: String = "/nonexistent",
          exists: @escaping @Sendable (String) -> Bool = { _ in true }) -> ManifestLoader.Result {
    var loader = ManifestLoader()
    loader.fileExists = exists
    return loader.load(bytes: Array(text.utf8), file: file, baseDirectory: directory)
}

func codes(_ r: ManifestLoader.Result) -> [String] { r.diagnostics.map(\.code) }

/// URL media with digests, so a test manifest needs no files.
let sha = String(repeating: "ab", count: 32)
func remoteCharacter(_ name: String, element: String? = nil) -> String {
    "  \(name): {image: \"https://cdn.example.com/\(name).png\", sha256: \(sha)\(element.map { ", element: \($0)" } ?? "")}"
}
func remoteClip(_ name: String, seconds: Double = 5, extra: String = "") -> String {
    "  \(name): {video: \"https://cdn.example.com/\(name).mp4\", sha256: \(sha), duration: \(seconds)\(extra)}"
}
