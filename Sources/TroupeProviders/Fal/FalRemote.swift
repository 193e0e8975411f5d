public import Foundation
public import TroupeManifest
import TroupeNet
import Synchronization

/// fal's queue as a `RemoteProvider`. fal takes no idempotency key and lets the client choose
/// no id, so a submit whose answer is lost cannot be asked about by name: the job is looked
/// for among the model's recent requests (by its inputs, after its intent), and stays in
/// doubt when none matches. At most once, never exactly once.
public final class FalRemote: RemoteProvider {
    public let client: FalClient
    /// Status, response and cancel URLs of every request this process follows, by request id.
    private let handles = Mutex<[String: FalQueueHandle]>([:])
    /// Requests in the queue, by id: how many are ahead of each (the live display shows it).
    private let positions = Mutex<[String: Int]>([:])
    /// Requests seen IN_PROGRESS: until their result is there, nothing more to learn.
    private let running = Mutex<Set<String>>([])
    /// Status calls at once during a poll round (each request is asked on its own URL).
    public let pollWidth = 8

    public var kind: ProviderKind { .fal }
    public var findsTasksByExternalID: Bool { false }
    public var pollsEachTask: Bool { true }

    public init(client: FalClient) {
        self.client = client
    }

    public func create(_ request: RemoteRenderRequest) async -> ProviderReply {
        let body = Self.body(request)
        do {
            let handle = try await client.submit(body)
            handles.withLock { $0[handle.requestID] = handle }
            return .accepted(taskID: handle.requestID, handle: Self.encode(handle))
        } catch {
            return Self.submitFailure(error)
        }
    }

    /// What fal's queue is sent for a render. fal's motion-control endpoint takes no element
    /// id (identity comes from the image), so `elementID` is not sent.
    static func body(_ request: RemoteRenderRequest) -> FalMotionControlRequest {
        let s = request.settings
        return FalMotionControlRequest(tier: s.mode == .pro ? .pro : .standard, imageURL: request.imageURL, videoURL: request.videoURL,
                                       characterOrientation: s.orientation == .video ? "video" : "image",
                                       keepOriginalSound: s.keepSound, prompt: s.prompt.isEmpty ? nil : s.prompt)
    }

    /// A submit that did not answer with a request id. Only what certainly queued nothing is
    /// retryable; anything else may have been queued (and paid).
    static func submitFailure(_ error: any Error) -> ProviderReply {
        guard let error = error as? FalError else { return .ambiguous("\(error)") }
        switch error {
        case .transport(let http):
            return http.neverSent ? .retryable(after: nil, concurrency: false) : .ambiguous(error.description)
        case .unexpectedResponse: return .ambiguous(error.description)
        // fal answers 429/5xx before queueing, and does not bill 5xx.
        case .rateLimited(let after): return .retryable(after: after, concurrency: false)
        case .unavailable: return .retryable(after: nil, concurrency: false)
        case .unauthorized(let message): return .fatal("fal rejected the key (\(message)); check FAL_KEY")
        case .rejected(let status, let message): return .rejected("fal refused the request (HTTP \(status)): \(message)")
        case .generationFailed(_, let message): return .rejected(message)
        }
    }

    /// Only the poll's fall-back asks this, for a request it could not see: ask again later.
    public func query(externalID: String) async -> ProviderReply {
        .retryable(after: nil, concurrency: false)
    }

    /// Without the URLs its submit returned (a request found in the list, or one only the lock
    /// names), fal's documented queue paths for the request id are followed.
    public func follow(taskID: String, handle: String?) {
        let known = handle.flatMap(Self.decode) ?? documentedHandle(taskID)
        handles.withLock { $0[taskID] = known }
    }

    private func documentedHandle(_ requestID: String) -> FalQueueHandle {
        let base = client.baseURL + "/fal-ai/kling-video/requests/" + requestID
        return FalQueueHandle(requestID: requestID, statusURL: base + "/status", responseURL: base, cancelURL: base + "/cancel")
    }

    /// Looks for the request among the model's requests since the intent (a little before, for
    /// clocks that disagree) whose inputs are this render's: URLs compared without their query
    /// (a presigned URL's signature differs each time it is made). A request another job
    /// already follows is not taken.
    public func find(_ request: RemoteRenderRequest, since: Date?) async -> ProviderReply {
        let body = Self.body(request)
        let from = (since ?? Date()).addingTimeInterval(-300)
        let taken = handles.withLock { Set($0.keys) }
        var cursor: String?
        var pages = 0
        do {
            repeat {
                let page = try await client.recentRequests(model: body.modelPath, since: from, cursor: cursor)
                let matches = page.items.filter { !taken.contains($0.requestID) && Self.matches($0, body) && ($0.sentAt ?? from) >= from }
                // The earliest after the intent: the first submit of it.
                if let found = matches.min(by: { ($0.sentAt ?? .distantFuture) < ($1.sentAt ?? .distantFuture) }) {
                    return await adopt(found.requestID)
                }
                cursor = page.next
                pages += 1
            } while cursor != nil && pages < 20
        } catch {
            return .unknown("fal's request list could not be read: \(error)")
        }
        return .unknown("no request with its inputs in fal's request list since \(FalClient.iso(from))")
    }

    /// A request found in the list: its URLs are fal's documented queue paths (the list gives
    /// only the id), then its status as any other.
    private func adopt(_ requestID: String) async -> ProviderReply {
        let handle = documentedHandle(requestID)
        handles.withLock { $0[requestID] = handle }
        guard let status = await status(requestID, handle) else { return .retryable(after: nil, concurrency: false) }
        return .task(taskID: requestID, status: status)
    }

    static func matches(_ record: FalRequestRecord, _ body: FalMotionControlRequest) -> Bool {
        let i = record.input
        return i["image_url"].map(withoutQuery) == withoutQuery(body.imageURL)
            && i["video_url"].map(withoutQuery) == withoutQuery(body.videoURL)
            && (i["character_orientation"] ?? "image") == body.characterOrientation
            && (i["keep_original_sound"] ?? "true") == (body.keepOriginalSound ? "true" : "false")
            && (i["prompt"] ?? "") == (body.prompt ?? "")
    }

    static func withoutQuery(_ url: String) -> String {
        url.split(separator: "?", maxSplits: 1).first.map(String.init) ?? url
    }

    public func poll(taskIDs: Set<String>) async -> [String: RemoteStatus]? {
        let known = handles.withLock { h in taskIDs.compactMap { id in h[id].map { (id, $0) } } }
        var found: [String: RemoteStatus] = [:]
        var next = 0
        await withTaskGroup(of: (String, RemoteStatus?).self) { group in
            func add() {
                guard next < known.count else { return }
                let (id, handle) = known[next]
                next += 1
                group.addTask { (id, await self.status(id, handle)) }
            }
            for _ in 0..<pollWidth { add() }
            for await (id, status) in group {
                if let status { found[id] = status }
                add()
            }
        }
        return found
    }

    /// One request's state; nil when fal could not be asked (the poller tries again). The
    /// result URL is asked first: a request is asked when it may be done, and most are, so one
    /// call answers instead of two. The status URL only when the result is not there yet and
    /// the request was not seen running (it tells the queue position, or the error of a request
    /// that ended without a result).
    private func status(_ id: String, _ handle: FalQueueHandle) async -> RemoteStatus? {
        do {
            let video = try await client.result(handle)
            forget(id)
            return .succeeded(url: video.url)
        } catch FalError.generationFailed(_, let message) {
            forget(id)
            return .failed(message)
        } catch FalError.rejected(404, _) {
            forget(id)
            return Self.lost(id)
        } catch FalError.rejected(400, _) where running.withLock({ $0.contains(id) }) {
            return .processing
        } catch {
            // Not done, or ended without a result: the status says which.
        }
        do {
            switch try await client.status(handle) {
            case .inQueue(let position):
                positions.withLock { $0[id] = position }
                return .queued
            case .inProgress:
                positions.withLock { $0[id] = nil }
                running.withLock { _ = $0.insert(id) }
                return .processing
            case .completed(let error?):
                forget(id)
                return .failed(error)
            case .completed(nil):
                // Finished between the two calls: its result next round.
                return .processing
            }
        } catch FalError.rejected(404, _) {
            forget(id)
            return Self.lost(id)
        } catch {
            return nil
        }
    }

    /// Known, paid, and no longer kept by the queue.
    static func lost(_ id: String) -> RemoteStatus {
        .failed("paid, result lost: fal no longer keeps request \(id) (its results are kept for a limited time); it is not submitted again — re-roll with --reroll to render it again")
    }

    private func forget(_ id: String) {
        positions.withLock { $0[id] = nil }
        running.withLock { _ = $0.remove(id) }
    }

    /// How many requests are ahead of a queued one, as fal last said.
    public func queuePosition(taskID: String) -> Int? { positions.withLock { $0[taskID] } }

    public func createElement(_ request: RemoteElementRequest) async -> ProviderReply {
        .rejected("fal's motion-control endpoint has no elements: give the character an image only, or render with provider kling")
    }

    public func queryElement(externalID: String) async -> ProviderReply {
        .notFound
    }

    /// The handle as `FalQueueHandle`'s Codable form, written by hand: one per submit, and a
    /// JSONEncoder costs more than the rest of the answer's handling.
    static func encode(_ handle: FalQueueHandle) -> String? {
        var json = JSONObjectText()
        json.field("cancelURL", handle.cancelURL)
        json.field("requestID", handle.requestID)
        json.field("responseURL", handle.responseURL)
        json.field("statusURL", handle.statusURL)
        return String(decoding: json.data, as: UTF8.self)
    }

    static func decode(_ text: String) -> FalQueueHandle? {
        try? JSONDecoder().decode(FalQueueHandle.self, from: Data(text.utf8))
    }
}
