internal import CFFmpeg

/// Scales a rotated clip's frames to the output size (in coded orientation) and turns them upright.
/// Used by the preview and by stills.
final class Upright {
    let degrees: Int, width: Int, height: Int, path: String, fast: Bool
    private var scaler: Scaler?

    /// `width`×`height` is the upright output size.
    init(degrees: Int, width: Int, height: Int, path: String, fast: Bool = true) throws(MediaError) {
        self.degrees = degrees; self.width = width; self.height = height; self.path = path; self.fast = fast
    }

    func turn(_ frame: Frame) throws(MediaError) -> Frame {
        let (w, h) = degrees % 180 == 0 ? (width, height) : (height, width)
        if scaler == nil || !scaler!.matches(frame) {
            scaler = try Scaler(from: frame.width, frame.height, frame.pixelFormat, to: w, h, AV_PIX_FMT_YUV420P,
                                fast: fast, path: path)
        }
        return scaler!.scale(frame).rotated(clockwise: degrees)
    }
}
