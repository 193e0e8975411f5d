public import Foundation

/// Takes secrets out of text bound for a webhook: the query string (and user info) of every URL
/// — presigned URLs carry their signature there — and the value of every environment variable
/// whose name says it holds a secret (keys, tokens, passwords, webhook URLs).
public struct NoticeScrubber: Sendable {
    /// Longest first, so a secret that contains another is removed whole.
    let secrets: [String]

    public init(environment: [String: String] = ProcessInfo.processInfo.environment, also extra: [String] = []) {
        let marks = ["KEY", "SECRET", "TOKEN", "PASSWORD", "PASSWD", "CREDENTIAL", "WEBHOOK", "NOTIFY_URL", "DSN", "SESSION"]
        var found = extra.filter { $0.count >= 6 }
        for (name, value) in environment where value.count >= 6 {
            let upper = name.uppercased()
            if marks.contains(where: { upper.contains($0) }) { found.append(value) }
        }
        secrets = Array(Set(found)).sorted { $0.count > $1.count }
    }

    public func clean(_ text: String) -> String { withoutSecrets(Self.withoutQueries(text)) }

    /// Only the secrets' values: safe on a JSON document (a value that needed escaping there
    /// is not found, and "[redacted]" needs none).
    public func withoutSecrets(_ text: String) -> String {
        var out = text
        for secret in secrets where out.contains(secret) {
            out = out.replacingOccurrences(of: secret, with: "[redacted]")
        }
        return out
    }

    /// `https://bucket.s3…/key.png?X-Amz-Signature=…` → `https://bucket.s3…/key.png`; user info dropped.
    static func withoutQueries(_ text: String) -> String {
        guard text.contains("://") else { return text }
        let pattern = /(?<scheme>[A-Za-z][A-Za-z0-9+.\-]*:\/\/)(?:[^\s\/@"]*@)?(?<rest>[^\s?#"\\]*)(?:[?#][^\s"\\]*)?/
        return text.replacing(pattern) { match in String(match.output.scheme) + String(match.output.rest) }
    }
}
