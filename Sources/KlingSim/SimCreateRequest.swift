import Foundation

/// A motion-control create body after the simulator has validated it like Kling does.
public struct SimCreateRequest: Sendable, Equatable {
    public var modelName: String
    public var mode: String
    public var characterOrientation: String
    public var imageURL: String
    public var videoURL: String
    public var prompt: String
    public var keepOriginalSound: Bool
    public var elementIDs: [Int64]
    public var watermark: Bool
    public var callbackURL: String?
    public var externalTaskID: String?

    /// Units per second of output (official price list).
    var unitsPerSecond: Double {
        switch (modelName, mode) {
        case ("kling-v3", "pro"): 1.2
        case ("kling-v3", _): 0.9
        case (_, "pro"): 0.8
        default: 0.5
        }
    }
}

/// A rejection in Kling's terms: HTTP status, business code and message.
struct SimRejection: Error {
    var status: Int
    var code: Int
    var message: String

    static func invalid(_ message: String) -> SimRejection { .init(status: 400, code: 1200, message: message) }
    static func badValue(_ message: String) -> SimRejection { .init(status: 400, code: 1201, message: message) }
}

extension SimCreateRequest {
    /// Validates a create body: required fields, enum values, lengths, element rules.
    static func parse(_ body: Data) throws(SimRejection) -> SimCreateRequest {
        guard let object = try? JSONSerialization.jsonObject(with: body), let json = object as? [String: Any] else {
            throw .invalid("request body is not a JSON object")
        }
        func string(_ key: String, required: Bool) throws(SimRejection) -> String? {
            guard let value = json[key], !(value is NSNull) else {
                if required { throw .invalid("\(key) is required") }
                return nil
            }
            guard let text = value as? String else { throw .badValue("\(key) must be a string") }
            if required && text.isEmpty { throw .invalid("\(key) is required") }
            return text
        }
        func oneOf(_ key: String, _ allowed: [String], required: Bool, default fallback: String) throws(SimRejection) -> String {
            guard let value = try string(key, required: required) else { return fallback }
            guard allowed.contains(value) else {
                throw .badValue("\(key) must be one of \(allowed.joined(separator: ", ")), got \"\(value)\"")
            }
            return value
        }
        let mode = try oneOf("mode", ["std", "pro"], required: true, default: "std")
        let orientation = try oneOf("character_orientation", ["image", "video"], required: true, default: "image")
        let model = try oneOf("model_name", ["kling-v3", "kling-v2-6"], required: false, default: "kling-v2-6")
        let sound = try oneOf("keep_original_sound", ["yes", "no"], required: false, default: "yes")
        let video = try string("video_url", required: true)!
        let image = try string("image_url", required: true)!
        let prompt = try string("prompt", required: false) ?? ""
        guard prompt.count <= 2500 else { throw .badValue("prompt must be at most 2500 characters, got \(prompt.count)") }
        guard video.hasPrefix("http://") || video.hasPrefix("https://") else { throw .badValue("video_url must be a URL") }

        var elements: [Int64] = []
        if let raw = json["element_list"], !(raw is NSNull) {
            guard let list = raw as? [Any] else { throw .badValue("element_list must be an array") }
            for item in list {
                guard let entry = item as? [String: Any], let id = (entry["element_id"] as? NSNumber)?.int64Value else {
                    throw .badValue("element_list entries must be {\"element_id\": <integer>}")
                }
                elements.append(id)
            }
            guard elements.count <= 1 else { throw .badValue("element_list accepts at most 1 element, got \(elements.count)") }
            guard elements.isEmpty || orientation == "video" else {
                throw .badValue("element_list requires character_orientation video")
            }
        }
        var watermark = false
        if let raw = json["watermark_info"], !(raw is NSNull) {
            guard let info = raw as? [String: Any], let enabled = info["enabled"] as? Bool else {
                throw .badValue("watermark_info must be {\"enabled\": <bool>}")
            }
            watermark = enabled
        }
        let external = try string("external_task_id", required: false)
        if let external, external.isEmpty || external.count > 64 { throw .badValue("external_task_id must be 1-64 characters") }
        return SimCreateRequest(modelName: model, mode: mode, characterOrientation: orientation, imageURL: image,
                                videoURL: video, prompt: prompt, keepOriginalSound: sound == "yes", elementIDs: elements,
                                watermark: watermark, callbackURL: try string("callback_url", required: false),
                                externalTaskID: external)
    }
}
