import Crypto
public import Foundation
import TroupeSupport

/// AWS Signature Version 4 query-string presigning for S3 (UNSIGNED-PAYLOAD, host-only signed headers).
public struct S3Presigner: Sendable {
    public let credentials: S3Credentials
    public let region: String
    private let keys = SigningKeyCache()

    public init(credentials: S3Credentials, region: String) {
        self.credentials = credentials
        self.region = region
    }

    /// A URL valid for `expires` seconds from `date` (AWS caps it at 7 days).
    /// `path` is the unencoded object path starting with "/"; `host` includes a non-default port.
    /// `query` holds the operation's own parameters (`uploads`, `partNumber`, `list-type`…).
    public func presign(method: String, scheme: String = "https", host: String, path: String,
                        expires: Int, query: [String: String] = [:], date: Date = Date()) -> String {
        let (stamp, day) = Self.timestamps(date)
        let scope = day + "/" + region + "/s3/aws4_request"
        // Parameters written in their sorted order (SigV4 sorts by encoded name), with no sort at run time.
        var canonicalQuery = "X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential="
        canonicalQuery += PercentEncoding.encode(credentials.accessKeyID + "/" + scope)
        canonicalQuery += "&X-Amz-Date=" + stamp + "&X-Amz-Expires=" + String(min(max(expires, 1), 604_800))
        if let token = credentials.sessionToken { canonicalQuery += "&X-Amz-Security-Token=" + PercentEncoding.encode(token) }
        canonicalQuery += "&X-Amz-SignedHeaders=host"
        // Lowercase names sort after every `X-Amz-` one (uppercase X comes first in ASCII).
        for (name, value) in query.map({ (PercentEncoding.encode($0.key), PercentEncoding.encode($0.value)) }).sorted(by: { $0.0 < $1.0 }) {
            precondition(name.first.map { $0 > "X" } ?? false, "S3 operation parameters are lowercase")
            canonicalQuery += "&" + name + "=" + value
        }
        let canonicalPath = PercentEncoding.encode(path, keepingSlashes: true)
        let canonicalRequest = "\(method)\n\(canonicalPath)\n\(canonicalQuery)\nhost:\(host)\n\nhost\nUNSIGNED-PAYLOAD"
        var request = canonicalRequest
        var hasher = SHA256()
        request.withUTF8 { hasher.update(bufferPointer: UnsafeRawBufferPointer($0)) }
        let requestDigest = hasher.finalize()
        var stringToSign = "AWS4-HMAC-SHA256\n" + stamp + "\n" + scope + "\n" + Hex.lowercase(requestDigest)
        var mac = keys.mac(day: day) { Self.signingKey(secret: credentials.secretAccessKey, day: day, region: region) }
        stringToSign.withUTF8 { mac.update(data: UnsafeRawBufferPointer($0)) }
        let signature = Hex.lowercase(mac.finalize())
        return "\(scheme)://\(host)\(canonicalPath)?\(canonicalQuery)&X-Amz-Signature=\(signature)"
    }

    static func signingKey(secret: String, day: String, region: String) -> SymmetricKey {
        func mac(_ key: SymmetricKey, _ text: String) -> SymmetricKey {
            SymmetricKey(data: Data(HMAC<SHA256>.authenticationCode(for: Data(text.utf8), using: key)))
        }
        let dateKey = mac(SymmetricKey(data: Data("AWS4\(secret)".utf8)), day)
        return mac(mac(mac(dateKey, region), "s3"), "aws4_request")
    }

    /// "20130524T000000Z" and "20130524", without a DateFormatter (presigning is on hot paths).
    static func timestamps(_ date: Date) -> (String, String) {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        var bytes = [UInt8](repeating: 0, count: 16)
        func put(_ value: Int32, _ width: Int, at offset: Int) {
            var v = value
            for i in stride(from: offset + width - 1, through: offset, by: -1) { bytes[i] = UInt8(48 + v % 10); v /= 10 }
        }
        put(parts.tm_year + 1900, 4, at: 0); put(parts.tm_mon + 1, 2, at: 4); put(parts.tm_mday, 2, at: 6)
        bytes[8] = UInt8(ascii: "T")
        put(parts.tm_hour, 2, at: 9); put(parts.tm_min, 2, at: 11); put(parts.tm_sec, 2, at: 13)
        bytes[15] = UInt8(ascii: "Z")
        return (String(decoding: bytes, as: UTF8.self), String(decoding: bytes[0..<8], as: UTF8.self))
    }
}

/// The derived signing key changes once a day; deriving it costs four HMACs per URL otherwise.
/// Keeps an HMAC already keyed with it, so each URL copies the keyed state instead of re-padding the key.
private final class SigningKeyCache: @unchecked Sendable {
    private let lock = NSLock()
    private var day = ""
    private var cached: HMAC<SHA256>?

    func mac(day: String, derive: () -> SymmetricKey) -> HMAC<SHA256> {
        lock.withLock {
            if let cached, self.day == day { return cached }
            let fresh = HMAC<SHA256>(key: derive())
            self.day = day
            cached = fresh
            return fresh
        }
    }
}
