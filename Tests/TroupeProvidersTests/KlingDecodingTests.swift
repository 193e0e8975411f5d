import Foundation
import Testing
@testable import TroupeProviders

/// The JSONReader path reads what the old `[String: Any]` path read: numbers as strings and
/// strings as numbers, missing and wrongly typed fields, error bodies that are not JSON.
@Suite struct KlingDecodingTests {
    static func task(_ json: String) throws -> KlingTask {
        try KlingTask(try #require(JSONReader.read(Data(json.utf8), KlingTask.Wire.read) ?? nil))
    }

    static func answer(_ body: String) -> KlingAnswer<KlingTask.Wire> {
        KlingAnswer(body: Data(body.utf8), data: KlingTask.Wire.read)
    }

    static func page(_ body: String) -> KlingAnswer<[KlingTask.Wire]> {
        KlingAnswer(body: Data(body.utf8)) { reader throws(JSONSyntaxError) in try reader.readList(KlingTask.Wire.read) }
    }

    @Test func numbersAsStringsAndStringsAsNumbers() throws {
        let strings = try Self.task(#"""
            {"task_id":"871234567890123456","task_status":"succeed","created_at":"1722769557708","updated_at":"1722769600000",
             "final_unit_deduction":"4.5","task_info":{"external_task_id":"7"},
             "task_result":{"videos":[{"id":"3","url":"https://e/v.mp4","duration":"5.033"}]}}
            """#)
        let numbers = try Self.task(#"""
            {"task_id":871234567890123456,"task_status":"succeed","created_at":1722769557708,"updated_at":1722769600000,
             "final_unit_deduction":4.5,"task_info":{"external_task_id":7},
             "task_result":{"videos":[{"id":3,"url":"https://e/v.mp4","duration":5.033}]}}
            """#)
        #expect(strings == numbers)
        #expect(numbers.taskID == "871234567890123456")
        #expect(numbers.createdAt == 1_722_769_557_708 && numbers.updatedAt == 1_722_769_600_000)
        #expect(numbers.unitsDeducted == 4.5 && numbers.externalTaskID == "7")
        #expect(numbers.videos == [.init(id: "3", url: "https://e/v.mp4", watermarkURL: nil, duration: 5.033)])
    }

    @Test func fractionalAndBooleanNumbersReadAsNSNumberDid() throws {
        let task = try Self.task(#"{"task_id":1.5,"created_at":1722769557708.9,"final_unit_deduction":true,"watermark_info":{"enabled":1}}"#)
        #expect(task.taskID == "1.5")
        #expect(task.createdAt == 1_722_769_557_708, "truncated, like NSNumber.int64Value")
        #expect(task.unitsDeducted == 1)
        #expect(task.watermarkEnabled == true)
    }

    @Test func missingOptionalFields() throws {
        let task = try Self.task(#"{"task_id":"1"}"#)
        #expect(task.status == .submitted && task.statusMessage.isEmpty)
        #expect(task.externalTaskID == nil && task.createdAt == nil && task.updatedAt == nil)
        #expect(task.videos.isEmpty && task.unitsDeducted == nil && task.watermarkEnabled == nil)
        #expect(throws: KlingError.unexpectedResponse(status: 200, message: "task without task_id")) {
            try Self.task(#"{"task_status":"succeed"}"#)
        }
        #expect(throws: KlingError.unexpectedResponse(status: 200, message: "task without task_id")) {
            try Self.task(#"{"task_id":null}"#)
        }
    }

    @Test func wronglyTypedFieldsAreDroppedNotFatal() throws {
        let task = try Self.task(#"""
            {"task_id":"1","task_status":{"x":1},"task_status_msg":null,"created_at":[1],"updated_at":"soon",
             "task_info":"not an object","external_task_id":"top-level","final_unit_deduction":"n/a",
             "watermark_info":{"enabled":"yes"},"task_result":{"videos":"none"}}
            """#)
        #expect(task.status == .submitted && task.statusMessage.isEmpty)
        #expect(task.createdAt == nil && task.updatedAt == nil && task.unitsDeducted == nil && task.watermarkEnabled == nil)
        #expect(task.externalTaskID == "top-level", "task_info unusable: the top-level field counts")
        #expect(task.videos.isEmpty)
    }

    @Test func externalTaskIDInsideTaskInfoWins() throws {
        let task = try Self.task(#"{"task_id":"1","external_task_id":"top","task_info":{"external_task_id":"inner"}}"#)
        #expect(task.externalTaskID == "inner")
        #expect(try Self.task(#"{"task_id":"1","external_task_id":"top","task_info":{}}"#).externalTaskID == "top")
    }

    @Test func videosWithoutURLAreDroppedAndANonObjectDropsTheList() throws {
        let some = try Self.task(#"{"task_id":"1","task_result":{"videos":[{"id":"a"},{"url":"https://e/b.mp4","duration":"x"}]}}"#)
        #expect(some.videos == [.init(id: "", url: "https://e/b.mp4", watermarkURL: nil, duration: nil)])
        let broken = try Self.task(#"{"task_id":"1","task_result":{"videos":[{"url":"https://e/b.mp4"},7]}}"#)
        #expect(broken.videos.isEmpty)
    }

    @Test func unknownStatusIsKept() throws {
        #expect(try Self.task(#"{"task_id":"1","task_status":"queued"}"#).status == .other("queued"))
        #expect(try Self.task(#"{"task_id":"1","task_status":3}"#).status == .other("3"))
    }

    @Test func callbackWithNullTaskIDIsNotUnwrapped() {
        // A present task_id (even null) means the body is the task, as before.
        #expect(throws: KlingError.unexpectedResponse(status: 200, message: "task without task_id")) {
            try KlingTask.fromCallback(Data(#"{"task_id":null,"data":{"task_id":"1"}}"#.utf8))
        }
        #expect(throws: KlingError.unexpectedResponse(status: 200, message: "callback body is not a JSON object")) {
            try KlingTask.fromCallback(Data("[1]".utf8))
        }
    }

    // MARK: Answers

    @Test func successfulAnswerCarriesData() throws {
        let answer = Self.answer(#"{"code":0,"message":"SUCCEED","request_id":"r-1","data":{"task_id":"9","task_status":"processing"}}"#)
        #expect(answer.code == 0 && answer.message == "SUCCEED" && answer.requestID == "r-1")
        let task = try KlingTask(try #require(answer.data))
        #expect(task.taskID == "9" && task.status == .processing)
        #expect(Self.answer(#"{"code":0,"data":[1]}"#).data == nil, "data that is not an object")
        #expect(Self.answer(#"{"code":0}"#).data == nil)
    }

    @Test func nonJSONErrorBodyFallsBackToStatusAndBody() {
        let html = "<html><body>" + String(repeating: "Bad gateway ", count: 40) + "</body></html>"
        let answer = Self.answer(html)
        #expect(answer.code == nil && answer.data == nil)
        let error = answer.error(status: 502, body: Data(html.utf8), retryAfter: nil)
        #expect(error == .server(status: 502, code: 0, message: String(html.prefix(300))))
        #expect(Self.answer("").error(status: 404, body: Data(), retryAfter: nil) == .notFound(message: ""))
    }

    @Test func answerWithoutCodeOrMessage() {
        let body = #"{"error":"no such route"}"#
        #expect(Self.answer(body).error(status: 404, body: Data(body.utf8), retryAfter: nil) == .notFound(message: body))
        let coded = #"{"code":1201,"request_id":"r"}"#
        #expect(Self.answer(coded).error(status: 400, body: Data(coded.utf8), retryAfter: nil)
            == .invalidRequest(code: 1201, message: coded), "no message: the body stands in")
    }

    @Test func codeMustBeANumber() {
        // JSONSerialization's `as? NSNumber` never read a string code; a 429 without one is a rate limit.
        let answer = Self.answer(#"{"code":"1303","message":"busy"}"#)
        #expect(answer.code == nil)
        #expect(answer.error(status: 429, body: Data(), retryAfter: .seconds(3)) == .rateLimited(retryAfter: .seconds(3)))
        #expect(Self.answer(#"{"code":1303,"message":"busy"}"#).error(status: 429, body: Data(), retryAfter: nil)
            == .concurrencyLimit(retryAfter: nil))
        #expect(Self.answer(#"{"code":"0","data":{"task_id":"1"}}"#).code == nil, "a string code is not success")
        #expect(Self.answer(#"{"code":5001,"message":12}"#).error(status: 503, body: Data(), retryAfter: nil)
            == .server(status: 503, code: 5001, message: "12"))
    }

    @Test func listPage() throws {
        let page = Self.page(#"""
            {"code":0,"message":"SUCCEED","request_id":"r","data":[
             {"task_id":"1","task_status":"succeed","final_unit_deduction":"4.5","task_info":{"external_task_id":"a"},
              "task_result":{"videos":[{"id":"v","url":"https://e/1.mp4","duration":"5"}]}},
             {"task_id":2,"task_status":"processing","task_info":{}},
             {"task_id":"3","task_status":"failed","task_status_msg":"Image pixel is invalid","task_result":{}}]}
            """#)
        let tasks = try #require(page.data).map { try KlingTask($0) }
        #expect(tasks.map(\.taskID) == ["1", "2", "3"])
        #expect(tasks.map(\.status) == [.succeed, .processing, .failed])
        #expect(tasks[0].unitsDeducted == 4.5 && tasks[0].externalTaskID == "a" && tasks[0].videos.first?.duration == 5)
        #expect(tasks[2].failure == .taskFailed(taskID: "3", message: "Image pixel is invalid"))
        // One element that is not an object fails the page ("list data is not an array"), as before.
        #expect(Self.page(#"{"code":0,"data":[{"task_id":"1"},null]}"#).data == nil)
        #expect(Self.page(#"{"code":0,"data":{"task_id":"1"}}"#).data == nil)
        #expect(Self.page(#"{"code":0,"data":[]}"#).data?.isEmpty == true)
    }

    @Test func elementAnswer() throws {
        let answer = KlingAnswer(body: Data(#"""
            {"code":0,"data":{"task_id":"5","task_status":"succeed","external_task_id":"top",
             "task_result":{"elements":[{"element_id":"700000042","element_name":"m"}]}}}
            """#.utf8), data: KlingElementTask.Wire.read)
        let element = try KlingElementTask(try #require(answer.data))
        #expect(element.elementID == 700_000_042)
        #expect(element.externalTaskID == nil, "elements read external_task_id from task_info only")
        let broken = KlingAnswer(body: Data(#"{"code":0,"data":{"task_id":"5","task_result":{"elements":[{"element_id":1},"x"]}}}"#.utf8),
                                 data: KlingElementTask.Wire.read)
        #expect(try KlingElementTask(try #require(broken.data)).elementID == nil)
    }

    @Test func integralFractionsReadAsNSNumberWroteThem() throws {
        // JSONSerialization kept 1.0 a double: its stringValue was "1.0", not "1".
        let task = try Self.task(#"{"task_id":1.0,"task_status":1e3}"#)
        #expect(task.taskID == "1.0" && task.status == .other("1000.0"))
        #expect(try Self.task(#"{"task_id":-0}"#).taskID == "0")
    }

    @Test func repeatedKeysKeepTheLast() throws {
        let task = try Self.task(#"{"task_id":"a","task_id":"b","task_result":{"videos":[{"url":"u"}]},"task_result":{}}"#)
        #expect(task.taskID == "b" && task.videos.isEmpty)
    }

    @Test func escapesAndUnicode() throws {
        let task = try Self.task(#"{"task\u005fid":"\u00e9\n\/\"\ud83c\udfad","task_status_msg":"中文 🎭"}"#)
        #expect(task.taskID == "é\n/\"🎭" && task.statusMessage == "中文 🎭")
    }

    /// What JSONSerialization rejected stays "not JSON" (the status decides).
    @Test(arguments: [
        #"{"task_id":"1"} x"#, #"{"task_id":01}"#, #"{"task_id":1.}"#, #"{"task_id":1e400}"#, #"{"task_id":"\ud800"}"#,
        #"{"task_id":"\x"}"#, "{\"task_id\":\"\t\"}", #"{'task_id':1}"#, #"{,}"#, #"{"task_id":tru}"#, "",
        "{\"task_id\":" + String(repeating: "[", count: 513) + String(repeating: "]", count: 513) + "}",
    ])
    func malformedBodiesAreNotJSON(body: String) {
        #expect(JSONReader.read(Data(body.utf8), KlingTask.Wire.read) == nil)
    }

    @Test func invalidUTF8IsNotJSON() {
        for bytes: [UInt8] in [[0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xFF, 0x22, 0x7D],
                               [0x7B, 0x22, 0x61, 0x22, 0x3A, 0x22, 0xED, 0xA0, 0x80, 0x22, 0x7D]] {
            #expect(JSONReader.read(Data(bytes), KlingTask.Wire.read) == nil)
        }
    }

    /// JSONSerialization's quirks (a BOM, trailing commas, 512 levels) still read.
    @Test func jsonSerializationQuirksStillRead() throws {
        #expect(try Self.task("\u{FEFF} {\"task_id\":\"bom\",}\n").taskID == "bom")
        #expect(try Self.task(#"{"task_id":"1","task_result":{"videos":[{"url":"u"},]}}"#).videos.count == 1)
        let deep = "{\"task_id\":\"1\",\"x\":" + String(repeating: "[", count: 511) + String(repeating: "]", count: 511) + "}"
        #expect(try Self.task(deep).taskID == "1")
    }
}
