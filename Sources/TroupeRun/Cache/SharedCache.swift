import Foundation
public import TroupeNet
public import TroupePlan
import TroupeSupport

/// Where a team's shared results live: `s3://BUCKET/PREFIX?region=…&endpoint=…`.
public struct SharedCacheLocation: Sendable, Equatable, CustomStringConvertible {
    public var bucket: String
    /// Ends with "/" unless empty; objects go under `PREFIX/sha256/<sha>`.
    public var prefix: String
    public var region: String
    /// An S3-compatible store (MinIO, moto, R2…), addressed path-style; nil for AWS.
    public var endpoint: String?

    public struct Invalid: Error, CustomStringConvertible {
        public var reason: String
        public var description: String {
            "invalid shared cache URL: \(reason); write s3://BUCKET/PREFIX, e.g. s3://studio-renders/troupe-cache?region=eu-west-1 "
                + "(add &endpoint=https://host:port for an S3-compatible store); credentials come from AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or ~/.aws/credentials, never the URL"
        }
    }

    public init(bucket: String, prefix: String = "", region: String = "us-east-1", endpoint: String? = nil) {
        self.bucket = bucket
        self.prefix = prefix.isEmpty || prefix.hasSuffix("/") ? prefix : prefix + "/"
        self.region = region
        self.endpoint = endpoint
    }

    /// Parses `--cache` or TROUPE_CACHE_URL. The text is never echoed whole: it could hold a secret.
    public static func parse(_ text: String) throws(Invalid) -> SharedCacheLocation {
        guard text.lowercased().hasPrefix("s3://") else { throw Invalid(reason: "it does not start with s3://") }
        let rest = text.dropFirst(5)
        let (path, query) = rest.firstIndex(of: "?").map { (rest[..<$0], rest[rest.index(after: $0)...]) } ?? (rest, "")
        let bucket = path.prefix { $0 != "/" }
        if bucket.contains("@") || bucket.contains(":") {
            throw Invalid(reason: "the bucket name holds '@' or ':' (credentials or a port do not belong there)")
        }
        guard (3...63).contains(bucket.count),
              bucket.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "-" || $0 == ".") }) else {
            throw Invalid(reason: "'\(bucket)' is not an S3 bucket name (3–63 lowercase letters, digits, '-' or '.')")
        }
        let prefix = path.dropFirst(bucket.count).drop { $0 == "/" }
        var location = SharedCacheLocation(bucket: String(bucket), prefix: String(prefix))
        for pair in query.split(separator: "&") where !pair.isEmpty {
            let parts = pair.split(separator: "=", maxSplits: 1)
            let name = String(parts[0]), value = parts.count > 1 ? String(parts[1]).removingPercentEncoding ?? "" : ""
            switch name {
            case "region":
                guard !value.isEmpty, value.allSatisfy({ $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "-") }) else {
                    throw Invalid(reason: "region=\(value) is not a region name (us-east-1, eu-west-1…)")
                }
                location.region = value
            case "endpoint":
                guard let url = URLComponents(string: value), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
                      let host = url.host, !host.isEmpty, url.user == nil, url.password == nil else {
                    throw Invalid(reason: "endpoint= must be an http(s) URL without user name or password (https://minio.example:9000)")
                }
                location.endpoint = value
            default:
                throw Invalid(reason: "unknown parameter '\(name)' (only region and endpoint)")
            }
        }
        return location
    }

    /// The URL as it can be shown: no secrets were ever in it.
    public var description: String {
        "s3://\(bucket)/\(prefix)" + (endpoint.map { " at \($0)" } ?? "")
    }
}

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

    /// Runs `body` on every digest, `width` at a time; returns the failures by digest.
    public static func each(_ digests: [String], width: Int = 8,
                            _ body: @escaping @Sendable (String) async throws -> Void) async -> [(sha256: String, error: String)] {
        await withTaskGroup(of: (String, String?).self) { group in
            var failures: [(sha256: String, error: String)] = []
            for (i, sha) in digests.enumerated() {
                if i >= width, let done = await group.next(), let error = done.1 { failures.append((done.0, error)) }
                group.addTask {
                    do { try await body(sha); return (sha, nil) } catch { return (sha, "\(error)") }
                }
            }
            for await done in group { if let error = done.1 { failures.append((done.0, error)) } }
            return failures
        }
    }
}

/// Counts and problems of the shared cache in this process (thread-safe).
public final class SharedCacheLog: @unchecked Sendable {
    public struct Counts: Sendable, Equatable {
        public var pushed = 0, pushedBytes = 0, pulled = 0, pulledBytes = 0
    }
    private let lock = NSLock()
    private var counts = Counts()
    private var refusedSet: Set<String> = []
    private var list: [String] = []
    /// Failed pushes by cause: a missing bucket fails every push the same way, said once.
    private var pushFailures: [(cause: String, digests: [String])] = []

    public var totals: Counts { lock.withLock { counts } }
    /// Warnings for the user: objects refused for their hash, failed pulls, failed pushes.
    public var warnings: [String] {
        lock.withLock {
            list + pushFailures.map { failure in
                let names = failure.digests.prefix(3).map { "\($0.prefix(12))…" }.joined(separator: ", ")
                    + (failure.digests.count > 3 ? " and \(failure.digests.count - 3) more" : "")
                return "could not push \(failure.digests.count) result(s) (\(names)) to \(failure.cause); "
                    + "they are safe in .troupe/cache, and `troupe cache push` sends them later"
            }
        }
    }

    func pushed(bytes: Int) { lock.withLock { counts.pushed += 1; counts.pushedBytes += bytes } }
    func pulled(bytes: Int) { lock.withLock { counts.pulled += 1; counts.pulledBytes += bytes } }
    func wasRefused(_ sha: String) -> Bool { lock.withLock { refusedSet.contains(sha) } }
    func refused(_ sha: String, key: String) {
        lock.withLock {
            refusedSet.insert(sha)
            list.append("the shared cache's \(key) does not hash to its name (damaged); not used — it is made or fetched here and pushed again")
        }
    }
    func pushFailed(_ sha: String, cause: String) {
        lock.withLock {
            if let i = pushFailures.firstIndex(where: { $0.cause == cause }) { pushFailures[i].digests.append(sha) }
            else { pushFailures.append((cause, [sha])) }
        }
    }
    public func warn(_ text: String) { lock.withLock { list.append(text) } }
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
    /// What a batch of pushes or pulls did.
    public struct Transfer: Sendable {
        /// Objects uploaded or downloaded, and their bytes.
        public var moved = 0, bytes = 0
        /// Already there (a push found it in S3, a pull found it here).
        public var skipped = 0
        /// Pulls S3 had no object for (or only a damaged one).
        public var missing: [String] = []
        public var failures: [(sha256: String, error: String)] = []
    }

    /// Pushes every digest (from the local cache), eight at a time.
    public func push(_ digests: [String], from cache: ResultCache) async -> Transfer {
        let before = log.totals
        let found = Locked(0)
        var transfer = Transfer()
        transfer.failures = await Self.each(digests) { sha in
            if try await !self.push(sha, from: cache) { found.withLock { $0 += 1 } }
        }
        transfer.moved = log.totals.pushed - before.pushed
        transfer.bytes = log.totals.pushedBytes - before.pushedBytes
        transfer.skipped = found.withLock { $0 }
        return transfer
    }

    /// Pulls every digest the local cache lacks, eight at a time.
    public func pull(_ digests: [String], into cache: ResultCache) async -> Transfer {
        let before = log.totals
        let wanted = digests.filter { !cache.contains($0) }
        let missing = Locked<[String]>([])
        var transfer = Transfer()
        transfer.failures = await Self.each(wanted) { sha in
            if try await !self.pull(sha, into: cache) { missing.withLock { $0.append(sha) } }
        }
        transfer.moved = log.totals.pulled - before.pulled
        transfer.bytes = log.totals.pulledBytes - before.pulledBytes
        transfer.skipped = digests.count - wanted.count
        transfer.missing = missing.withLock { $0 }.sorted()
        return transfer
    }

    /// The results a campaign names: its lock's renders and outputs, its finished rows'
    /// renders, prepared clips and post-step outputs.
    public static func digests(lock: Lockfile?, records: some Sequence<JobRecord>) -> [String] {
        var digests = Set<String>()
        if let lock {
            for r in lock.renders.values { if let sha = r.sha256 { digests.insert(sha) } }
            for o in lock.outputs.values { if let sha = o.sha256 { digests.insert(sha) } }
        }
        for r in records where r.state == .fetched && (r.kind == .render || r.kind == .prepare || r.kind == .post) {
            if let sha = r.resultSHA256 { digests.insert(sha) }
        }
        return digests.sorted()
    }

    /// Why `--cache` cannot be used, and what to do.
    public struct OpenFailure: Error, CustomStringConvertible {
        public var description: String
    }

    /// The shared cache `url` (else TROUPE_CACHE_URL) names, nil when neither is set; its
    /// credentials resolved as for uploads. `remote`'s HTTP client is shared when given.
    public static func open(url: String?, environment: [String: String]? = nil, remote: RemoteBackend? = nil) throws(OpenFailure) -> SharedCache? {
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard let text = url ?? environment["TROUPE_CACHE_URL"].flatMap({ $0.isEmpty ? nil : $0 }) else { return nil }
        let location: SharedCacheLocation
        do { location = try SharedCacheLocation.parse(text) } catch { throw OpenFailure(description: error.description) }
        do {
            return try SharedCache(location: location, credentials: try S3Credentials.resolve(environment: environment),
                                   http: remote?.http ?? HTTPClient())
        } catch .missingCredentials(let hint) {
            throw OpenFailure(description: "no AWS credentials for the shared cache \(location.description): \(hint)")
        } catch .invalidEndpoint(let reason) {
            throw OpenFailure(description: "invalid endpoint in the shared cache URL: \(reason)")
        } catch {
            throw OpenFailure(description: "cannot use the shared cache \(location.description): \(error)")
        }
    }
}
