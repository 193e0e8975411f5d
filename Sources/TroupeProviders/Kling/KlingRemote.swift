import Foundation
public import TroupeManifest
import TroupeNet

/// The official Kling API as a `RemoteProvider`: maps each Kling answer to the rule of
/// DESIGN §4 it falls under.
public struct KlingRemote: RemoteProvider {
    public let client: KlingClient
    /// Pages of the list endpoint read per poll; tasks beyond them are asked one by one.
    public var maxPollPages = 4

    public var kind: ProviderKind { .kling }

    public init(client: KlingClient) {
        self.client = client
    }

    public func create(_ request: RemoteRenderRequest) async -> ProviderReply {
        let body = MotionControlRequest(
            model: request.settings.model == .klingV3 ? .klingV3 : .klingV2_6,
            mode: request.settings.mode == .pro ? .pro : .std,
            orientation: request.settings.orientation == .video ? .video : .image,
            imageURL: request.imageURL, videoURL: request.videoURL,
            prompt: request.settings.prompt.isEmpty ? nil : request.settings.prompt,
            keepOriginalSound: request.settings.keepSound, elementID: request.elementID,
            watermark: request.settings.watermark, externalTaskID: request.externalID)
        do {
            let task = try await client.createMotionControl(body)
            return .accepted(taskID: task.taskID)
        } catch {
            return Self.createFailure(error)
        }
    }

    public func query(externalID: String) async -> ProviderReply {
        do {
            guard let task = try await client.lookup(externalTaskID: externalID) else { return .notFound }
            return .task(taskID: task.taskID, status: Self.status(task))
        } catch {
            return Self.queryFailure(error)
        }
    }

    public func poll(taskIDs: Set<String>) async -> [String: RemoteStatus]? {
        // Newest first, and what is in flight was created last: a page a little larger than
        // the tasks in flight usually covers them all, and the next page finds the rest
        // (every task on a page is parsed, so a full page of 500 would be mostly waste).
        let size = min(500, taskIDs.count + max(10, taskIDs.count / 4))
        var found: [String: RemoteStatus] = [:]
        for page in 1...maxPollPages {
            guard let tasks = try? await client.listMotionControl(page: page, pageSize: size) else { return page == 1 ? nil : found }
            for task in tasks where taskIDs.contains(task.taskID) { found[task.taskID] = Self.status(task) }
            if found.count == taskIDs.count || tasks.count < size { break }
        }
        return found
    }

    public func createElement(_ request: RemoteElementRequest) async -> ProviderReply {
        let body = ElementRequest(name: String(request.name.prefix(20)), description: request.description.map { String($0.prefix(100)) },
                                  reference: .video(url: request.videoURL), externalTaskID: request.externalID)
        do {
            let task = try await client.createElement(body)
            return .accepted(taskID: task.taskID)
        } catch {
            return Self.createFailure(error)
        }
    }

    public func resourcePacks() async throws -> [ResourcePack]? {
        try await client.resourcePacks()
    }

    public func queryElement(externalID: String) async -> ProviderReply {
        do {
            let task = try await client.elementTask(id: externalID)
            switch task.status {
            case .succeed:
                guard let id = task.elementID else {
                    return .task(taskID: task.taskID, status: .failed("the element task succeeded without an element_id"))
                }
                return .task(taskID: task.taskID, status: .succeeded(url: String(id)))
            case .failed: return .task(taskID: task.taskID, status: .failed(task.statusMessage))
            case .processing: return .task(taskID: task.taskID, status: .processing)
            default: return .task(taskID: task.taskID, status: .queued)
            }
        } catch let error as KlingError where error.isNotFound {
            return .notFound
        } catch {
            return Self.queryFailure(error)
        }
    }

    static func status(_ task: KlingTask) -> RemoteStatus {
        switch task.status {
        case .succeed:
            guard let video = task.videos.first else { return .failed("the task succeeded without a video") }
            return .succeeded(url: video.url, units: task.unitsDeducted, seconds: video.duration)
        case .failed: return .failed(task.statusMessage.isEmpty ? "the task failed without a reason" : task.statusMessage)
        case .processing: return .processing
        default: return .queued
        }
    }

    /// A create that did not answer with a task.
    static func createFailure(_ error: any Error) -> ProviderReply {
        guard let error = error as? KlingError else { return .ambiguous("\(error)") }
        switch error {
        case .invalidRequest(_, let message) where message.lowercased().contains("already exist"):
            return .duplicate
        case .transport(let http):
            // Only a request that never left is safe to repeat; anything else may have created the task.
            return http.neverSent ? .retryable(after: nil, concurrency: false) : .ambiguous(error.description)
        case .unexpectedResponse:
            return .ambiguous(error.description)
        case .notFound(let message):
            return .rejected("Kling answered 'not found' to a create (\(message)); check KLING_BASE_URL", code: 1203)
        default:
            return common(error)
        }
    }

    static func queryFailure(_ error: any Error) -> ProviderReply {
        guard let error = error as? KlingError else { return .ambiguous("\(error)") }
        switch error {
        case .transport, .unexpectedResponse: return .retryable(after: nil, concurrency: false)
        default: return common(error)
        }
    }

    private static func common(_ error: KlingError) -> ProviderReply {
        if error.stopsRun { return .fatal(error.description, code: error.code) }
        switch error {
        case .rateLimited(let after): return .retryable(after: after.map(seconds), concurrency: false)
        case .concurrencyLimit(let after): return .retryable(after: after.map(seconds), concurrency: true)
        case .server: return .retryable(after: nil, concurrency: false)
        default: return .rejected(error.description, code: error.code)
        }
    }

    private static func seconds(_ d: Duration) -> Double {
        Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
}
