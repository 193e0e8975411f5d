import Foundation

/// One Kling answer `{code, message, request_id, data}`. Any JSON object reads (every field is
/// optional and lenient); a body that is not a JSON object gives an answer without a code.
struct KlingAnswer<Payload> {
    /// Kling's business code; 0 is success.
    var code: Int?
    var message: String?
    var requestID: String?
    /// `data` as `readData` read it; nil when absent or not of the payload's shape.
    var data: Payload?

    init(body: Data, data readData: (inout JSONReader) throws(JSONSyntaxError) -> Payload?) {
        var answer = KlingAnswer()
        let isObject = JSONReader.read(body) { reader throws(JSONSyntaxError) in
            try reader.readObject { key, reader throws(JSONSyntaxError) in
                if key.is("code") {
                    answer.code = try reader.readScalar().integer.flatMap { Int(exactly: $0) }
                } else if key.is("message") {
                    answer.message = try reader.readScalar().string
                } else if key.is("request_id") {
                    answer.requestID = try reader.readScalar().string
                } else if key.is("data") {
                    // Read whatever the code: it may come after data.
                    answer.data = try readData(&reader)
                }
            }
        }
        self = isObject == true ? answer : KlingAnswer()
    }

    private init() {}

    /// The error an unsuccessful answer stands for; the message falls back to the start of the body.
    func error(status: Int, body: Data, retryAfter: Duration?) -> KlingError {
        KlingError.from(status: status, code: code, message: message ?? String(decoding: body.prefix(300), as: UTF8.self),
                        retryAfter: retryAfter)
    }
}

extension JSONReader {
    /// An array whose elements all read with `element`; nil (the array skipped) when it is not
    /// an array or an element gives nil, as `as? [[String: Any]]` failed on one non-object.
    mutating func readList<Element>(_ element: (inout JSONReader) throws(JSONSyntaxError) -> Element?)
        throws(JSONSyntaxError) -> [Element]? {
        var list: [Element] = []
        var complete = true
        let isArray = try readArray { reader throws(JSONSyntaxError) in
            if let item = try element(&reader) { list.append(item) } else { complete = false }
        }
        return isArray && complete ? list : nil
    }
}
