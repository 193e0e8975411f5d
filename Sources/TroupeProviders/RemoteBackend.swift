public import TroupeNet
public import TroupeSupport

/// A remote provider and what it needs: an upload store for local media and an HTTP client
/// for downloads.
public struct RemoteBackend: Sendable {
    public var provider: any RemoteProvider
    public var uploads: S3Store?
    public var settings: RemoteSettings
    /// The client the provider and the store talk through; downloads share it (one event-loop
    /// thread for the whole run).
    public var http: HTTPClient
    /// Who pays: a hash of the provider's access key (never the key), the same for every
    /// runner of the account; with shared state its slots are shared by that name.
    public var account: String?

    public init(provider: any RemoteProvider, uploads: S3Store?, settings: RemoteSettings, http: HTTPClient) {
        self.provider = provider
        self.uploads = uploads
        self.settings = settings
        self.http = http
    }
}

/// How the executor talks to a remote provider.
public struct RemoteSettings: Sendable {
    /// The account's parallel-task limit (the manifest's provider.concurrency).
    public var concurrency: Int
    /// Create calls per second (the manifest's provider.rate).
    public var createsPerSecond: Double
    /// Seconds between polls of the in-flight tasks.
    public var pollInterval: Double = 2
    /// A task not finished this long after submission is reported stalled.
    public var pollDeadline: Double = 3 * 3600
    /// Simulated seconds per real second (tests and benchmarks against a time-scaled simulator).
    public var timeScale: Double = 1
    /// The clock every wait, deadline and record stamp of the session comes from; nil: real
    /// time scaled by `timeScale`.
    public var clock: (any RunClock)?

    public init(concurrency: Int, createsPerSecond: Double) {
        self.concurrency = concurrency
        self.createsPerSecond = createsPerSecond
    }
}
