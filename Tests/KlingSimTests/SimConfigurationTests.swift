import Foundation
import Testing
@testable import KlingSim

@Suite struct SimConfigurationTests {
    @Test func decodesPartialSnakeCaseJSON() throws {
        let json = #"{"time_scale": 50, "concurrency_limit": 3, "rate_limit": 12.5, "seed": 9, "accounts": {"a": "b"}}"#
        let config = try SimConfiguration.decode(json: Data(json.utf8))
        #expect(config.timeScale == 50)
        #expect(config.concurrencyLimit == 3)
        #expect(config.rateLimit == 12.5)
        #expect(config.seed == 9)
        #expect(config.accounts == ["a": "b"])
        #expect(config.latencyMin == SimConfiguration().latencyMin)
    }

    @Test(arguments: [
        (#"{"character_orientation":"image","video_url":"http://x/v.mp4","image_url":"http://x/i.png"}"#, 1200, "mode is required"),
        (#"{"mode":"std","video_url":"http://x/v.mp4","image_url":"http://x/i.png"}"#, 1200, "character_orientation is required"),
        (#"{"mode":"std","character_orientation":"image","image_url":"http://x/i.png"}"#, 1200, "video_url is required"),
        (#"{"mode":"std","character_orientation":"image","video_url":"http://x/v.mp4"}"#, 1200, "image_url is required"),
        (#"{"mode":"ultra","character_orientation":"image","video_url":"http://x/v.mp4","image_url":"i"}"#, 1201, "mode must be one of"),
        (#"{"mode":"std","character_orientation":"image","video_url":"http://x/v.mp4","image_url":"i","keep_original_sound":true}"#, 1201, "keep_original_sound must be a string"),
        (#"{"mode":"std","character_orientation":"image","video_url":"http://x/v.mp4","image_url":"i","element_list":[{"element_id":1}]}"#, 1201, "requires character_orientation video"),
        (#"{"mode":"std","character_orientation":"video","video_url":"http://x/v.mp4","image_url":"i","element_list":[{"element_id":1},{"element_id":2}]}"#, 1201, "at most 1 element"),
    ])
    func rejectsInvalidCreateBodies(body: String, code: Int, message: String) {
        #expect {
            _ = try SimCreateRequest.parse(Data(body.utf8))
        } throws: { error in
            guard let rejection = error as? SimRejection else { return false }
            return rejection.code == code && rejection.message.contains(message) && rejection.status == 400
        }
    }

    @Test func rejectsLongPrompt() {
        let prompt = String(repeating: "a", count: 2501)
        let body = #"{"mode":"pro","character_orientation":"video","video_url":"http://x/v.mp4","image_url":"i","prompt":"\#(prompt)"}"#
        #expect(throws: SimRejection.self) { _ = try SimCreateRequest.parse(Data(body.utf8)) }
    }

    @Test func acceptsAFullBody() throws {
        let body = #"{"model_name":"kling-v3","mode":"pro","character_orientation":"video","video_url":"https://x/v.mp4","image_url":"aGVsbG8=","keep_original_sound":"no","element_list":[{"element_id":42}],"watermark_info":{"enabled":true},"external_task_id":"troupe-abc"}"#
        let request = try SimCreateRequest.parse(Data(body.utf8))
        #expect(request.elementIDs == [42])
        #expect(request.keepOriginalSound == false)
        #expect(request.watermark)
        #expect(request.externalTaskID == "troupe-abc")
        #expect(request.unitsPerSecond == 1.2)
    }
}
