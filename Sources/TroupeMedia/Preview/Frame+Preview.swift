internal import CFFmpeg

/// Pixel work the preview needs on whole frames: dimming the clip, sampling it for the tracker,
/// and compositing a character that may stand partly outside the frame.
extension Frame {
    /// Base address and stride of a plane.
    func planePointer(_ plane: Int) -> (UnsafeMutablePointer<UInt8>, Int) {
        (troupe_frame_data(raw, Int32(plane))!, Int(troupe_frame_linesize(raw, Int32(plane))))
    }

    /// A yuv420p copy of this yuv420p frame with luma scaled toward black and chroma toward grey
    /// by `factor`/256, so that a character drawn over it reads. One pass, no copy first.
    func dimmedCopy(factor: Int) -> Frame {
        let out = Frame.video(width: width, height: height, format: AV_PIX_FMT_YUV420P)
        let k = UInt16(max(0, min(256, factor)))
        for plane in 0..<3 {
            let (pw, ph) = planeSize(plane)
            let (src, ss) = planePointer(plane)
            let (dst, ds) = out.planePointer(plane)
            // y' = 16 + (y − 16)·k, c' = 128 + (c − 128)·k, rounded; fits in 16 bits for k ≤ 256.
            let base = UInt16(plane == 0 ? 16 : 128) &* (256 &- k) &+ 128
            for y in 0..<ph {
                let s = src + y * ss, d = dst + y * ds
                for x in 0..<pw { d[x] = UInt8(truncatingIfNeeded: (UInt16(s[x]) &* k &+ base) >> 8) }
            }
        }
        out.pts = pts
        return out
    }

    /// Samples `block`×`block` cells of this yuv420p frame into `grid` (three planes of
    /// `columns`×`rows` bytes: Y, U, V): the mean of four luma samples and the chroma at the
    /// cell's centre. Coarse on purpose: the tracker looks for shapes tens of cells across.
    func sample(into grid: inout [UInt8], columns: Int, rows: Int, block: Int) {
        let half = block >= 2 ? block / 2 : 0, quarter = block / 4
        let (yp, ys) = planePointer(0), (up, us) = planePointer(1), (vp, vs) = planePointer(2)
        let cells = columns * rows
        grid.withUnsafeMutableBufferPointer { g in
            let out = g.baseAddress!
            for row in 0..<rows {
                let l0 = yp + (row * block + quarter) * ys, l1 = l0 + half * ys
                let c = (row * block + block / 2) / 2
                let u = up + c * us, v = vp + c * vs
                let at = out + row * columns
                // Wrapping arithmetic: the offsets are inside the frame, and without overflow
                // checks the loop is a few instructions per cell.
                var x0 = quarter, cx = block / 2
                for col in 0..<columns {
                    let x1 = x0 &+ half
                    let sum = UInt16(l0[x0]) &+ UInt16(l0[x1]) &+ UInt16(l1[x0]) &+ UInt16(l1[x1])
                    at[col] = UInt8(truncatingIfNeeded: sum >> 2)
                    at[cells &+ col] = u[cx >> 1]
                    at[2 &* cells &+ col] = v[cx >> 1]
                    x0 &+= block; cx &+= block
                }
            }
        }
    }

    /// Composites a yuva420p frame (even sizes) over this yuv420p frame with its top-left corner
    /// at (x, y), both even, either possibly negative or past the edge: only the overlap is drawn.
    func blendClipped(_ overlay: Frame, x: Int, y: Int) {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + overlay.width), y1 = min(height, y + overlay.height)
        guard x1 > x0, y1 > y0 else { return }
        let (oy, oys) = overlay.planePointer(0), (oa, oas) = overlay.planePointer(3)
        let (dy, dys) = planePointer(0)
        for row in y0..<y1 {
            let s = oy + (row - y) * oys - x, a = oa + (row - y) * oas - x, d = dy + row * dys
            for col in x0..<x1 { d[col] = Self.mixPixel(s[col], d[col], a[col]) }
        }
        // Chroma: half the rows and columns; each takes the alpha of its top-left luma sample,
        // gathered into a row first so that the blending loops read it in order and vectorise.
        let c0 = x0 / 2, c1 = (x1 + 1) / 2
        let (up, ups) = overlay.planePointer(1), (vp, vps) = overlay.planePointer(2)
        let (du, dus) = planePointer(1), (dv, dvs) = planePointer(2)
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: c1 - c0) { buffer in
            let alpha = buffer.baseAddress! - c0
            for row in (y0 / 2)..<((y1 + 1) / 2) {
                let o = row - y / 2
                let a = oa + 2 * o * oas - x
                for col in c0..<c1 { alpha[col] = a[2 * col] }
                Self.mixRow(up + o * ups - x / 2, into: du + row * dus, alpha: alpha, c0..<c1)
                Self.mixRow(vp + o * vps - x / 2, into: dv + row * dvs, alpha: alpha, c0..<c1)
            }
        }
    }

    @inline(__always)
    private static func mixRow(_ s: UnsafeMutablePointer<UInt8>, into d: UnsafeMutablePointer<UInt8>,
                               alpha: UnsafeMutablePointer<UInt8>, _ columns: Range<Int>) {
        for col in columns { d[col] = mixPixel(s[col], d[col], alpha[col]) }
    }

    /// a·α + b·(1 − α), α in 1/255, rounded; exact without a division or a branch (so the
    /// row loops vectorise): the sum is at most 255·255 + 128, so 16 bits hold it.
    @inline(__always)
    private static func mixPixel(_ a: UInt8, _ b: UInt8, _ alpha: UInt8) -> UInt8 {
        let t = UInt16(a) &* UInt16(alpha) &+ UInt16(b) &* (255 &- UInt16(alpha)) &+ 128
        return UInt8(truncatingIfNeeded: (t &+ (t >> 8)) >> 8)
    }
}
