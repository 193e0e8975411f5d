import Foundation
import Testing
@testable import TroupeProviders

/// Canned bodies in the documented shapes.
@Suite struct KlingResponseShapeTests {
    static let succeeded = #"""
    {"task_id":"871234567890123456","task_status":"succeed","task_status_msg":"","task_info":{"external_task_id":"troupe-1"},
     "created_at":1722769557708,"updated_at":1722769600000,"watermark_info":{"enabled":false},"final_unit_deduction":"6",
     "task_result":{"videos":[{"id":"v1","url":"https://cdn.example.com/v1.mp4","watermark_url":"https://cdn.example.com/w.mp4","duration":"5.033"}]}}
    """#

    @Test func flatCallback() throws {
        let task = try KlingTask.fromCallback(Data(Self.succeeded.utf8))
        #expect(task.taskID == "871234567890123456")
        #expect(task.status == .succeed)
        #expect(task.externalTaskID == "troupe-1")
        #expect(task.unitsDeducted == 6)
        #expect(task.videos == [.init(id: "v1", url: "https://cdn.example.com/v1.mp4", watermarkURL: "https://cdn.example.com/w.mp4", duration: 5.033)])
        #expect(task.createdAt == 1_722_769_557_708)
    }

    @Test func wrappedCallback() throws {
        let wrapped = #"{"code":0,"message":"SUCCEED","request_id":"r","data":"# + Self.succeeded + "}"
        #expect(try KlingTask.fromCallback(Data(wrapped.utf8)) == KlingTask.fromCallback(Data(Self.succeeded.utf8)))
    }

    @Test func failedTaskShape() throws {
        let body = #"{"task_id":"1","task_status":"failed","task_status_msg":"Image pixel is invalid","task_result":{}}"#
        let task = try KlingTask.fromCallback(Data(body.utf8))
        #expect(task.failure == .taskFailed(taskID: "1", message: "Image pixel is invalid"))
    }

    @Test func unknownStatusIsKept() throws {
        let task = try KlingTask.fromCallback(Data(#"{"task_id":1,"task_status":"queued"}"#.utf8))
        #expect(task.status == .other("queued") && !task.status.isFinished && task.taskID == "1")
    }

    @Test func elementIDShapes() throws {
        for body in [#"{"task_id":"1","task_status":"succeed","element_id":42}"#,
                     #"{"task_id":"1","task_status":"succeed","task_result":{"element_id":"42"}}"#,
                     #"{"task_id":"1","task_status":"succeed","task_result":{"elements":[{"element_id":42}]}}"#] {
            let wire = try #require(JSONReader.read(Data(body.utf8), KlingElementTask.Wire.read) ?? nil)
            #expect(try KlingElementTask(wire).elementID == 42)
        }
    }

    @Test(arguments: [
        (401, 1000, "auth"), (401, 1004, "auth"), (429, 1102, "pack"), (429, 1303, "concurrency"), (429, 1302, "rate"),
        (400, 1301, "content"), (404, 1203, "notfound"), (400, 1201, "invalid"), (500, 5000, "server"), (503, 5001, "server"),
        (404, -1, "notfound"), (502, -1, "server"), (400, 1200, "notfound-message"),
    ])
    func errorCodesMap(status: Int, code: Int, kind: String) {
        let message = kind == "notfound-message" ? "task does not exist" : "m"
        let error = KlingError.from(status: status, code: code < 0 ? nil : code, message: message, retryAfter: nil)
        switch (kind, error) {
        case ("auth", .authentication), ("pack", .resourcePackExhausted), ("concurrency", .concurrencyLimit),
             ("rate", .rateLimited), ("content", .contentRejected), ("notfound", .notFound), ("invalid", .invalidRequest),
             ("server", .server), ("notfound-message", .notFound):
            break
        default:
            Issue.record("\(status)/\(code) mapped to \(error)")
        }
        if kind == "pack" { #expect("\(error)".contains("Buy more units")) }
        if kind == "content" { #expect("\(error)".contains("m")) }
    }
}
