internal import CFFmpeg

/// The character picture cut out from its background and cropped to the figure, handed out
/// scaled to a height (yuva420p, even sizes), facing either way. Scaled pictures are kept, so a
/// subject whose size barely changes costs one scaling.
final class CharacterCutout {
    /// Size of the cropped figure.
    let width: Int, height: Int
    let mask: CutoutMask
    private let path: String
    private let figure: Frame
    private lazy var mirroredFigure: Frame = figure.mirroredRGBA()
    private var scaled: [Int: Frame] = [:]

    /// `maxHeight` bounds the working picture (the largest the figure is drawn at): a 6000-px
    /// photo is reduced before the fill rather than filled at full size.
    init(image path: String, maxHeight: Int, cancellation: MediaCancellation?) throws(MediaError) {
        self.path = path
        let picture = try FrameGrabber.grab(path, at: 0, cancellation: cancellation)
        let shrink = min(1, Double(maxHeight) / Double(max(1, picture.height)))
        let w = max(2, Int((Double(picture.width) * shrink).rounded()))
        let h = max(2, Int((Double(picture.height) * shrink).rounded()))
        let rgba = try Scaler(from: picture.width, picture.height, picture.pixelFormat, to: w, h, AV_PIX_FMT_RGBA,
                              path: path).scale(picture)
        var pixels = rgba.packedRGBA()
        mask = CutoutMask(rgba: pixels, width: w, height: h)
        for i in 0..<(w * h) { pixels[4 * i + 3] = mask.alpha[i] }
        guard let box = mask.opaqueBounds else {
            throw .decodeFailed(path: path, reason: "the character picture is fully transparent")
        }
        width = box.width; height = box.height
        figure = Frame.video(width: box.width, height: box.height, format: AV_PIX_FMT_RGBA)
        figure.setPackedRGBA(pixels, sourceWidth: w, x: box.x, y: box.y)
    }

    /// The figure `height` pixels tall (rounded to even), its width by its aspect; mirrored
    /// left to right when asked.
    func picture(height target: Int, mirrored: Bool) throws(MediaError) -> Frame {
        let h = max(2, target & ~1)
        let key = h * 2 + (mirrored ? 1 : 0)
        if let known = scaled[key] { return known }
        let w = max(2, Int((Double(h) * Double(width) / Double(max(1, height))).rounded()) & ~1)
        let source = mirrored ? mirroredFigure : figure
        let made = try Scaler(from: width, height, AV_PIX_FMT_RGBA, to: w, h, AV_PIX_FMT_YUVA420P, path: path)
            .scale(source)
        scaled[key] = made
        return made
    }
}

extension Frame {
    /// The pixels of a packed RGBA frame, rows end to end.
    func packedRGBA() -> [UInt8] {
        let (base, stride) = planePointer(0)
        var out = [UInt8](repeating: 0, count: width * height * 4)
        out.withUnsafeMutableBufferPointer { o in
            for y in 0..<height { (o.baseAddress! + y * width * 4).update(from: base + y * stride, count: width * 4) }
        }
        return out
    }

    /// Fills this packed RGBA frame from the rectangle at (x, y) of `pixels` (rows `sourceWidth` wide).
    func setPackedRGBA(_ pixels: [UInt8], sourceWidth: Int, x: Int, y: Int) {
        let (base, stride) = planePointer(0)
        pixels.withUnsafeBufferPointer { p in
            for row in 0..<height {
                (base + row * stride).update(from: p.baseAddress! + ((y + row) * sourceWidth + x) * 4, count: width * 4)
            }
        }
    }

    /// A copy of this packed RGBA frame flipped left to right.
    func mirroredRGBA() -> Frame {
        let out = Frame.video(width: width, height: height, format: AV_PIX_FMT_RGBA)
        let (src, ss) = planePointer(0), (dst, ds) = out.planePointer(0)
        for y in 0..<height {
            let s = src + y * ss, d = dst + y * ds
            for x in 0..<width {
                for c in 0..<4 { d[4 * x + c] = s[4 * (width - 1 - x) + c] }
            }
        }
        return out
    }
}
