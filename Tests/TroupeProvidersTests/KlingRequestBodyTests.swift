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
