import Foundation
import TroupeManifest
import TroupeNet
import TroupePlan

extension Executor {
    /// A medium as a local file: the file itself, or a URL medium downloaded once into the
    /// cache and checked against its declared sha256.
    func localPath(_ input: MediaInput) async throws -> String {
        switch input.source {
        case .local(_, let resolved): return resolved
        case .remote(let url):
            if let path = try cache.checkedPath(of: input.sha256, for: HTTPRequest.redact(url)) { return path }
            let temp = try cache.temporaryFile(extension: (url as NSString).pathExtension.isEmpty ? "bin" : (url as NSString).pathExtension)
            let (sha, _) = try await http.download(url, toNew: temp)
            guard sha == input.sha256 else {
                try? FileManager.default.removeItem(atPath: temp)
                throw RunFailure.digestMismatch(url: HTTPRequest.redact(url), found: sha, declared: input.sha256)
            }
            try cache.adopt(temp, sha256: sha)
            return cache.path(of: sha)
        }
    }

    /// The URL a remote provider fetches a medium from: its own URL, or a presigned GET of
    /// the uploaded copy (signed now, so it is fresh even when the upload was days ago).
    func url(of source: MediaSource, upload sha: String?) throws -> String {
        if case .remote(let url) = source, sha == nil { return url }
        guard let sha, let uploads = remote?.uploads else {
            throw RunError.unsupported("'\(source.written)' is a local file and no upload store is configured; add `uploads: {s3: …}` to the manifest")
        }
        return uploads.presignedURL(method: "GET", key: uploads.configuration.prefix + sha)
    }
}
