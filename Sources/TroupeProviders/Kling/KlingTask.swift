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

    init(_ wire: Wire) throws(KlingError) {
        guard let id = wire.taskID else { throw .unexpectedResponse(status: 200, message: "task without task_id") }
        taskID = id
        status = Status(wire.status ?? "submitted")
        statusMessage = wire.statusMessage ?? ""
        externalTaskID = wire.externalTaskID
        createdAt = wire.createdAt
        updatedAt = wire.updatedAt
        videos = wire.videos
        unitsDeducted = wire.unitsDeducted
        watermarkEnabled = wire.watermarkEnabled
    }

    /// A callback body, flat or wrapped in {code, message, request_id, data} (sources disagree).
    public static func fromCallback(_ body: Data) throws(KlingError) -> KlingTask {
        guard let wire = JSONReader.read(body, Wire.readCallback) ?? nil else {
            throw .unexpectedResponse(status: 200, message: "callback body is not a JSON object")
        }
        return try KlingTask(wire)
    }

    /// The task fields of one JSON object, each read leniently: a missing or wrongly typed field is nil.
    struct Wire {
        var taskID: String?
        var status: String?
        var statusMessage: String?
        var externalTaskID: String? { infoExternalTaskID ?? topExternalTaskID }
        var createdAt: Int64?
        var updatedAt: Int64?
        var videos: [Video] = []
        var unitsDeducted: Double?
        var watermarkEnabled: Bool?
        /// Documented inside task_info; some answers carry it at the top level.
        private var infoExternalTaskID: String?
        private var topExternalTaskID: String?

        /// The next value as a task; nil (skipped) when it is not an object.
        static func read(_ reader: inout JSONReader) throws(JSONSyntaxError) -> Wire? {
            var wire = Wire()
            let isObject = try reader.readObject { key, reader throws(JSONSyntaxError) in try wire.readField(key, &reader) }
            return isObject ? wire : nil
        }

        /// A callback: the task itself, or an envelope whose `data` is the task when there is no top-level task_id.
        static func readCallback(_ reader: inout JSONReader) throws(JSONSyntaxError) -> Wire? {
            var flat = Wire()
            var hasTaskID = false
            var data: Wire?
            let isObject = try reader.readObject { key, reader throws(JSONSyntaxError) in
                if key.is("data") {
                    data = try read(&reader)
                } else {
                    if key.is("task_id") { hasTaskID = true }
                    try flat.readField(key, &reader)
                }
            }
            guard isObject else { return nil }
            return !hasTaskID && data != nil ? data : flat
        }

        /// Reads the member `key` if it is a task field; a repeated key wins over earlier ones, as in a dictionary.
        private mutating func readField(_ key: JSONKey, _ reader: inout JSONReader) throws(JSONSyntaxError) {
            if key.is("task_id") {
                taskID = try reader.readScalar().string
            } else if key.is("task_status") {
                status = try reader.readScalar().string
            } else if key.is("task_status_msg") {
                statusMessage = try reader.readScalar().string
            } else if key.is("task_info") {
                infoExternalTaskID = nil
                try reader.readObject { key, reader throws(JSONSyntaxError) in
                    if key.is("external_task_id") { infoExternalTaskID = try reader.readScalar().string }
                }
            } else if key.is("external_task_id") {
                topExternalTaskID = try reader.readScalar().string
            } else if key.is("created_at") {
                createdAt = try reader.readScalar().int64
            } else if key.is("updated_at") {
                updatedAt = try reader.readScalar().int64
            } else if key.is("task_result") {
                videos = []
                try reader.readObject { key, reader throws(JSONSyntaxError) in
                    // One element that is not an object drops the list, as the old `as? [[String: Any]]` did.
                    if key.is("videos") { videos = try reader.readList(VideoWire.read)?.compactMap(\.video) ?? [] }
                }
            } else if key.is("final_unit_deduction") {
                unitsDeducted = try reader.readScalar().double
            } else if key.is("watermark_info") {
                watermarkEnabled = nil
                try reader.readObject { key, reader throws(JSONSyntaxError) in
                    if key.is("enabled") { watermarkEnabled = try reader.readScalar().bool }
                }
            }
        }
    }

    /// One entry of task_result.videos; one without a url is dropped.
    struct VideoWire {
        var id: String?
        var url: String?
        var watermarkURL: String?
        var duration: Double?

        var video: Video? { url.map { Video(id: id ?? "", url: $0, watermarkURL: watermarkURL, duration: duration) } }

        static func read(_ reader: inout JSONReader) throws(JSONSyntaxError) -> VideoWire? {
            var wire = VideoWire()
            let isObject = try reader.readObject { key, reader throws(JSONSyntaxError) in
                if key.is("url") {
                    wire.url = try reader.readScalar().string
                } else if key.is("id") {
                    wire.id = try reader.readScalar().string
                } else if key.is("watermark_url") {
                    wire.watermarkURL = try reader.readScalar().string
                } else if key.is("duration") {
                    wire.duration = try reader.readScalar().double
                }
            }
            return isObject ? wire : nil
        }
    }
}

/// An element (identity) task; `elementID` appears once it succeeded.
public struct KlingElementTask: Sendable, Equatable {
    public var taskID: String
    public var status: KlingTask.Status
    public var statusMessage: String
    public var externalTaskID: String?
    public var elementID: Int64?

    init(_ wire: Wire) throws(KlingError) {
        guard let id = wire.taskID else { throw .unexpectedResponse(status: 200, message: "element task without task_id") }
        taskID = id
        status = .init(wire.status ?? "submitted")
        statusMessage = wire.statusMessage ?? ""
        externalTaskID = wire.externalTaskID
        elementID = wire.elementID
    }

    struct Wire {
        var taskID: String?
        var status: String?
        var statusMessage: String?
        var externalTaskID: String?
        var elementID: Int64? { topElementID ?? resultElementID ?? firstElementID }
        // The documented shape is unclear: accept data.element_id, task_result.element_id or task_result.elements[0].
        private var topElementID: Int64?
        private var resultElementID: Int64?
        private var firstElementID: Int64?

        /// The next value as an element task; nil (skipped) when it is not an object.
        static func read(_ reader: inout JSONReader) throws(JSONSyntaxError) -> Wire? {
            var wire = Wire()
            let isObject = try reader.readObject { key, reader throws(JSONSyntaxError) in
                if key.is("task_id") {
                    wire.taskID = try reader.readScalar().string
                } else if key.is("task_status") {
                    wire.status = try reader.readScalar().string
                } else if key.is("task_status_msg") {
                    wire.statusMessage = try reader.readScalar().string
                } else if key.is("task_info") {
                    wire.externalTaskID = nil
                    try reader.readObject { key, reader throws(JSONSyntaxError) in
                        if key.is("external_task_id") { wire.externalTaskID = try reader.readScalar().string }
                    }
                } else if key.is("element_id") {
                    wire.topElementID = try reader.readScalar().int64
                } else if key.is("task_result") {
                    wire.resultElementID = nil
                    wire.firstElementID = nil
                    try reader.readObject { key, reader throws(JSONSyntaxError) in
                        if key.is("element_id") {
                            wire.resultElementID = try reader.readScalar().int64
                        } else if key.is("elements") {
                            wire.firstElementID = try reader.readList(readElementID)?.first ?? nil
                        }
                    }
                }
            }
            return isObject ? wire : nil
        }

        /// One entry of task_result.elements: its element_id (nil inside), or nil when not an object.
        private static func readElementID(_ reader: inout JSONReader) throws(JSONSyntaxError) -> Int64?? {
            var elementID: Int64?
            let isObject = try reader.readObject { key, reader throws(JSONSyntaxError) in
                if key.is("element_id") { elementID = try reader.readScalar().int64 }
            }
            return isObject ? .some(elementID) : nil
        }
    }
}
