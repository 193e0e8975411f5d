import Foundation

/// Links from the report folder to files beside it (`../renders/mochi/wave.mp4`), so the page
/// works from `file://`, wherever the campaign folder is copied or mounted.
enum RelativePath {
    /// The path of `file` seen from `directory`, both absolute or both relative to the same folder.
    static func from(_ directory: String, to file: String) -> String {
        let from = components(directory)
        let to = components(file)
        var common = 0
        while common < from.count, common < to.count, from[common] == to[common] { common += 1 }
        let up = Array(repeating: "..", count: from.count - common)
        return (up + to[common...]).joined(separator: "/")
    }

    private static func components(_ path: String) -> [String] {
        let absolute = path.hasPrefix("/") ? path : FileManager.default.currentDirectoryPath + "/" + path
        var parts: [String] = []
        for part in absolute.split(separator: "/") {
            switch part {
            case ".": continue
            case "..": if !parts.isEmpty { parts.removeLast() }
            default: parts.append(String(part))
            }
        }
        return parts
    }
}
