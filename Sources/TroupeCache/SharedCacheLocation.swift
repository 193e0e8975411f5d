import Foundation

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
