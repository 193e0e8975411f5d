public import TroupeSupport
import Foundation

extension KlingLimits {
    /// The size a clip of `width`×`height` is scaled to so each side lies in 340–3850 px,
    /// keeping the aspect (even sides). Aspects beyond 3850:340 cannot satisfy both bounds;
    /// the short side then wins and the long side is clamped.
    public static func conformedSize(width: Int, height: Int) -> (width: Int, height: Int) {
        let short = Double(min(width, height)), long = Double(max(width, height))
        var scale = 1.0
        if short < Double(clipMinSide) { scale = Double(clipMinSide) / short }
        if long * scale > Double(clipMaxSide) { scale = Double(clipMaxSide) / long }
        func side(_ v: Int) -> Int {
            min(clipMaxSide & ~1, max(clipMinSide, Int((Double(v) * scale).rounded()) & ~1))
        }
        return (side(width), side(height))
    }
}

extension MediaEditor {
    /// Makes a clip acceptable to Kling: sides 340–3850 px (scaled, aspect kept), MP4/MOV,
    /// at most 100 MB (re-encoded at a rising CRF until it fits). An already conformant MP4/MOV
    /// is remuxed untouched.
    @discardableResult
    public static func conform(_ source: String, to output: String, settings: VideoSettings = .standard,
                               maxBytes: Int = KlingLimits.clipMaxBytes,
                               cancellation: MediaCancellation? = nil) throws(MediaError) -> Method {
        let info = try MediaProbe.probe(source, cancellation: cancellation)
        if info.isImage { throw .noVideoStream(path: source) }
        let size = KlingLimits.conformedSize(width: info.width, height: info.height)
        let input = try InputFile(path: source, cancellation: cancellation)
        let reader = try SourceReader(input)
        if size == (info.width, info.height), info.sizeBytes <= maxBytes, ["mp4", "mov"].contains(info.container),
           StreamCopy.canCopy(reader, into: output) {
            try StreamCopy.concat([reader], to: output, cancellation: cancellation)
            return .streamCopy
        }
        var settings = settings
        for _ in 0..<4 {
            let muxer = try Muxer(path: output, width: size.width, height: size.height, frameRate: reader.frameRate,
                                  settings: settings, audio: reader.audio.map { ($0.sampleRate, max(1, $0.channels)) },
                                  rotation: .like(input, reader.video.index), cancellation: cancellation)
            let length = reader.videoDuration
            try muxer.appendSegment(frames: max(1, Int((length * reader.frameRate.value).rounded())), from: reader, end: length)
            try muxer.finish()
            if try MediaProbe.probe(output).sizeBytes <= maxBytes { return .reencode }
            settings.crf += 6
        }
        try? FileManager.default.removeItem(atPath: output)
        throw .encodeFailed(path: output, reason: "still larger than \(maxBytes / 1_000_000) MB at CRF \(settings.crf - 6); shorten the clip")
    }
}
