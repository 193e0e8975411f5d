import Foundation

/// AWS credentials. `description` never shows the secret or the session token.
public struct S3Credentials: Sendable, CustomStringConvertible {
    public var accessKeyID: String
    public var secretAccessKey: String
    public var sessionToken: String?

    public init(accessKeyID: String, secretAccessKey: String, sessionToken: String? = nil) {
        self.accessKeyID = accessKeyID
        self.secretAccessKey = secretAccessKey
        self.sessionToken = sessionToken
    }

    public var description: String { "S3Credentials(\(accessKeyID), secret: <redacted>)" }

    /// AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY / AWS_SESSION_TOKEN, else the AWS_PROFILE (or
    /// `default`) section of AWS_SHARED_CREDENTIALS_FILE or ~/.aws/credentials.
    public static func resolve(environment: [String: String]? = nil) throws(S3Error) -> S3Credentials {
        let environment = environment ?? ProcessInfo.processInfo.environment
        if let id = environment["AWS_ACCESS_KEY_ID"], !id.isEmpty,
           let secret = environment["AWS_SECRET_ACCESS_KEY"], !secret.isEmpty {
            let token = environment["AWS_SESSION_TOKEN"].flatMap { $0.isEmpty ? nil : $0 }
            return S3Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token)
        }
        let profile = environment["AWS_PROFILE"].flatMap { $0.isEmpty ? nil : $0 } ?? "default"
        let home = environment["HOME"] ?? NSHomeDirectory()
        let path = environment["AWS_SHARED_CREDENTIALS_FILE"] ?? home + "/.aws/credentials"
        guard let text = try? String(contentsOfFile: path, encoding: .utf8) else {
            throw .missingCredentials("set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or create \(path)")
        }
        let section = parseINI(text)[profile] ?? [:]
        guard let id = section["aws_access_key_id"], let secret = section["aws_secret_access_key"] else {
            throw .missingCredentials("profile [\(profile)] in \(path) has no aws_access_key_id/aws_secret_access_key")
        }
        return S3Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: section["aws_session_token"])
    }

    static func parseINI(_ text: String) -> [String: [String: String]] {
        var sections: [String: [String: String]] = [:]
        var current = ""
        for raw in text.split(whereSeparator: \.isNewline) {
            let line = raw.trimmingCharacters(in: .whitespaces)
            if line.isEmpty || line.hasPrefix("#") || line.hasPrefix(";") { continue }
            if line.hasPrefix("[") && line.hasSuffix("]") {
                current = String(line.dropFirst().dropLast()).trimmingCharacters(in: .whitespaces)
                if current.hasPrefix("profile ") { current = String(current.dropFirst(8)) }
                continue
            }
            guard let equals = line.firstIndex(of: "=") else { continue }
            let key = line[..<equals].trimmingCharacters(in: .whitespaces).lowercased()
            let value = line[line.index(after: equals)...].trimmingCharacters(in: .whitespaces)
            sections[current, default: [:]][key] = value
        }
        return sections
    }
}

/// What went wrong with the upload store, and what to do about it.
public enum S3Error: Error, Sendable, Equatable, CustomStringConvertible {
    /// No credentials found.
    case missingCredentials(String)
    /// The endpoint is not a usable http(s) URL, or plain http off loopback.
    case invalidEndpoint(String)
    /// S3 answered with an error status; `code` and `message` come from its XML body.
    case requestFailed(status: Int, code: String, message: String)
    /// The local file could not be read.
    case unreadableFile(String)

    public var description: String {
        switch self {
        case .missingCredentials(let hint): "no AWS credentials: \(hint)"
        case .invalidEndpoint(let reason): "invalid uploads.s3 endpoint: \(reason)"
        case .requestFailed(let status, let code, let message):
            "S3 request failed with HTTP \(status) \(code): \(message)"
                + (status == 403 ? " (check the credentials, bucket policy and the system clock)" : "")
                + (status == 404 && code == "NoSuchBucket" ? " (create the bucket, or fix its name: uploads.s3.bucket, or the bucket of --cache s3://BUCKET/…)" : "")
        case .unreadableFile(let path): "cannot read \(path) for upload"
        }
    }
}
