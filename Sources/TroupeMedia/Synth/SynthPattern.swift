internal import CFFmpeg

/// The synthetic picture: a drifting gradient, two bouncing boxes and, along the top, the frame
/// number in binary (16-px blocks) so tests can read back which source frame they are seeing.
struct SynthPattern {
    let width: Int, height: Int, seed: Int

    static let bitBlock = 16
    var bitCount: Int { min(16, width / Self.bitBlock) }

    func draw(frame index: Int) -> Frame {
        let frame = Frame.video(width: width, height: height, format: AV_PIX_FMT_YUV420P)
        let shift = index * 3 + seed * 37
        frame.fillRows(plane: 0) { y in UInt8(48 + (y * 160 / max(1, height) + shift) % 160) }
        frame.fillRows(plane: 1) { _ in UInt8(96 + (seed * 29) % 64) }
        frame.fillRows(plane: 2) { y in UInt8(96 + (y + seed * 53) % 64) }

        let box = max(8, min(width, height) / 4) & ~1
        let x1 = bounce(index * 6 + seed * 31, span: width - box)
        let y1 = height / 2 - box / 2
        draw(box: (x1, y1, box, box), yuv: (220, 60, 200), on: frame)
        let x2 = width / 3
        let y2 = bounce(index * 4 + seed * 17, span: height - box)
        draw(box: (x2, y2, box / 2 * 2, box / 2 * 2), yuv: (100, 200, 80), on: frame)

        let b = Self.bitBlock
        for bit in 0..<bitCount {
            let on = (index >> bit) & 1 == 1
            frame.fill(plane: 0, x: bit * b, y: 0, width: b, height: b, value: on ? 235 : 16)
            frame.fill(plane: 1, x: bit * b / 2, y: 0, width: b / 2, height: b / 2, value: 128)
            frame.fill(plane: 2, x: bit * b / 2, y: 0, width: b / 2, height: b / 2, value: 128)
        }
        return frame
    }

    /// Reads the frame number drawn by `draw` from a decoded yuv420p frame of the same size.
    /// `scale` is output size / synth size when the picture was resized since.
    static func frameNumber(in frame: Frame, scale: Double = 1) -> Int {
        let block = Double(bitBlock) * scale
        let bits = min(16, Int(Double(frame.width) / block))
        var value = 0
        for bit in 0..<bits where frame.mean(plane: 0, x: Int((Double(bit) + 0.25) * block), y: Int(block / 4),
                                             width: Int(block / 2), height: Int(block / 2)) > 128 {
            value |= 1 << bit
        }
        return value
    }

    private func bounce(_ t: Int, span: Int) -> Int {
        guard span > 0 else { return 0 }
        let p = t % (2 * span)
        return (p < span ? p : 2 * span - p) & ~1
    }

    private func draw(box: (Int, Int, Int, Int), yuv: (UInt8, UInt8, UInt8), on frame: Frame) {
        let (x, y, w, h) = box
        frame.fill(plane: 0, x: x, y: y, width: w, height: h, value: yuv.0)
        frame.fill(plane: 1, x: x / 2, y: y / 2, width: w / 2, height: h / 2, value: yuv.1)
        frame.fill(plane: 2, x: x / 2, y: y / 2, width: w / 2, height: h / 2, value: yuv.2)
    }
}
