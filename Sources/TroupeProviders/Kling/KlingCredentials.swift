import Crypto
public import Foundation
import TroupeSupport

/// Kling access and secret keys. `description` shows neither.
public struct KlingCredentials: Sendable, CustomStringConvertible {
    public var accessKey: String
    public var secretKey: String

    public init(accessKey: String, secretKey: String) {
        self.accessKey = accessKey
        self.secretKey = secretKey
    }

    public var description: String { "KlingCredentials(<redacted>)" }

    /// From KLING_ACCESS_KEY and KLING_SECRET_KEY.
    public static func fromEnvironment(_ environment: [String: String]? = nil) throws(KlingError) -> KlingCredentials {
        let environment = environment ?? ProcessInfo.processInfo.environment
        guard let access = environment["KLING_ACCESS_KEY"], !access.isEmpty,
              let secret = environment["KLING_SECRET_KEY"], !secret.isEmpty else {
            throw .authentication(code: 1001, message: "KLING_ACCESS_KEY and KLING_SECRET_KEY are not set")
        }
        return KlingCredentials(accessKey: access, secretKey: secret)
    }

    /// The HS256 JWT Kling expects: iss = access key, exp = now + 1800, nbf = now − 5.
    public func token(now: Date = Date()) -> String {
        let seconds = Int(now.timeIntervalSince1970)
        let header = #"{"alg":"HS256","typ":"JWT"}"#
        let payload = #"{"iss":\#(JSONString.quote(accessKey)),"exp":\#(seconds + 1800),"nbf":\#(seconds - 5)}"#
        let signingInput = Self.base64URL(Data(header.utf8)) + "." + Self.base64URL(Data(payload.utf8))
        let mac = HMAC<SHA256>.authenticationCode(for: Data(signingInput.utf8), using: SymmetricKey(data: Data(secretKey.utf8)))
        return signingInput + "." + Self.base64URL(Data(mac))
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }
}

/// Where the official API lives.
public enum KlingRegion: String, Sendable, CaseIterable {
    case singapore, beijing, global

    public var baseURL: String {
        switch self {
        case .singapore: "https://api-singapore.klingai.com"
        case .beijing: "https://api-beijing.klingai.com"
        case .global: "https://api.klingai.com"
        }
    }

    /// KLING_BASE_URL when set (the simulator, a proxy), else the region's URL.
    public static func baseURL(for region: KlingRegion = .singapore, environment: [String: String]? = nil) -> String {
        let environment = environment ?? ProcessInfo.processInfo.environment
        if let override = environment["KLING_BASE_URL"], !override.isEmpty {
            return override.hasSuffix("/") ? String(override.dropLast()) : override
        }
        return region.baseURL
    }
}
