import Foundation
public import TroupeManifest
import TroupeMedia
import TroupePlan
public import TroupeNet
import TroupeSupport

/// `--fetch-remote`: URL media the manifest gives without `sha256` (or a video without
/// `duration`) are downloaded once at plan time through libcurl, hashed into the result cache,
/// probed, and remembered by URL with the server's ETag / Last-Modified; a later plan asks the
/// server (HEAD) whether they changed and downloads again only if they did or it cannot tell.
public final class RemoteMedia: @unchecked Sendable {
    struct Entry: Codable {
        var etag: String?
        var lastModified: String?
        var sha256: String
        var duration: Double?
    }

    private let file: String
    private let cache: ResultCache
    private let http: HTTPClient
    private var entries: [String: Entry]
    /// Full downloads made by this instance (what a warm cache saves).
    public private(set) var downloads = 0

    public init(stateDirectory: String, http: HTTPClient = HTTPClient()) {
        file = stateDirectory + "/remote-media.json"
        cache = ResultCache(stateDirectory: stateDirectory)
        self.http = http
        entries = FileManager.default.contents(atPath: file).flatMap { try? JSONDecoder().decode([String: Entry].self, from: $0) } ?? [:]
    }

    /// Fills in the digest and duration of every URL medium that lacks them; a medium that
    /// cannot be fetched is a diagnostic at its entry.
    public func measure(_ loaded: inout ManifestLoader.Result) async -> [Diagnostic] {
        guard var m = loaded.manifest else { return [] }
        var out: [Diagnostic] = []
        func info(_ source: MediaSource, _ mark: Mark, video: Bool) async -> Entry? {
            guard case .remote(let url) = source else { return nil }
            do { return try await entry(for: url, video: video) } catch {
                out.append(Diagnostic(file: m.path, at: mark, code: "fetch-remote",
                                      message: "cannot fetch '\(HTTPRequest.redact(url))': \(error)",
                                      hint: "check the URL, or declare `sha256:` (and `duration:` for a video) beside it"))
                return nil
            }
        }
        for i in m.characters.indices where m.characters[i].sha256 == nil {
            if let e = await info(m.characters[i].image, m.characters[i].imageMark, video: false) { m.characters[i].sha256 = e.sha256 }
        }
        for i in m.clips.indices where m.clips[i].sha256 == nil || m.clips[i].duration == nil {
            if let e = await info(m.clips[i].video, m.clips[i].videoMark, video: true) {
                m.clips[i].sha256 = m.clips[i].sha256 ?? e.sha256
                m.clips[i].duration = m.clips[i].duration ?? e.duration
            }
        }
        for i in m.elements.indices {
            guard case .fromVideo(let s, let sha, let d) = m.elements[i].source, sha == nil || d == nil else { continue }
            if let e = await info(s, m.elements[i].sourceMark, video: true) {
                m.elements[i].source = .fromVideo(s, sha256: sha ?? e.sha256, duration: d ?? e.duration)
            }
        }
        loaded.manifest = m
        loaded.diagnostics += out
        save()
        return out
    }

    private func entry(for url: String, video: Bool) async throws -> Entry {
        // One HEAD: it revalidates what is known, and its validators are kept with a new download.
        let head = try? await http.send(HTTPRequest(method: "HEAD", url: url, timeout: .seconds(30), followRedirects: true))
        if let known = entries[url], cache.contains(known.sha256), known.etag != nil || known.lastModified != nil,
           let head, head.isSuccess,
           (known.etag != nil && head.headers["ETag"] == known.etag) || (known.etag == nil && head.headers["Last-Modified"] == known.lastModified) {
            return known
        }
        let temp = try cache.temporaryFile(extension: (url as NSString).pathExtension.isEmpty ? "bin" : (url as NSString).pathExtension)
        let (sha, _) = try await http.download(url, toNew: temp)
        downloads += 1
        try cache.adopt(temp, sha256: sha)
        let duration = video ? try MediaProbe.probe(cache.path(of: sha)).durationSeconds : nil
        let e = Entry(etag: head?.headers["ETag"], lastModified: head?.headers["Last-Modified"], sha256: sha, duration: duration)
        entries[url] = e
        return e
    }

    private func save() {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        guard let data = try? encoder.encode(entries) else { return }
        try? AtomicFile.write(data, to: file)
    }
}
