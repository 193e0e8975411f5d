public import Foundation

/// A motion-control task as Kling reports it (create, query, list and callback bodies).
public struct KlingTask: Sendable, Equatable {
    public enum Status: Sendable, Equatable {
        case submitted, processing, succeed, failed
        case other(String)

        init(_ raw: String) {
            switch raw {
            case "submitted": self = .submitted
            case "processing": self = .processing
            case "succeed": self = .succeed
            case "failed": self = .failed
            default: self = .other(raw)
            }
        }

        public var isFinished: Bool { self == .succeed || self == .failed }
    }

    public struct Video: Sendable, Equatable {
        public var id: String
        public var url: String
        public var watermarkURL: String?
        /// Seconds, as Kling reports them (a string in its JSON).
        public var duration: Double?
    }

    public var taskID: String
    public var status: Status
    /// Why a task failed; empty otherwise. Kling puts the only failure reason here.
    public var statusMessage: String
    public var externalTaskID: String?
    /// Milliseconds since 1970, as Kling sends them.
    public var createdAt: Int64?
    public var updatedAt: Int64?
    public var videos: [Video]
    /// Units charged (`final_unit_deduction`), once known.
    public var unitsDeducted: Double?
    public var watermarkEnabled: Bool?

    /// The failure as an error, when the task failed.
    public var failure: KlingError? {
        status == .failed ? .taskFailed(taskID: taskID, message: statusMessage.isEmpty ? "no reason given" : statusMessage) : nil
    }

    init(json: [String: Any]) throws(KlingError) {
        guard let id = KlingJSON.string(json["task_id"]) else {
            throw .unexpectedResponse(status: 200, message: "task without task_id")
        }
        taskID = id
        status = Status(KlingJSON.string(json["task_status"]) ?? "submitted")
        statusMessage = KlingJSON.string(json["task_status_msg"]) ?? ""
        externalTaskID = KlingJSON.string((json["task_info"] as? [String: Any])?["external_task_id"])
            ?? KlingJSON.string(json["external_task_id"])
        createdAt = KlingJSON.int64(json["created_at"])
        updatedAt = KlingJSON.int64(json["updated_at"])
        let result = json["task_result"] as? [String: Any]
        videos = ((result?["videos"] as? [[String: Any]]) ?? []).compactMap { video in
            guard let url = KlingJSON.string(video["url"]) else { return nil }
            return Video(id: KlingJSON.string(video["id"]) ?? "", url: url, watermarkURL: KlingJSON.string(video["watermark_url"]),
                         duration: KlingJSON.double(video["duration"]))
        }
        unitsDeducted = KlingJSON.double(json["final_unit_deduction"])
        watermarkEnabled = (json["watermark_info"] as? [String: Any])?["enabled"] as? Bool
    }

    /// A callback body, flat or wrapped in {code, message, request_id, data} (sources disagree).
    public static func fromCallback(_ body: Data) throws(KlingError) -> KlingTask {
        guard let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            throw .unexpectedResponse(status: 200, message: "callback body is not a JSON object")
        }
        if let data = json["data"] as? [String: Any], json["task_id"] == nil { return try KlingTask(json: data) }
        return try KlingTask(json: json)
    }
}

/// An element (identity) task; `elementID` appears once it succeeded.
public struct KlingElementTask: Sendable, Equatable {
    public var taskID: String
    public var status: KlingTask.Status
    public var statusMessage: String
    public var externalTaskID: String?
    public var elementID: Int64?

    init(json: [String: Any]) throws(KlingError) {
        guard let id = KlingJSON.string(json["task_id"]) else {
            throw .unexpectedResponse(status: 200, message: "element task without task_id")
        }
        taskID = id
        status = .init(KlingJSON.string(json["task_status"]) ?? "submitted")
        statusMessage = KlingJSON.string(json["task_status_msg"]) ?? ""
        externalTaskID = KlingJSON.string((json["task_info"] as? [String: Any])?["external_task_id"])
        // The documented shape is unclear: accept data.element_id, task_result.element_id or task_result.elements[0].
        let result = json["task_result"] as? [String: Any]
        elementID = KlingJSON.int64(json["element_id"]) ?? KlingJSON.int64(result?["element_id"])
            ?? KlingJSON.int64((result?["elements"] as? [[String: Any]])?.first?["element_id"])
    }
}

/// Kling sends numbers as strings in places (duration, units, ids); read both.
enum KlingJSON {
    static func string(_ value: Any?) -> String? {
        switch value {
        case let text as String: text
        case let number as NSNumber: number.stringValue
        default: nil
        }
    }

    static func double(_ value: Any?) -> Double? {
        switch value {
        case let text as String: Double(text)
        case let number as NSNumber: number.doubleValue
        default: nil
        }
    }

    static func int64(_ value: Any?) -> Int64? {
        switch value {
        case let text as String: Int64(text)
        case let number as NSNumber: number.int64Value
        default: nil
        }
    }
}
