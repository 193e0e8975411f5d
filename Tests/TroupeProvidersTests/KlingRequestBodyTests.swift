import Foundation
import Testing
@testable import TroupeProviders

/// Request bodies come out byte for byte as JSONSerialization wrote them.
@Suite struct KlingRequestBodyTests {
    /// What the bodies were before JSONEncoder: JSONSerialization of the same dictionary.
    static func serialized(_ object: [String: Any]) throws -> String {
        String(decoding: try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .withoutEscapingSlashes]),
               as: UTF8.self)
    }

    @Test func motionControlBodyMatchesJSONSerialization() throws {
        let tricky = "Tänze \"leise\" / ruhig\n\t\\ 🎭 \u{1}"
        let request = MotionControlRequest(mode: .pro, orientation: .image, imageURL: "https://e/a b.png?x=1&y=2",
                                           videoURL: "https://e/c.mp4", prompt: tricky, externalTaskID: "troupe-ü")
        #expect(String(decoding: request.jsonBody(), as: UTF8.self) == (try Self.serialized([
            "model_name": "kling-v3", "mode": "pro", "character_orientation": "image", "image_url": "https://e/a b.png?x=1&y=2",
            "video_url": "https://e/c.mp4", "keep_original_sound": "yes", "prompt": tricky, "external_task_id": "troupe-ü",
        ])))
        let full = MotionControlRequest(model: .klingV2_6, mode: .std, orientation: .video, imageURL: "https://e/i.png",
                                        videoURL: "https://e/v.mp4", prompt: "\u{8}\u{c}\u{1f}\u{7f} <ok>", keepOriginalSound: false,
                                        elementID: 860_123_456_789, watermark: false, callbackURL: "https://hooks.e/k?a=1",
                                        externalTaskID: "troupe-0123")
        #expect(String(decoding: full.jsonBody(), as: UTF8.self) == (try Self.serialized([
            "model_name": "kling-v2-6", "mode": "std", "character_orientation": "video", "image_url": "https://e/i.png",
            "video_url": "https://e/v.mp4", "keep_original_sound": "no", "prompt": "\u{8}\u{c}\u{1f}\u{7f} <ok>",
            "element_list": [["element_id": 860_123_456_789]], "watermark_info": ["enabled": false],
            "callback_url": "https://hooks.e/k?a=1", "external_task_id": "troupe-0123",
        ])))
        let bare = MotionControlRequest(mode: .std, orientation: .video, imageURL: "i", videoURL: "v", prompt: "")
        #expect(String(decoding: bare.jsonBody(), as: UTF8.self)
            == #"{"character_orientation":"video","image_url":"i","keep_original_sound":"yes","mode":"std","model_name":"kling-v3","video_url":"v"}"#)
    }

    @Test func elementBodiesMatchJSONSerialization() throws {
        let video = ElementRequest(name: "mascot", description: "our \"mascot\"", reference: .video(url: "https://e/ref.mp4"),
                                   callbackURL: "https://hooks.e/k", externalTaskID: "troupe-el")
        #expect(String(decoding: video.jsonBody(), as: UTF8.self) == (try Self.serialized([
            "element_name": "mascot", "element_description": "our \"mascot\"", "reference_type": "video_refer",
            "element_video_list": ["refer_videos": [["video_url": "https://e/ref.mp4"]]],
            "callback_url": "https://hooks.e/k", "external_task_id": "troupe-el",
        ])))
        let images = ElementRequest(name: "hero", reference: .images(frontal: "https://e/f.png", others: ["https://e/1.png", "https://e/2.png"]))
        #expect(String(decoding: images.jsonBody(), as: UTF8.self)
            == #"{"element_image_list":{"frontal_image":"https://e/f.png","refer_images":[{"image_url":"https://e/1.png"},"#
            + #"{"image_url":"https://e/2.png"}]},"element_name":"hero","reference_type":"image_refer"}"#)
    }
}
