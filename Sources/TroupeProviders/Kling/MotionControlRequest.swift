public import Foundation
public import TroupeSupport

/// The body of POST /v1/videos/motion-control, encoded exactly as Kling documents it.
public struct MotionControlRequest: Sendable, Equatable {
    public enum Model: String, Sendable { case klingV3 = "kling-v3", klingV2_6 = "kling-v2-6" }
    public enum Mode: String, Sendable { case std, pro }

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

    /// JSON with sorted keys; keep_original_sound as the strings "yes"/"no". Written by hand:
    /// one is sent per render, and JSONEncoder's generic path costs more than the rest of sending it.
    public func jsonBody() -> Data {
        var json = JSONObjectText()
        json.field("callback_url", callbackURL)
        json.field("character_orientation", orientation.rawValue)
        if let elementID { json.field("element_list", raw: "[{\"element_id\":\(elementID)}]") }
        json.field("external_task_id", externalTaskID)
        json.field("image_url", imageURL)
        json.field("keep_original_sound", keepOriginalSound ? "yes" : "no")
        json.field("mode", mode.rawValue)
        json.field("model_name", model.rawValue)
        json.field("prompt", prompt?.isEmpty == false ? prompt : nil)
        json.field("video_url", videoURL)
        if let watermark { json.field("watermark_info", raw: "{\"enabled\":\(watermark)}") }
        return json.data
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
        var body = Body(elementName: name, elementDescription: description, referenceType: "", callbackURL: callbackURL,
                        externalTaskID: externalTaskID)
        switch reference {
        case .video(let url):
            body.referenceType = "video_refer"
            body.videoList = .init(referVideos: [.init(videoURL: url)])
        case .images(let frontal, let others):
            body.referenceType = "image_refer"
            body.imageList = .init(frontalImage: frontal, referImages: others.map { .init(imageURL: $0) })
        }
        return KlingJSONBody.encode(body)
    }

    /// The wire shape; nil fields are left out.
    private struct Body: Encodable {
        struct VideoList: Encodable {
            struct Video: Encodable {
                var videoURL: String
                enum CodingKeys: String, CodingKey { case videoURL = "video_url" }
            }
            var referVideos: [Video]
            enum CodingKeys: String, CodingKey { case referVideos = "refer_videos" }
        }
        struct ImageList: Encodable {
            struct Image: Encodable {
                var imageURL: String
                enum CodingKeys: String, CodingKey { case imageURL = "image_url" }
            }
            var frontalImage: String
            var referImages: [Image]
            enum CodingKeys: String, CodingKey { case frontalImage = "frontal_image", referImages = "refer_images" }
        }

        var elementName: String
        var elementDescription: String?
        var referenceType: String
        var videoList: VideoList?
        var imageList: ImageList?
        var callbackURL: String?
        var externalTaskID: String?

        enum CodingKeys: String, CodingKey {
            case elementName = "element_name", elementDescription = "element_description", referenceType = "reference_type"
            case videoList = "element_video_list", imageList = "element_image_list", callbackURL = "callback_url"
            case externalTaskID = "external_task_id"
        }
    }
}

/// A JSON object written field by field, in the order given (callers give their keys sorted),
/// strings escaped as JSONSerialization does with slashes left alone.
struct JSONObjectText {
    private var bytes: [UInt8] = [UInt8(ascii: "{")]

    /// Leaves the field out when `value` is nil.
    mutating func field(_ key: String, _ value: String?) {
        guard let value else { return }
        name(key)
        JSONString.append(value, to: &bytes)
    }

    /// `json` is already JSON.
    mutating func field(_ key: String, raw json: String) {
        name(key)
        bytes.append(contentsOf: json.utf8)
    }

    var data: Data { Data(bytes + [UInt8(ascii: "}")]) }

    private mutating func name(_ key: String) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        JSONString.append(key, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }
}

/// Request bodies as Kling documents them: sorted keys, slashes unescaped (URLs stay readable).
enum KlingJSONBody {
    static func encode(_ body: some Encodable) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        // Encoding plain strings, numbers and bools cannot fail.
        return (try? encoder.encode(body)) ?? Data()
    }
}
