import Foundation
internal import CFFmpeg

/// Reads what a media file is without decoding more than FFmpeg needs to.
public enum MediaProbe {
    /// Largest side troupe believes: anything bigger is a damaged header.
    static let maxSide = 32_768

    public static func probe(_ path: String, cancellation: MediaCancellation? = nil) throws(MediaError) -> MediaInfo {
        let input = try InputFile(path: path, cancellation: cancellation)
        return try probe(input)
    }

    /// Probes a file that must be an MP4 (a provider's result): read by the MP4 demuxer alone,
    /// so anything else fails at once instead of being offered to every format FFmpeg knows.
    public static func probeMP4(_ path: String) throws(MediaError) -> MediaInfo {
        try probe(try InputFile(path: path, format: "mp4"))
    }

    static func probe(_ input: InputFile) throws(MediaError) -> MediaInfo {
        let path = input.path
        let ext = URL(fileURLWithPath: path).pathExtension.lowercased()
        guard let video = input.bestStream(.video) else { throw .noVideoStream(path: path) }
        guard video.width > 0, video.height > 0 else {
            throw .unreadable(path: path, reason: "no decodable picture in the \(video.codecName) stream")
        }
        guard video.width <= maxSide, video.height <= maxSide else {
            throw .absurdDimensions(path: path, width: video.width, height: video.height)
        }
        let format = input.formatName
        let isImage = format.hasSuffix("_pipe") || format == "image2"
        let container: String
        if format.hasPrefix("mov,") {
            container = input.metadata("major_brand")?.hasPrefix("qt") == true ? "mov" : "mp4"
        } else if isImage {
            container = video.codecID == AV_CODEC_ID_PNG ? "png"
                : video.codecID == AV_CODEC_ID_MJPEG ? "jpeg" : video.codecName
        } else {
            container = format
        }
        try checkExtension(ext, container: container, isImage: isImage, path: path)
        if isImage { try decodeOnePicture(input, video) }
        if container == "jpeg" && !jpegIsComplete(path) {
            throw .unreadable(path: path, reason: "the JPEG has no end-of-image marker (truncated?)")
        }

        let audio = input.bestStream(.audio)
        let duration = isImage ? 0 : (input.durationSeconds ?? video.durationSeconds ?? 0)
        return MediaInfo(
            container: container, fileExtension: ext, durationSeconds: duration,
            width: video.width, height: video.height,
            rotation: (Int(video.rotation.rounded()) % 360 + 360) % 360,
            fps: isImage ? 0 : video.frameRate.value,
            videoCodec: video.codecName, audioCodec: audio?.codecName, hasAudio: audio != nil,
            audioSampleRate: audio?.sampleRate, audioChannels: audio?.channels,
            frameCount: isImage ? 1 : video.frameCount, sizeBytes: input.sizeBytes, isImage: isImage)
    }

    /// Probes many files; each entry holds its info or its error (one bad file spoils nothing).
    public static func probeAll(_ paths: [String], cancellation: MediaCancellation? = nil) -> [Result<MediaInfo, MediaError>] {
        paths.map { path in Result { () throws(MediaError) in try probe(path, cancellation: cancellation) } }
    }

    private static func checkExtension(_ ext: String, container: String, isImage: Bool, path: String) throws(MediaError) {
        let family: String?
        switch ext {
        case "mp4", "mov", "m4v": family = "video"
        case "png": family = "png"
        case "jpg", "jpeg": family = "jpeg"
        default: family = nil
        }
        guard let family else { return }
        let actual = isImage ? container : (container == "mp4" || container == "mov" ? "video" : container)
        if family != actual {
            throw .wrongExtension(path: path, expected: ext.uppercased(),
                                  actual: isImage ? container.uppercased() : "\(container.uppercased()) video")
        }
    }

    /// JPEG decoders conceal missing data, so check the end-of-image marker (FF D9) follows the
    /// last start-of-scan (FF DA). Entropy-coded data escapes FF, so the pair cannot occur inside it.
    static func jpegIsComplete(_ path: String) -> Bool {
        guard let data = FileManager.default.contents(atPath: path) else { return false }
        let bytes = [UInt8](data)
        var lastScan = -1
        var i = 0
        while i + 1 < bytes.count {
            if bytes[i] == 0xFF {
                if bytes[i + 1] == 0xDA { lastScan = i }
                if bytes[i + 1] == 0xD9 && lastScan >= 0 && i > lastScan { return true }
            }
            i += 1
        }
        return false
    }

    /// A still must actually decode: a truncated PNG/JPEG still has a readable header.
    static func decodeOnePicture(_ input: InputFile, _ stream: StreamInfo) throws(MediaError) {
        let decoder = try Decoder(input: input, stream: stream, threads: 1)
        let packet = Packet(), frame = Frame()
        while try input.read(into: packet) {
            guard packet.streamIndex == stream.index else { continue }
            try decoder.send(packet)
            if try decoder.receive(into: frame) { return }
        }
        try decoder.send(nil)
        if try decoder.receive(into: frame) { return }
        throw .unreadable(path: input.path, reason: "the \(stream.codecName) picture does not decode (truncated?)")
    }
}
