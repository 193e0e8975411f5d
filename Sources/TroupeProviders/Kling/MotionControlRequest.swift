public import Foundation

/// The body of POST /v1/videos/motion-control, encoded exactly as Kling documents it.
public struct MotionControlRequest: Sendable, Equatable {
    public enum Model: String, Sendable { case klingV3 = "kling-v3", klingV2_6 = "kling-v2-6" }
    public enum Mode: String, Sendable { case std, pro }
    public enum Orientation: String, Sendable { case image, video }

    public var model: Model
    public var mode: Mode
    public var orientation: Orientation
    /// A URL, or raw base64 without a data: prefix.
    public var imageURL: String
    public var videoURL: String
    public var prompt: String?
    public var keepOriginalSound: Bool
    /// At most one element; needs orientation `.video`.
    public var elementID: Int64?
    public var watermark: Bool?
    public var callbackURL: String?
    /// troupe's idempotency key: unique per account, queryable.
    public var externalTaskID: String?

    public init(model: Model = .klingV3, mode: Mode, orientation: Orientation, imageURL: String, videoURL: String,
                prompt: String? = nil, keepOriginalSound: Bool = true, elementID: Int64? = nil, watermark: Bool? = nil,
                callbackURL: String? = nil, externalTaskID: String? = nil) {
        self.model = model
        self.mode = mode
        self.orientation = orientation
        self.imageURL = imageURL
        self.videoURL = videoURL
        self.prompt = prompt
        self.keepOriginalSound = keepOriginalSound
        self.elementID = elementID
        self.watermark = watermark
        self.callbackURL = callbackURL
        self.externalTaskID = externalTaskID
    }

    /// JSON with sorted keys; keep_original_sound as the strings "yes"/"no".
    public func jsonBody() -> Data {
        var body: [String: Any] = [
            "model_name": model.rawValue, "mode": mode.rawValue, "character_orientation": orientation.rawValue,
            "image_url": imageURL, "video_url": videoURL, "keep_original_sound": keepOriginalSound ? "yes" : "no",
        ]
        if let prompt, !prompt.isEmpty { body["prompt"] = prompt }
        if let elementID { body["element_list"] = [["element_id": NSNumber(value: elementID)]] }
        if let watermark { body["watermark_info"] = ["enabled": watermark] }
        if let callbackURL { body["callback_url"] = callbackURL }
        if let externalTaskID { body["external_task_id"] = externalTaskID }
        return (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }
}

/// The body of POST /v1/general/advanced-custom-elements.
public struct ElementRequest: Sendable, Equatable {
    public enum Reference: Sendable, Equatable {
        /// video_refer: one mp4/mov of 3–8 s.
        case video(url: String)
        /// image_refer: a frontal image and 1–3 more.
        case images(frontal: String, others: [String])
    }

    public var name: String
    public var description: String?
    public var reference: Reference
    public var callbackURL: String?
    public var externalTaskID: String?

    public init(name: String, description: String? = nil, reference: Reference, callbackURL: String? = nil,
                externalTaskID: String? = nil) {
        self.name = name
        self.description = description
        self.reference = reference
        self.callbackURL = callbackURL
        self.externalTaskID = externalTaskID
    }

    public func jsonBody() -> Data {
        var body: [String: Any] = ["element_name": name]
        if let description { body["element_description"] = description }
        switch reference {
        case .video(let url):
            body["reference_type"] = "video_refer"
            body["element_video_list"] = ["refer_videos": [["video_url": url]]]
        case .images(let frontal, let others):
            body["reference_type"] = "image_refer"
            body["element_image_list"] = ["frontal_image": frontal, "refer_images": others.map { ["image_url": $0] }]
        }
        if let callbackURL { body["callback_url"] = callbackURL }
        if let externalTaskID { body["external_task_id"] = externalTaskID }
        return (try? JSONSerialization.data(withJSONObject: body, options: [.sortedKeys, .withoutEscapingSlashes])) ?? Data()
    }
}
