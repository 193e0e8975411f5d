public import Foundation
public import TroupeNet

/// Input of fal-ai/kling-video/v3/{standard,pro}/motion-control.
public struct FalMotionControlRequest: Sendable, Equatable {
    public enum Tier: String, Sendable { case standard, pro }

    public var tier: Tier
    public var imageURL: String
    public var videoURL: String
    /// "image" or "video", as Kling's character_orientation.
    public var characterOrientation: String
    public var keepOriginalSound: Bool
    public var prompt: String?

    public init(tier: Tier, imageURL: String, videoURL: String, characterOrientation: String,
                keepOriginalSound: Bool = true, prompt: String? = nil) {
        self.tier = tier
        self.imageURL = imageURL
        self.videoURL = videoURL
        self.characterOrientation = characterOrientation
        self.keepOriginalSound = keepOriginalSound
        self.prompt = prompt
    }

    public var modelPath: String { "fal-ai/kling-video/v3/\(tier.rawValue)/motion-control" }

    /// JSON with sorted keys, written by hand as Kling's body is (JSONSerialization with sorted
    /// keys cost a twentieth of a fal run's CPU); fal takes a boolean keep_original_sound, unlike
    /// Kling's "yes"/"no".
    public func jsonBody() -> Data {
        var json = JSONObjectText()
        json.field("character_orientation", characterOrientation)
        json.field("image_url", imageURL)
        json.field("keep_original_sound", raw: keepOriginalSound ? "true" : "false")
        json.field("prompt", prompt?.isEmpty == false ? prompt : nil)
        json.field("video_url", videoURL)
        return json.data
    }
}

/// What the queue hands back on submit; always follow these URLs rather than building them.
public struct FalQueueHandle: Sendable, Equatable, Codable {
    public var requestID: String
    public var statusURL: String
    public var responseURL: String
    public var cancelURL: String?
}

public enum FalQueueStatus: Sendable, Equatable {
    case inQueue(position: Int?)
    case inProgress
    /// Finished; `error` is set when the generation failed.
    case completed(error: String?)
}

/// The output video.
public struct FalVideo: Sendable, Equatable {
    public var url: String
    public var fileName: String?
    public var contentType: String?
    public var fileSize: Int?
}

/// fal failures, each saying what to do.
public enum FalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// 401/403: FAL_KEY is missing or wrong.
    case unauthorized(String)
    /// 4xx: fal refused the input (422 validation) — the message says which field.
    case rejected(status: Int, message: String)
    /// The request completed with an error.
    case generationFailed(requestID: String, message: String)
    /// 429: too many submits; `after` seconds from Retry-After.
    case rateLimited(after: Double?)
    /// 5xx: retry later.
    case unavailable(status: Int, message: String)
    case unexpectedResponse(status: Int, message: String)
    case transport(HTTPError)

    public var isRetryable: Bool {
        switch self {
        case .unavailable, .transport, .rateLimited: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .unauthorized(let m): "fal rejected the key (\(m)). Check FAL_KEY."
        case .rejected(let status, let m): "fal refused the request (HTTP \(status)): \(m)"
        case .generationFailed(let id, let m): "fal request \(id) failed: \(m)"
        case .unavailable(let status, let m): "fal is unavailable (HTTP \(status)): \(m); retrying."
        case .rateLimited(let after): "fal refused the submit: too many requests" + (after.map { "; retry after \($0) s" } ?? "")
        case .unexpectedResponse(let status, let m): "Unexpected answer from fal (HTTP \(status)): \(m)"
        case .transport(let error): "Could not reach fal: \(error)"
        }
    }
}

/// One request as fal's platform API lists it (`expand=payloads`).
public struct FalRequestRecord: Sendable, Equatable {
    public var requestID: String
    public var sentAt: Date?
    /// The request's input, as the submit's JSON body had it (scalars only: what matching needs).
    public var input: [String: String]

    init?(json: [String: Any]) {
        guard let id = json["request_id"] as? String else { return nil }
        requestID = id
        sentAt = (json["sent_at"] as? String ?? json["started_at"] as? String).flatMap(Self.date)
        var input: [String: String] = [:]
        for (k, v) in json["json_input"] as? [String: Any] ?? [:] {
            if let b = v as? Bool { input[k] = b ? "true" : "false" }
            else if let s = v as? String { input[k] = s }
            else if let n = v as? NSNumber { input[k] = n.stringValue }
        }
        self.input = input
    }

    static func date(_ text: String) -> Date? {
        let f = ISO8601DateFormatter()
        f.formatOptions = [.withInternetDateTime, .withFractionalSeconds]
        if let d = f.date(from: text) { return d }
        f.formatOptions = [.withInternetDateTime]
        return f.date(from: text)
    }
}
