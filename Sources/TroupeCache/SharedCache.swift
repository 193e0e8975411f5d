import Foundation
public import TroupeNet
import TroupeSupport

/// Results shared through S3, content-addressed like the local cache: each object is stored
/// once under `PREFIX/sha256/<sha>`, so a push is a HEAD when a teammate made it first, and
/// an object pulled is proved by its hash before it joins the local cache.
public final class SharedCache: Sendable {
    public let location: SharedCacheLocation
    public let store: S3Store
    /// What pushes and pulls did, for the run's last lines and warnings.
    public let log = SharedCacheLog()

    public init(location: SharedCacheLocation, credentials: S3Credentials, http: HTTPClient,
                multipartThreshold: Int? = nil, partSize: Int? = nil) throws(S3Error) {
        self.location = location
        var configuration = S3Configuration(bucket: location.bucket, region: location.region, endpoint: location.endpoint,
                                            prefix: location.prefix)
        if let multipartThreshold { configuration.multipartThreshold = multipartThreshold }
        if let partSize { configuration.partSize = partSize }
        store = try S3Store(configuration: configuration, credentials: credentials, http: http)
    }

    public func key(_ sha256: String) -> String { location.prefix + "sha256/" + sha256 }

    /// Uploads the local object unless S3 has it already (a HEAD). An object found damaged
    /// there by a pull is overwritten. Returns whether it was uploaded.
    @discardableResult
    public func push(_ sha256: String, from cache: ResultCache) async throws -> Bool {
        guard let path = try cache.checkedPath(of: sha256, for: "push to the shared cache") else {
            throw ResultCache.Failure(description: "cannot push \(sha256.prefix(12))…: it is not in the local cache (or was damaged); `troupe run` makes or fetches it again")
        }
        if !log.wasRefused(sha256), try await store.exists(key: key(sha256)) { return false }
        try await store.put(file: path, key: key(sha256), contentType: "application/octet-stream")
        log.pushed(bytes: Int(FileStats.statNow(path)?.size ?? 0))
        return true
    }

    /// Downloads the object into the local cache through its temp folder, proves its hash and
    /// adopts it. False when S3 has no such object, or one that does not hash to its name
    /// (refused: noted in `log`, and overwritten by the next push of the real one).
    public func pull(_ sha256: String, into cache: ResultCache) async throws -> Bool {
        if cache.contains(sha256) { return true }
        let temp = try cache.temporaryFile(extension: "pull")
        guard let (actual, bytes) = try await store.download(key: key(sha256), toNew: temp) else { return false }
        guard actual == sha256 else {
            unlink(temp)
            log.refused(sha256, key: key(sha256))
            return false
        }
        try cache.adopt(temp, sha256: sha256)
        log.pulled(bytes: bytes)
        return true
    }

    /// Every object in the shared cache: digest and size.
    public func list() async throws -> [(sha256: String, bytes: Int)] {
        let base = location.prefix + "sha256/"
        return try await store.list(prefix: base).compactMap { object in
            let sha = String(object.key.dropFirst(base.count))
            return sha.count == 64 && ResultCache.isHex(sha) ? (sha, object.bytes) : nil
        }
    }
}

extension ResultCache {
    /// Brings `sha256` from the shared cache into this one: true when it is here now. Never
    /// throws: a failure becomes a warning in `shared.log`, and the caller fetches or makes
    /// the result as if there were no shared cache (for a render another runner fetched).
    public func pullShared(_ sha256: String) async -> Bool {
        if contains(sha256) { return true }
        guard let shared else { return false }
        do {
            return try await shared.pull(sha256, into: self)
        } catch {
            shared.log.warn("could not pull \(sha256.prefix(12))… from \(shared.location.description): \(error)")
            return false
        }
    }

    /// Pushes a result just made; a failure is a warning (the result is safe here), never a failed job.
    public func pushShared(_ sha256: String) async {
        guard let shared else { return }
        do {
            try await shared.push(sha256, from: self)
        } catch {
            shared.log.pushFailed(sha256, cause: "\(shared.location.description): \(error)")
        }
    }
}

extension SharedCache {
    /// Why `--cache` cannot be used, and what to do.
    public struct OpenFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The shared cache `url` (else TROUPE_CACHE_URL) names, nil when neither is set; its
    /// credentials resolved as for uploads. `http` is shared when given (the provider's client).
    public static func open(url: String?, environment: [String: String]? = nil, http: HTTPClient? = nil) throws(OpenFailure) -> SharedCache? {
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard let text = url ?? environment["TROUPE_CACHE_URL"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        let location: SharedCacheLocation
        do { location = try SharedCacheLocation.parse(text) } catch { throw OpenFailure(description: error.description) }
        do {
            return try SharedCache(location: location, credentials: try S3Credentials.resolve(environment: environment),
                                   http: http ?? HTTPClient())
        } catch .missingCredentials(let hint) {
            throw OpenFailure(description: "no AWS credentials for the shared cache \(location.description): \(hint)")
        } catch .invalidEndpoint(let reason) {
            throw OpenFailure(description: "invalid endpoint in the shared cache URL: \(reason)")
        } catch {
            throw OpenFailure(description: "cannot use the shared cache \(location.description): \(error)")
        }
    }
}
