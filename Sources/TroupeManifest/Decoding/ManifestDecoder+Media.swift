import Foundation
import TroupeSupport

/// Media paths (local files or URLs) and names.
extension ManifestDecoder {
    struct Media {
        var source: MediaSource
        var sha256: String?
        var duration: Double?
    }

    /// A medium under `key`, with its sibling `sha256` (and `duration` for videos).
    mutating func decodeMedia(_ f: NodeReader.Fields, key: String, path: String, extensions: [String],
                                      needsDuration: Bool) -> Media? {
        guard let node = reader.require(f, key), let written = reader.string(node, "\(path).\(key)") else { return nil }
        var sha: String?
        if let v = f["sha256"], let s = reader.string(v, "\(path).sha256") {
            let hex = s.value.lowercased()
            if hex.count == 64, hex.allSatisfy(\.isHexDigit) { sha = hex } else {
                reader.error(v, "invalid-value", "'\(path).sha256' must be 64 hexadecimal digits",
                             hint: "compute it with `sha256sum FILE`")
            }
        }
        let duration = f["duration"].flatMap { reader.positiveNumber($0, "\(path).duration")?.value }
        let value = written.value
        let ext = Self.fileExtension(value)
        if !extensions.contains(ext) {
            let kind = extensions == Self.imageExtensions ? "image" : "video"
            let found = ext.isEmpty ? "no extension" : "'.\(ext)'"
            reader.error(node, "unsupported-format", "\(kind) '\(value)' has \(found); Kling accepts \(extensions.map { "." + $0 }.joined(separator: ", "))",
                         hint: kind == "image" ? "convert it to PNG or JPEG" : "convert it to MP4 (H.264)")
        }
        if value.hasPrefix("https://") || value.hasPrefix("http://") {
            if sha == nil && f["sha256"] == nil && !fetchRemote {
                reader.error(node, "url-needs-digest", "URL medium '\(value)' has no sha256",
                             hint: "add `sha256: …` beside it (its identity), or plan with --fetch-remote")
            }
            if needsDuration && duration == nil && f["duration"] == nil && !fetchRemote {
                reader.error(node, "url-needs-duration", "URL video '\(value)' has no duration",
                             hint: "add `duration: SECONDS` beside it (it sets the price), or plan with --fetch-remote")
            }
            return Media(source: .remote(url: value), sha256: sha, duration: duration)
        }
        if let colon = value.firstIndex(of: ":"), value[..<colon].allSatisfy(\.isLetter), value[..<colon].count > 1 {
            reader.error(node, "unsupported-url", "'\(value)' uses an unsupported URL scheme",
                         hint: "use an https:// URL or a path relative to the manifest")
            return nil
        }
        let resolved = value.hasPrefix("/") ? value : baseDirectory + "/" + value
        localFiles.append((node, value, resolved))
        if f["duration"] != nil {
            reader.error(f.keyMark("duration"), span: 8, "unexpected-key", "'\(path).duration' is only for URL videos",
                         hint: "troupe measures local files itself; remove the key")
        }
        return Media(source: .local(path: value, resolved: resolved), sha256: sha, duration: nil)
    }

    /// Lowercased extension of a path or URL's last component, ignoring query and fragment.
    static func fileExtension(_ value: String) -> String {
        let path = value.prefix { $0 != "?" && $0 != "#" }
        let last = path.lastIndex(of: "/").map { path[path.index(after: $0)...] } ?? path
        guard let dot = last.lastIndex(of: "."), dot != last.startIndex else { return "" }
        return last[last.index(after: dot)...].lowercased()
    }

    /// Reports every local medium that does not exist.
    mutating func checkLocalFiles() {
        let paths = localFiles.map(\.resolved), fileExists = fileExists
        let exists = parallelMap(paths.count, inlineBelow: 256) { fileExists(paths[$0]) }
        for (file, found) in zip(localFiles, exists) where !found {
            reader.error(file.node, "missing-file", "file '\(file.written)' does not exist",
                         hint: "paths are relative to the manifest's folder; check the name and that the file is there")
        }
        localFiles = []
    }


    // Names

    static func isValidName(_ s: String) -> Bool {
        let u = Array(s.utf8)
        guard (1...63).contains(u.count) else { return false }
        func ok(_ c: UInt8, first: Bool) -> Bool {
            (c >= 97 && c <= 122) || (c >= 48 && c <= 57) || (!first && c == 45)
        }
        return ok(u[0], first: true) && u.dropFirst().allSatisfy { ok($0, first: false) }
    }

    mutating func checkName(_ name: Located<String>, what: String) {
        guard !Self.isValidName(name.value) else { return }
        let suggestion = Self.suggestedName(name.value)
        reader.error(name.mark, span: name.span, "bad-name",
                     "\(what) '\(name.value)' is not valid: names are 1–63 characters of a-z, 0-9 and '-', starting with a letter or digit",
                     hint: suggestion.map { "try '\($0)'" } ?? "rename it")
    }

    static func suggestedName(_ s: String) -> String? {
        var out = ""
        for ch in s.lowercased() {
            if ch.isASCII && (ch.isLetter || ch.isNumber) { out.append(ch) } else if !out.isEmpty && out.last != "-" { out.append("-") }
        }
        while out.last == "-" { out.removeLast() }
        let r = String(out.prefix(63))
        return isValidName(r) ? r : nil
    }
}
