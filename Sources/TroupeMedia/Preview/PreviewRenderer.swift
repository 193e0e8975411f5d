internal import CFFmpeg

/// The `preview` provider's renderer: the clip's motion with the character image composited
/// over it, offline and free. Same inputs and settings give the same bytes.
public struct PreviewRenderer: Sendable {
    public var settings: VideoSettings
    /// Overlay height as a fraction of the output height.
    public var overlayScale: Double

    public init(settings: VideoSettings = .preview, overlayScale: Double = 0.5) {
        self.settings = settings
        self.overlayScale = overlayScale
    }

    /// Heights the preview renders at: std (720p) and pro (1080p).
    public static let heights: Set<Int> = [720, 1080]

    /// The preview's highest frame rate. A faster clip plays at its rate divided by the smallest
    /// whole number that brings it to this or below (30 → 15, 60 → 15, 24 → 12, 25 → 12.5), so
    /// the preview shows every 2nd (3rd, 4th…) frame of the clip: about half the decoding,
    /// scaling and encoding of a full-rate preview, for a local draft.
    public static let maxFrameRate = 15

    /// The preview's frame rate for a clip of `source` frames per second (30 when unknown).
    static func frameRate(for source: Rational) -> Rational {
        let base = source.isValid ? source : Rational(30, 1)
        let cap = maxFrameRate * base.den
        let step = max(1, (base.num + cap - 1) / cap)
        guard step > 1 else { return base }
        let den = base.den * step
        return den <= Int(Int32.max) ? Rational(base.num, den) : Rational.frameRate(base.value / Double(step))
    }

    /// Renders `seconds` of `clip` (looped or cut) at `height` (720 or 1080, width from the clip's
    /// aspect, even) with `image` as a picture-in-picture at the bottom right (its transparency
    /// respected). Audio comes from the clip when `keepSound` and the clip has any.
    public func render(image: String, clip: String, output: String, height: Int, seconds: Int, keepSound: Bool,
                       cancellation: MediaCancellation? = nil) throws(MediaError) {
        guard Self.heights.contains(height) else {
            throw .invalidArgument("\(output): preview height must be 720 or 1080, not \(height)")
        }
        guard (1...300).contains(seconds) else {
            throw .invalidArgument("\(output): preview length must be 1–300 s, not \(seconds)")
        }
        let picture = try FrameGrabber.grab(image, at: 0, cancellation: cancellation)
        let input = try InputFile(path: clip, cancellation: cancellation)
        guard let stream = input.bestStream(.video) else { throw .noVideoStream(path: clip) }
        let rate = Self.frameRate(for: stream.frameRate)
        // Fast decoding (no deblocking): the frames are scaled down for a preview anyway. When the
        // preview shows only some of the clip's frames, frames nothing refers to (most B-frames)
        // are not decoded at all: about half the decoding at 30 → 15 fps, and where the clip's
        // B-frames do not fall on the frames shown, a neighbouring frame (1/30 s away) stands in.
        let reader = try SourceReader(input, audio: keepSound, fastVideo: true,
                                      skipNonReference: rate != stream.frameRate)
        let clipLength = reader.videoDuration
        guard clipLength > 0 else { throw .unreadable(path: clip, reason: "the video stream has no duration") }
        // Rotated (phone) clips are turned upright first, so the preview has the clip's display shape.
        let turn = ((Int(reader.video.rotation.rounded()) % 360) + 360) % 360 / 90 * 90
        let (clipWidth, clipHeight) = turn % 180 == 0 ? (reader.video.width, reader.video.height)
            : (reader.video.height, reader.video.width)
        let width = max(2, Int((Double(height) * Double(clipWidth) / Double(max(1, clipHeight))).rounded()) & ~1)
        guard width <= 8192 else { throw .absurdDimensions(path: clip, width: reader.video.width, height: reader.video.height) }

        let muxer = try Muxer(path: output, width: width, height: height, frameRate: rate, settings: settings,
                              audio: reader.audio.map { ($0.sampleRate, max(1, $0.channels)) },
                              fastScaling: true, cancellation: cancellation)
        let overlay = try Overlay(picture: picture, canvasWidth: width, canvasHeight: height, scale: overlayScale,
                                  path: image)
        muxer.video.compose = { overlay.draw(on: $0) }

        let upright = turn == 0 ? nil : try Upright(degrees: turn, width: width, height: height, path: clip)
        let total = max(1, Int((Double(seconds) * rate.value).rounded()))
        let perLoop = max(1, Int((clipLength * rate.value).rounded()))
        var produced = 0
        while produced < total {
            let frames = min(perLoop, total - produced)
            let span = Double(frames) / rate.value
            try muxer.appendSegment(frames: frames, from: reader, end: span, upright: upright)
            produced += frames
        }
        try muxer.finish()
    }
}

/// The character picture, scaled once, pasted (or alpha-blended) onto each output frame.
struct Overlay {
    let picture: Frame
    let x: Int, y: Int
    let blend: Bool

    init(picture source: Frame, canvasWidth: Int, canvasHeight: Int, scale: Double, path: String) throws(MediaError) {
        var h = max(2, Int(Double(canvasHeight) * scale) & ~1)
        var w = max(2, Int((Double(h) * Double(source.width) / Double(max(1, source.height))).rounded()) & ~1)
        if w > canvasWidth * 9 / 20 {
            w = max(2, (canvasWidth * 9 / 20) & ~1)
            h = max(2, Int((Double(w) * Double(source.height) / Double(max(1, source.width))).rounded()) & ~1)
        }
        blend = source.hasAlpha
        picture = try Scaler(from: source.width, source.height, source.pixelFormat,
                             to: w, h, blend ? AV_PIX_FMT_YUVA420P : AV_PIX_FMT_YUV420P, path: path).scale(source)
        let margin = (canvasHeight / 25) & ~1
        x = max(0, canvasWidth - w - margin) & ~1
        y = max(0, canvasHeight - h - margin) & ~1
    }

    func draw(on frame: Frame) {
        if blend { frame.blend(picture, x: x, y: y) } else { frame.blit(picture, x: x, y: y) }
    }
}
