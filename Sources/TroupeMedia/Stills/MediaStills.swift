internal import CFFmpeg
import Foundation
import TroupeSupport

/// Still pictures from clips: a thumbnail, a contact sheet of many clips.
public enum MediaStills {
    /// Writes the picture at `seconds` (default: the middle) as PNG/JPEG (by extension), scaled
    /// to `width` pixels wide keeping the aspect when given.
    public static func thumbnail(_ source: String, at seconds: Double? = nil, to output: String, width: Int? = nil,
                                 cancellation: MediaCancellation? = nil) throws(MediaError) {
        let format = try ImageWriter.format(for: output)
        if let width, width < 2 || width > 16384 {
            throw .invalidArgument("\(output): thumbnail width \(width) must be between 2 and 16384")
        }
        let frame = try FrameGrabber.grab(source, at: seconds, cancellation: cancellation)
        try writeScaled(frame, from: source, to: output, width: width, format: format)
    }

    /// A poster: like `thumbnail`, but the picture is the keyframe at or before `seconds`
    /// (default: the middle), so only one frame is decoded — what a page of thousands of
    /// renders needs, where the exact moment matters less than the cost.
    public static func poster(_ source: String, near seconds: Double? = nil, to output: String, width: Int,
                              cancellation: MediaCancellation? = nil) throws(MediaError) {
        let format = try ImageWriter.format(for: output)
        guard (2...16384).contains(width) else {
            throw .invalidArgument("\(output): poster width \(width) must be between 2 and 16384")
        }
        try AtomicFile.writeMedia(try posterImage(source, near: seconds, width: width, format: format,
                                             cancellation: cancellation), to: output)
    }

    /// A poster as JPEG bytes, for callers that write many files their own way (a report
    /// flushes thousands at once rather than one by one).
    public static func posterJPEG(_ source: String, near seconds: Double? = nil, width: Int,
                                  cancellation: MediaCancellation? = nil) throws(MediaError) -> [UInt8] {
        guard (2...16384).contains(width) else {
            throw .invalidArgument("\(source): poster width \(width) must be between 2 and 16384")
        }
        return [UInt8](try posterImage(source, near: seconds, width: width, format: .jpeg, cancellation: cancellation))
    }

    private static func posterImage(_ source: String, near seconds: Double?, width: Int, format: ImageFormat,
                                    cancellation: MediaCancellation?) throws(MediaError) -> Data {
        let frame = try FrameGrabber.keyframe(source, near: seconds, cancellation: cancellation)
        // Area averaging with SIMD, not bit-exact bicubic: a small picture looks the same, and
        // scaling is a large share of a poster's cost when a report makes thousands.
        let h = max(2, Int((Double(frame.height) * Double(width) / Double(frame.width)).rounded()))
        let scaled = try Scaler(from: frame.width, frame.height, frame.pixelFormat, to: width, h,
                                format == .png ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_YUVJ420P, fast: true, path: source).scale(frame)
        return try ImageWriter.encode(scaled, format: format, path: source)
    }

    private static func writeScaled(_ frame: Frame, from source: String, to output: String, width: Int?,
                                    format: ImageFormat) throws(MediaError) {
        let w = width ?? frame.width
        let h = max(2, Int((Double(frame.height) * Double(w) / Double(frame.width)).rounded()))
        let scaled = try Scaler(from: frame.width, frame.height, frame.pixelFormat,
                                to: w, h, format == .png ? AV_PIX_FMT_RGB24 : AV_PIX_FMT_YUVJ420P, path: source).scale(frame)
        try ImageWriter.write(scaled, to: output, format: format)
    }

    /// Writes a grid of the middle picture of each source (videos or images), in order, left to
    /// right and top to bottom, each letterboxed into a 16:9 cell `cellWidth` pixels wide.
    public static func contactSheet(_ sources: [String], to output: String, columns: Int? = nil,
                                    cellWidth: Int = 320, cancellation: MediaCancellation? = nil) throws(MediaError) {
        let format = try ImageWriter.format(for: output)
        guard !sources.isEmpty else { throw .invalidArgument("\(output): a contact sheet needs at least one input") }
        guard (16...4096).contains(cellWidth) else {
            throw .invalidArgument("\(output): cell width \(cellWidth) must be between 16 and 4096")
        }
        let cols = max(1, columns ?? Int(Double(sources.count).squareRoot().rounded(.up)))
        let rows = (sources.count + cols - 1) / cols
        let cellW = cellWidth & ~1, cellH = (cellWidth * 9 / 16) & ~1, gap = 8
        let width = cols * cellW + (cols + 1) * gap, height = rows * cellH + (rows + 1) * gap
        guard width <= 16384, height <= 16384 else {
            throw .invalidArgument("\(output): a \(width)×\(height) sheet is too large; use fewer inputs or smaller cells")
        }
        let sheet = Frame.video(width: width, height: height, format: AV_PIX_FMT_YUV420P)
        sheet.fill(plane: 0, x: 0, y: 0, width: width, height: height, value: 32)
        sheet.fill(plane: 1, x: 0, y: 0, width: width, height: height, value: 128)
        sheet.fill(plane: 2, x: 0, y: 0, width: width, height: height, value: 128)
        for (i, source) in sources.enumerated() {
            let frame = try FrameGrabber.grab(source, at: nil, cancellation: cancellation)
            let fit = Fit.inside(sourceWidth: frame.width, sourceHeight: frame.height, width: cellW, height: cellH)
            let cell = try Scaler(from: frame.width, frame.height, frame.pixelFormat,
                                  to: fit.width, fit.height, AV_PIX_FMT_YUV420P, path: source).scale(frame)
            let x = gap + (i % cols) * (cellW + gap) + fit.x, y = gap + (i / cols) * (cellH + gap) + fit.y
            sheet.blit(cell, x: x & ~1, y: y & ~1)
        }
        try ImageWriter.write(sheet, to: output, format: format)
    }
}
