import Foundation
import TroupeManifest
public import TroupePlan
import TroupeNet
import TroupeSupport
import Crypto

/// Why the provider's backend cannot be set up: what is missing or wrong, and what to do.
public struct RemoteSetupFailure: Error, CustomStringConvertible {
    public var description: String
}

extension RemoteBackend {
    /// The backend a plan's provider needs, from the environment: Kling keys
    /// (KLING_ACCESS_KEY/KLING_SECRET_KEY, KLING_BASE_URL) or fal's (FAL_KEY, FAL_BASE_URL,
    /// FAL_API_URL) and, for local media, S3
    /// credentials (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY or ~/.aws/credentials).
    /// Nil for the preview provider.
    public static func make(for plan: Plan, environment: [String: String]? = nil,
                            timeScale: Double = 1, pollInterval: Double? = nil) throws -> RemoteBackend? {
        let provider = plan.provider
        guard provider.use.isRemote else { return nil }
        let http = HTTPClient()
        let remote: any RemoteProvider
        let account: String
        switch provider.use {
        case .fal:
            let client: FalClient
            do {
                client = try FalClient.fromEnvironment(http: http, environment)
            } catch {
                throw RemoteSetupFailure(description: "\(error) (fal's API key, from fal.ai's dashboard)")
            }
            remote = FalRemote(client: client)
            account = Self.account(accessKey: client.keyForAccount, provider: "fal")
        default:
            let region = KlingRegion(rawValue: provider.region.rawValue) ?? .singapore
            let client: KlingClient
            do {
                client = try KlingClient.fromEnvironment(region: region, http: http, environment: environment)
            } catch {
                throw RemoteSetupFailure(description: "\(error)")
            }
            remote = KlingRemote(client: client)
            account = Self.account(accessKey: (environment ?? ProcessInfo.processInfo.environment)["KLING_ACCESS_KEY"] ?? "")
        }
        var uploads: S3Store?
        if let s3 = plan.manifest.uploads {
            do {
                let credentials = try S3Credentials.resolve(environment: environment)
                uploads = try S3Store(configuration: S3Configuration(bucket: s3.bucket, region: s3.region, endpoint: s3.endpoint,
                                                                     prefix: s3.prefix, urlLifetime: .seconds(s3.expiresSeconds)),
                                      credentials: credentials, http: http)
            } catch {
                throw RemoteSetupFailure(description: "uploads.s3: \(error)")
            }
        }
        var settings = RemoteSettings(concurrency: provider.concurrency, createsPerSecond: provider.rate.perSecond)
        settings.timeScale = timeScale
        if let pollInterval { settings.pollInterval = pollInterval }
        var backend = RemoteBackend(provider: remote, uploads: uploads, settings: settings, http: http)
        backend.account = account
        return backend
    }

    /// `kling-` and 16 hex digits of SHA-256 over the access key: enough to tell accounts apart,
    /// nothing to sign with.
    static func account(accessKey: String, provider: String = "kling") -> String {
        provider + "-" + Hex.lowercase(SHA256.hash(data: Data(("troupe account\0" + accessKey).utf8))).prefix(16)
    }
}
