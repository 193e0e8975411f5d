public import TroupeManifest

/// One motion-control render as a remote provider needs it: URLs, settings, idempotency key.
public struct RemoteRenderRequest: Sendable, Equatable {
    public var externalID: String
    public var imageURL: String
    public var videoURL: String
    public var settings: RenderSettings
    public var elementID: Int64?

    public init(externalID: String, imageURL: String, videoURL: String, settings: RenderSettings, elementID: Int64?) {
        self.externalID = externalID
        self.imageURL = imageURL
        self.videoURL = videoURL
        self.settings = settings
        self.elementID = elementID
    }
}

/// An element (identity) made from a reference video.
public struct RemoteElementRequest: Sendable, Equatable {
    public var externalID: String
    public var name: String
    public var description: String?
    public var videoURL: String

    public init(externalID: String, name: String, description: String?, videoURL: String) {
        self.externalID = externalID
        self.name = name
        self.description = description
        self.videoURL = videoURL
    }
}

/// A provider that renders at a service: what the executor's remote session asks of it.
/// Every answer is a `ProviderReply` the lifecycle understands; no method throws, because every
/// failure has a meaning for exactly-once payment (retry, ask first, fail the job, stop the run).
public protocol RemoteProvider: Provider {
    func create(_ request: RemoteRenderRequest) async -> ProviderReply
    /// The task with this external id: `.task`, `.notFound` (safe to submit) or a failure.
    func query(externalID: String) async -> ProviderReply
    /// The current state of many tasks at once (the list endpoint). Tasks the answer does not
    /// cover are left out; a failed call answers nil.
    func poll(taskIDs: Set<String>) async -> [String: RemoteStatus]?
    func createElement(_ request: RemoteElementRequest) async -> ProviderReply
    func queryElement(externalID: String) async -> ProviderReply
    /// The account's prepaid resource packs; nil for a provider that bills without them.
    func resourcePacks() async throws -> [ResourcePack]?
}

extension RemoteProvider {
    public func resourcePacks() async throws -> [ResourcePack]? { nil }
}
