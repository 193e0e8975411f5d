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

    /// Averages `block`×`block` cells of this yuv420p frame into `grid` (three planes of
    /// `columns`×`rows` bytes: Y, U, V), from 4×4 samples per cell: the tracker's view.
    func sample(into grid: inout [UInt8], columns: Int, rows: Int, block: Int) {
        let step = max(1, block / 4), taps = min(4, block)
        let (yp, ys) = planePointer(0), (up, us) = planePointer(1), (vp, vs) = planePointer(2)
        let cells = columns * rows
        grid.withUnsafeMutableBufferPointer { g in
            for row in 0..<rows {
                for col in 0..<columns {
                    var sy = 0, su = 0, sv = 0
                    for j in 0..<taps {
                        let py = row * block + j * step
                        let ly = yp + py * ys, cy = py / 2
                        for i in 0..<taps {
                            let px = col * block + i * step
                            sy += Int(ly[px])
                            su += Int(up[cy * us + px / 2])
                            sv += Int(vp[cy * vs + px / 2])
                        }
                    }
                    let n = taps * taps, at = row * columns + col
                    g[at] = UInt8(sy / n)
                    g[cells + at] = UInt8(su / n)
                    g[2 * cells + at] = UInt8(sv / n)
                }
            }
        }
    }

    /// Composites a yuva420p frame over this yuv420p frame with its top-left corner at (x, y),
    /// both even, either possibly negative or past the edge: only the overlap is drawn.
    func blendClipped(_ overlay: Frame, x: Int, y: Int) {
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(width, x + overlay.width), y1 = min(height, y + overlay.height)
        guard x1 > x0, y1 > y0 else { return }
        let (oy, oys) = overlay.planePointer(0), (oa, oas) = overlay.planePointer(3)
        let (dy, dys) = planePointer(0)
        for row in y0..<y1 {
            let s = oy + (row - y) * oys, a = oa + (row - y) * oas, d = dy + row * dys
            for col in x0..<x1 {
                let al = a[col - x]
                if al != 0 { d[col] = Self.mixPixel(s[col - x], d[col], al) }
            }
        }
        let (cw, ch) = planeSize(1)
        let cx0 = x0 / 2, cy0 = y0 / 2, cx1 = min(cw, (x1 + 1) / 2), cy1 = min(ch, (y1 + 1) / 2)
        for plane in 1...2 {
            let (op, ops) = overlay.planePointer(plane), (dp, dps) = planePointer(plane)
            for row in cy0..<cy1 {
                let oRow = row - y / 2
                let s = op + oRow * ops, a = oa + min(overlay.height - 1, 2 * oRow) * oas, d = dp + row * dps
                for col in cx0..<cx1 {
                    let al = a[min(overlay.width - 1, 2 * (col - x / 2))]
                    if al != 0 { d[col] = Self.mixPixel(s[col - x / 2], d[col], al) }
                }
            }
        }
    }

    private static func mixPixel(_ a: UInt8, _ b: UInt8, _ alpha: UInt8) -> UInt8 {
        let al = Int(alpha)
        return UInt8((Int(a) * al + Int(b) * (255 - al) + 127) / 255)
    }
}
