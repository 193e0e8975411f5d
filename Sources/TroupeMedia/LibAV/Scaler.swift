internal import CFFmpeg

/// A pixel-format/size converter (SwsContext).
final class Scaler {
    private let ctx: OpaquePointer
    let sourceWidth: Int, sourceHeight: Int, sourceFormat: AVPixelFormat
    let width: Int, height: Int, format: AVPixelFormat

    /// `fast` trades a little sharpness for speed (previews: area averaging, whose short
    /// filters make downscaling ~⅓ cheaper than (fast) bilinear in libswscale); otherwise bicubic.
    /// Throws when FFmpeg cannot convert between the two (a damaged stream's odd format or size);
    /// `path` names the file in that error.
    init(from sw: Int, _ sh: Int, _ sf: AVPixelFormat, to dw: Int, _ dh: Int, _ df: AVPixelFormat,
         fast: Bool = false, path: String) throws(MediaError) {
        sourceWidth = sw; sourceHeight = sh; sourceFormat = sf
        width = dw; height = dh; format = df
        // Exact rounding everywhere but previews, where SIMD fast paths matter more (still the
        // same bytes on the same machine).
        let flags = fast ? SWS_AREA : SWS_BICUBIC | SWS_ACCURATE_RND | SWS_BITEXACT
        guard sw > 0, sh > 0, dw > 0, dh > 0, sw <= 32_768, sh <= 32_768,
              let made = sws_getContext(Int32(sw), Int32(sh), sf, Int32(dw), Int32(dh), df, Int32(flags), nil, nil, nil)
        else {
            let name = av_get_pix_fmt_name(sf).map { String(cString: $0) } ?? "unknown"
            throw .decodeFailed(path: path, reason: "cannot convert a \(sw)×\(sh) \(name) picture")
        }
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
        out.pts = source.pts
        return out
    }
}
