import Foundation

/// Media the simulator serves at `/_sim/media/NAME`, so tests and local trials can hand it
/// http URLs for image_url and video_url without an S3 bucket. Not part of Kling's API.
actor SimMedia {
    private var files: [String: Data] = [:]

    func put(_ name: String, _ data: Data) { files[name] = data }
    func get(_ name: String) -> Data? { files[name] }
}
