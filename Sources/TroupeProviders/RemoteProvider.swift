public import Foundation
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
    /// True when `query(externalID:)` answers for certain (Kling's external_task_id): a create
    /// refused before it arrived is then asked about before it is sent again. False (fal):
    /// such a create is sent again at once, and only an ambiguous one is looked for.
    var findsTasksByExternalID: Bool { get }
    /// The task this render's create made, if the provider can find it: by external id
    /// (Kling), or among its recent requests by inputs and time (fal, `.unknown` when it
    /// cannot tell). `since`: when the intent to create was committed.
    func find(_ request: RemoteRenderRequest, since: Date?) async -> ProviderReply
    /// A task this process did not create is followed by what its create handed back
    /// (`ProviderReply.accepted`'s handle, kept with the row).
    func follow(taskID: String, handle: String?)
    /// How many requests are ahead of a queued task, when the provider says (fal).
    func queuePosition(taskID: String) -> Int?
    /// True when `poll` asks each task on its own (fal): a poll round then asks only the tasks
    /// that may be done. False (Kling): one list call covers them all.
    var pollsEachTask: Bool { get }
}

extension RemoteProvider {
    public func resourcePacks() async throws -> [ResourcePack]? { nil }
    public var findsTasksByExternalID: Bool { true }
    public func find(_ request: RemoteRenderRequest, since: Date?) async -> ProviderReply {
        await query(externalID: request.externalID)
    }
    public func follow(taskID: String, handle: String?) {}
    public func queuePosition(taskID: String) -> Int? { nil }
    public var pollsEachTask: Bool { false }
}
