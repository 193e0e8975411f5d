import Crypto
import Foundation

/// Checks Kling JWTs (HS256) the way the API reports failures: 1001 no header,
/// 1002 malformed or bad signature, 1000 unknown access key, 1003 not yet valid, 1004 expired.
enum SimAuth {
    static func verify(_ authorization: String?, accounts: [String: String], now: Date) throws(SimRejection) -> String {
        guard let authorization, authorization.hasPrefix("Bearer "),
              case let token = authorization.dropFirst(7).trimmingCharacters(in: .whitespaces), !token.isEmpty else {
            throw SimRejection(status: 401, code: 1001, message: "Authorization header is empty")
        }
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3,
              let headerData = base64URLDecode(parts[0]), let payloadData = base64URLDecode(parts[1]),
              let signature = base64URLDecode(parts[2]),
              let header = (try? JSONSerialization.jsonObject(with: headerData)) as? [String: Any],
              let payload = (try? JSONSerialization.jsonObject(with: payloadData)) as? [String: Any],
              header["alg"] as? String == "HS256" else {
            throw SimRejection(status: 401, code: 1002, message: "Authorization is invalid")
        }
        guard let issuer = payload["iss"] as? String, let secret = accounts[issuer] else {
            throw SimRejection(status: 401, code: 1000, message: "Authentication failed: unknown access key")
        }
        let signed = Data("\(parts[0]).\(parts[1])".utf8)
        guard HMAC<SHA256>.isValidAuthenticationCode(signature, authenticating: signed, using: SymmetricKey(data: Data(secret.utf8))) else {
            throw SimRejection(status: 401, code: 1002, message: "Authorization is invalid: signature mismatch")
        }
        let seconds = now.timeIntervalSince1970
        if let nbf = (payload["nbf"] as? NSNumber)?.doubleValue, nbf > seconds {
            throw SimRejection(status: 401, code: 1003, message: "Authorization is not yet valid")
        }
        guard let exp = (payload["exp"] as? NSNumber)?.doubleValue, exp > seconds else {
            throw SimRejection(status: 401, code: 1004, message: "Authorization has expired")
        }
        return issuer
    }

    /// nbf and exp of a token already verified (nbf defaults to 0).
    static func claims(_ authorization: String) -> (notBefore: Double, expires: Double)? {
        let parts = authorization.dropFirst(7).split(separator: ".")
        guard parts.count == 3, let data = base64URLDecode(parts[1]),
              let payload = (try? JSONSerialization.jsonObject(with: data)) as? [String: Any],
              let exp = (payload["exp"] as? NSNumber)?.doubleValue else { return nil }
        return ((payload["nbf"] as? NSNumber)?.doubleValue ?? 0, exp)
    }

    static func base64URLDecode(_ text: some StringProtocol) -> Data? {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64)
    }
}

/// Deterministic fault decisions from the configured seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func chance(_ p: Double) -> Bool { p > 0 && Double.random(in: 0..<1, using: &self) < p }
}
