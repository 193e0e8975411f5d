import Foundation

/// The members of a fal queue answer troupe reads, read with `JSONReader` as Kling's answers
/// are: JSONSerialization's `[String: Any]` cost more than the rest of a status call.
struct FalAnswer {
    var requestID: String?
    var statusURL: String?
    var responseURL: String?
    var cancelURL: String?
    var status: String?
    var queuePosition: Int?
    var error: String?
    /// `detail` as a string, or its list's `msg`s joined.
    var detail: String?
    var hasDetail = false
    var video: FalVideo?

    /// nil when the body is not a JSON object.
    init?(_ body: Data) {
        var answer = FalAnswer()
        let isObject = JSONReader.read(body) { reader throws(JSONSyntaxError) in
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                if key.is("request_id") { answer.requestID = try reader.readScalar().plainString }
                else if key.is("status_url") { answer.statusURL = try reader.readScalar().plainString }
                else if key.is("response_url") { answer.responseURL = try reader.readScalar().plainString }
                else if key.is("cancel_url") { answer.cancelURL = try reader.readScalar().plainString }
                else if key.is("status") { answer.status = try reader.readScalar().plainString }
                else if key.is("queue_position") { answer.queuePosition = try reader.readScalar().integer.flatMap { Int(exactly: $0) } }
                else if key.is("error") { answer.error = try reader.readScalar().plainString }
                else if key.is("detail") {
                    answer.hasDetail = true
                    answer.detail = try Self.readDetail(&reader)
                } else if key.is("video") {
                    answer.video = try Self.readVideo(&reader)
                }
            }
        }
        guard isObject == true else { return nil }
        self = answer
    }

    private init() {}

    /// fal errors carry `detail` as a string or a list of {msg, loc, type}.
    private static func readDetail(_ reader: inout JSONReader) throws(JSONSyntaxError) -> String? {
        guard try reader.nextIsArray() else { return try reader.readScalar().plainString }
        var messages: [String] = []
        try reader.readArray { item throws(JSONSyntaxError) in
            try item.readObject { key, value throws(JSONSyntaxError) in
                if key.is("msg"), let msg = try value.readScalar().plainString { messages.append(msg) }
            }
        }
        return messages.joined(separator: "; ")
    }

    private static func readVideo(_ reader: inout JSONReader) throws(JSONSyntaxError) -> FalVideo? {
        var url: String?, name: String?, type: String?, size: Int?
        try reader.readObject { key, value throws(JSONSyntaxError) in
            if key.is("url") { url = try value.readScalar().plainString }
            else if key.is("file_name") { name = try value.readScalar().plainString }
            else if key.is("content_type") { type = try value.readScalar().plainString }
            else if key.is("file_size") { size = try value.readScalar().integer.flatMap { Int(exactly: $0) } }
        }
        return url.map { FalVideo(url: $0, fileName: name, contentType: type, fileSize: size) }
    }
}

extension JSONScalar {
    /// A JSON string, nothing else (what `as? String` read).
    var plainString: String? {
        if case .string(let text) = self { return text }
        return nil
    }
}
