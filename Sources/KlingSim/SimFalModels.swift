public import Foundation
import Crypto
import TroupeSupport

/// One request in the simulated fal queue, from submit until the retention window closes.
struct SimFalRequest {
    enum Phase { case queued, running, done }

    enum Outcome: Equatable {
        case succeeded
        /// The model refused the input: the result answers 422 with its message.
        case failed(String)
        /// The runner failed and fal did not retry (x-fal-no-retry): 503 runner_disconnected.
        case runnerFailed
        /// Cancelled while queued: 499 client_cancelled (fal's request error table).
        case cancelled
    }

    let id: String
    let key: String
    let tier: String
    let endpointID: String
    /// The body as submitted: the listing's json_input.
    let input: Data
    let inputKey: String
    let request: SimCreateRequest
    /// Submit order: breaks ties between submits at the same clock time.
    let sequence: Int
    let sentAt: Double
    /// Set at submit when the generation will fail ([[sim:fail]] or failedTaskRate).
    let failure: String?
    /// The first attempt's runner fails halfway (fal re-queues it unless noRetry).
    let runnerFailsOnce: Bool
    let noRetry: Bool
    /// X-Fal-Store-IO: 0 turns payload storage off, which shortens the result's life to an hour.
    let storesPayloads: Bool
    /// Clock seconds each attempt runs (latency / timeScale), drawn at submit so the seed decides.
    let latencies: [Double]

    var phase = Phase.queued
    /// Attempts that reached a runner; the current one is `attempts - 1`.
    var attempts = 0
    /// When the current attempt started, and when the first did (the listing's started_at).
    var startedAt: Double?
    var firstStartedAt: Double?
    var endedAt: Double?
    var outcome: Outcome?
    var rendered: RenderedResult?
    var renderFailure: String?
    /// Clock time the renderer answered: a success cannot end before its video exists.
    var renderedAt: Double?
    var renderStarted = false
    /// A cancel that came while the runner worked: fal passes it on, Kling's generation runs on.
    var cancelRequested = false
    var charged = 0.0

    /// When the running attempt ends on the sim's clock; nil while it waits for the renderer.
    var attemptEnd: Double? {
        guard phase == .running, let startedAt else { return nil }
        let latency = latencies[min(attempts - 1, latencies.count - 1)]
        if runnerFailsOnce && attempts == 1 { return startedAt + latency / 2 }
        if failure != nil { return startedAt + latency }
        guard let renderedAt else { return nil }
        return max(startedAt + latency, renderedAt)
    }

    /// The HTTP status fal records for the finished request (the listing's status_code).
    var statusCode: Int? {
        switch outcome {
        case .succeeded: 200
        case .failed: 422
        case .runnerFailed: 503
        case .cancelled: 499
        case nil: nil
        }
    }

    /// What status answers as `error` once completed; nil for a success.
    var errorMessage: String? {
        switch outcome {
        case .failed(let message): message
        case .runnerFailed: "Runner disconnected"
        case .cancelled: "Request was cancelled"
        case .succeeded, nil: nil
        }
    }

    var queueStatus: String {
        switch phase {
        case .queued: "IN_QUEUE"
        case .running: "IN_PROGRESS"
        case .done: "COMPLETED"
        }
    }

    var errorType: String? {
        switch outcome {
        case .runnerFailed: "runner_disconnected"
        case .cancelled: "client_cancelled"
        default: nil
        }
    }
}

/// The fal side of the simulator: every request, the queue per key and the submit buckets.
struct SimFalState {
    var requests: [String: SimFalRequest] = [:]
    /// Request ids in submit order: stats and the listing walk this.
    var order: [String] = []
    /// Per fal key, the ids waiting for a runner, oldest submit first.
    var waiting: [String: [String]] = [:]
    var running: [String: Set<String>] = [:]
    var buckets: [String: (tokens: Double, at: Double)] = [:]
    /// Accepted submits so far (falDropSubmits counts these, from 1).
    var accepted = 0
    /// Request ids come from their own generator so they do not shift the fault decisions.
    var ids: SplitMix64

    init(seed: UInt64) { ids = SplitMix64(seed: seed ^ 0xFA1_FA1_FA1) }

    /// A version 4 UUID, lowercase, as fal's request ids.
    mutating func nextID() -> String {
        var bytes: [UInt8] = []
        for _ in 0..<2 {
            var value = ids.next()
            for _ in 0..<8 { bytes.append(UInt8(value & 0xFF)); value >>= 8 }
        }
        bytes[6] = (bytes[6] & 0x0F) | 0x40
        bytes[8] = (bytes[8] & 0x3F) | 0x80
        let hex = Array(Hex.lowercase(bytes))
        return [0..<8, 8..<12, 12..<16, 16..<20, 20..<32].map { String(hex[$0]) }.joined(separator: "-")
    }
}

/// The key under which `/_sim/stats` counts fal submits of the same input: stable across runs
/// although presigned S3 URLs change, so their query strings are dropped before hashing.
public enum SimFalInputKey {
    /// Hex SHA-256 (first 16 digits) of tier, image and video URLs without their query strings,
    /// character_orientation, keep_original_sound and prompt, one per line.
    public static func make(tier: String, imageURL: String, videoURL: String, characterOrientation: String,
                            keepOriginalSound: Bool, prompt: String?) -> String {
        let text = [tier, withoutQuery(imageURL), withoutQuery(videoURL), characterOrientation,
                    keepOriginalSound ? "true" : "false", prompt ?? ""].joined(separator: "\n")
        return String(Hex.lowercase(SHA256.hash(data: Data(text.utf8))).prefix(16))
    }

    /// The same key from a submit body; keep_original_sound defaults to true as fal's does.
    public static func make(tier: String, body: Data) -> String? {
        guard let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any],
              let image = json["image_url"] as? String, let video = json["video_url"] as? String else { return nil }
        return make(tier: tier, imageURL: image, videoURL: video,
                    characterOrientation: json["character_orientation"] as? String ?? "",
                    keepOriginalSound: json["keep_original_sound"] as? Bool ?? true, prompt: json["prompt"] as? String)
    }

    static func withoutQuery(_ url: String) -> String {
        String(url.prefix { $0 != "?" && $0 != "#" })
    }
}

/// One fal request as `/_sim/stats` lists it.
public struct SimFalRequestSummary: Sendable, Equatable {
    public var requestID: String
    public var inputKey: String
    /// IN_QUEUE, IN_PROGRESS or COMPLETED.
    public var status: String
    /// Dollars billed (0 until it succeeds, and for failed, cancelled and 5xx requests).
    public var charged: Double
    public var cancelled: Bool
    /// Runner attempts so far: 2 after a server-side retry.
    public var attempts: Int
    public var error: String?

    var json: [String: Any] {
        ["request_id": requestID, "input_key": inputKey, "status": status, "charged": charged,
         "cancelled": cancelled, "attempts": attempts, "error": error ?? NSNull()]
    }
}
