internal import CFFmpeg
import Foundation
import TroupeSupport

/// Encodes one picture as a PNG or JPEG file (atomically).
enum ImageWriter {
    static func write(_ frame: Frame, to path: String, format: ImageFormat) throws(MediaError) {
        try AtomicFile.writeMedia(try encode(frame, format: format, path: path), to: path)
    }

    /// The encoded file's bytes; `path` names the picture in errors.
    static func encode(_ frame: Frame, format: ImageFormat, path: String) throws(MediaError) -> Data {
        let encoder = try Encoder.image(path: path, format: format, width: frame.width, height: frame.height)
        var picture = frame
        if frame.pixelFormat != encoder.pixelFormat {
            picture = try Scaler(from: frame.width, frame.height, frame.pixelFormat,
                                 to: frame.width, frame.height, encoder.pixelFormat, path: path).scale(frame)
        }
        picture.pts = 0
        try encoder.send(picture)
        try encoder.send(nil)
        let packet = Packet()
        guard try encoder.receive(into: packet) else {
            throw .encodeFailed(path: path, reason: "the image encoder produced nothing")
        }
        return packet.data
    }

    /// The format a path's extension asks for.
    static func format(for path: String) throws(MediaError) -> ImageFormat {
        switch path.split(separator: ".").last?.lowercased() {
        case "png": return .png
        case "jpg", "jpeg": return .jpeg
        default: throw .invalidArgument("\(path): an image output must end in .png, .jpg or .jpeg")
        }
    }
}
