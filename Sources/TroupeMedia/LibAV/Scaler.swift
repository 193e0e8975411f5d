internal import CFFmpeg

/// A pixel-format/size converter (SwsContext).
final class Scaler {
    private let ctx: OpaquePointer
    let sourceWidth: Int, sourceHeight: Int, sourceFormat: AVPixelFormat
    let width: Int, height: Int, format: AVPixelFormat

    /// `fast` trades a little sharpness for speed (previews); otherwise bicubic.
    init(from sw: Int, _ sh: Int, _ sf: AVPixelFormat, to dw: Int, _ dh: Int, _ df: AVPixelFormat,
         fast: Bool = false) {
        sourceWidth = sw; sourceHeight = sh; sourceFormat = sf
        width = dw; height = dh; format = df
        // Exact rounding everywhere but previews, where SIMD fast paths matter more (still the
        // same bytes on the same machine).
        let flags = fast ? SWS_FAST_BILINEAR : SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT
        guard let made = sws_getContext(Int32(sw), Int32(sh), sf, Int32(dw), Int32(dh), df, Int32(flags), nil, nil, nil)
        else { fatalError("sws_getContext \(sw)x\(sh) → \(dw)x\(dh): unsupported conversion") }
        ctx = made
    }

    deinit { sws_freeContext(ctx) }

    func matches(_ frame: Frame) -> Bool {
        frame.width == sourceWidth && frame.height == sourceHeight && frame.pixelFormat == sourceFormat
    }

    /// Converts `source` into a new frame of the target size and format.
    func scale(_ source: Frame) -> Frame {
        let out = Frame.video(width: width, height: height, format: format)
        sws_scale_frame(ctx, out.raw, source.raw)
        return out
    }
}
