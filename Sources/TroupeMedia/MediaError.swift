import Foundation
import TroupeSupport

/// Everything that can go wrong with a media file. Each case names the file, says what is
/// wrong and what to do about it.
public enum MediaError: Error, CustomStringConvertible, Sendable, Equatable {
    /// What a stat's mode says a non-file is, in words.
    public static func kind(ofMode mode: UInt32) -> String {
        switch mode & UInt32(S_IFMT) {
        case UInt32(S_IFDIR): "a folder"
        case UInt32(S_IFIFO): "a FIFO (named pipe)"
        case UInt32(S_IFCHR), UInt32(S_IFBLK): "a device"
        case UInt32(S_IFSOCK): "a socket"
        default: "not a file"
        }
    }

    /// The file does not exist or cannot be read.
    case notFound(path: String)
    /// The path names something that is not a file: a folder, a FIFO, a device, a socket.
    case notRegularFile(path: String, kind: String)
    /// The file is there, but this user may not read it.
    case notReadable(path: String)
    /// The file is zero bytes long.
    case emptyFile(path: String)
    /// FFmpeg could not recognise or parse the file (corrupt, truncated or not media).
    case unreadable(path: String, reason: String)
    /// The file has no video stream (or no image) where one is required.
    case noVideoStream(path: String)
    /// The file's extension says one thing and its contents another.
    case wrongExtension(path: String, expected: String, actual: String)
    /// The stream claims dimensions no real medium has.
    case absurdDimensions(path: String, width: Int, height: Int)
    /// No decoder or encoder exists for a codec.
    case unsupportedCodec(path: String, codec: String)
    /// Decoding failed part-way (usually a truncated or damaged file).
    case decodeFailed(path: String, reason: String)
    /// Encoding or muxing an output failed.
    case encodeFailed(path: String, reason: String)
    /// Writing the output file failed (disk full, permissions, missing folder).
    case writeFailed(path: String, reason: String)
    /// A trim range is empty or outside the clip.
    case invalidRange(path: String, start: Double, end: Double, duration: Double)
    /// A parameter of the operation is out of range.
    case invalidArgument(String)
    /// The operation was cancelled before it finished; no output was left behind.
    case cancelled(path: String)

    public var description: String {
        switch self {
        case .notFound(let path):
            "\(path): no such file or not readable; check the path (relative paths are relative to the manifest)"
        case .notRegularFile(let path, let kind):
            "\(path): not a regular file (\(kind)); point the manifest at a media file"
        case .notReadable(let path):
            "\(path): permission denied; make it readable (chmod a+r) or use a copy"
        case .emptyFile(let path):
            "\(path): the file is empty (0 bytes); re-export or re-download it"
        case .unreadable(let path, let reason):
            "\(path): not a readable media file (\(reason)); it may be truncated or corrupt — re-export it as MP4/MOV (H.264) or PNG/JPEG"
        case .noVideoStream(let path):
            "\(path): contains no video stream; use a file with a picture (MP4/MOV video or PNG/JPEG image)"
        case .wrongExtension(let path, let expected, let actual):
            "\(path): the extension says \(expected) but the contents are \(actual); rename the file or re-export it"
        case .absurdDimensions(let path, let width, let height):
            "\(path): claims an impossible size \(width)×\(height); the header is damaged — re-export the file"
        case .unsupportedCodec(let path, let codec):
            "\(path): codec '\(codec)' is not supported by this FFmpeg build; re-encode it as H.264"
        case .decodeFailed(let path, let reason):
            "\(path): decoding failed (\(reason)); the file is probably truncated or damaged — re-export it"
        case .encodeFailed(let path, let reason):
            "\(path): encoding failed (\(reason)); no output was written"
        case .writeFailed(let path, let reason):
            "\(path): cannot write the output (\(reason)); check the folder exists, is writable and the disk has space"
        case .invalidRange(let path, let start, let end, let duration):
            "\(path): trim [\(Self.seconds(start)), \(Self.seconds(end))] is not inside the clip (0–\(Self.seconds(duration)) s); choose 0 ≤ start < end ≤ duration"
        case .invalidArgument(let message):
            message
        case .cancelled(let path):
            "\(path): cancelled; no output was written"
        }
    }

    /// Seconds to the millisecond, as people write them.
    static func seconds(_ value: Double) -> String { NumberText.shortest(value, roundedTo: 3) }
}
