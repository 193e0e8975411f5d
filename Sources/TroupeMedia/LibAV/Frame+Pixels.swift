internal import CFFmpeg

/// Pixel access for planar 8-bit frames (yuv420p, yuva420p, gray); used by synth, stills and
/// the preview compositor so that no other file touches frame memory.
extension Frame {
    private func row(_ plane: Int, _ y: Int) -> UnsafeMutablePointer<UInt8> {
        troupe_frame_data(raw, Int32(plane))! + y * Int(troupe_frame_linesize(raw, Int32(plane)))
    }

    /// Sets a rectangle of one plane to `value` (clipped to the plane).
    func fill(plane: Int, x: Int, y: Int, width: Int, height: Int, value: UInt8) {
        let (pw, ph) = planeSize(plane)
        let x0 = max(0, x), y0 = max(0, y)
        let x1 = min(pw, x + width), y1 = min(ph, y + height)
        guard x1 > x0, y1 > y0 else { return }
        for yy in y0..<y1 {
            (row(plane, yy) + x0).update(repeating: value, count: x1 - x0)
        }
    }

    /// Sets each row `yy` of a plane to `value(yy)`.
    func fillRows(plane: Int, _ value: (Int) -> UInt8) {
        let (pw, ph) = planeSize(plane)
        for yy in 0..<ph { row(plane, yy).update(repeating: value(yy), count: pw) }
    }

    /// Sets every pixel of a plane to `value(x, y)`. Slow; for small stills only.
    func fillPixels(plane: Int, _ value: (Int, Int) -> UInt8) {
        let (pw, ph) = planeSize(plane)
        for yy in 0..<ph {
            let r = row(plane, yy)
            for xx in 0..<pw { r[xx] = value(xx, yy) }
        }
    }

    /// Sets every pixel of a packed RGB24 frame.
    func fillRGB(_ value: (Int, Int) -> (UInt8, UInt8, UInt8)) {
        for yy in 0..<height {
            let r = row(0, yy)
            for xx in 0..<width {
                let (red, green, blue) = value(xx, yy)
                r[3 * xx] = red; r[3 * xx + 1] = green; r[3 * xx + 2] = blue
            }
        }
    }

    func pixel(plane: Int, x: Int, y: Int) -> UInt8 { row(plane, y)[x] }

    /// Mean of a rectangle of one plane.
    func mean(plane: Int, x: Int, y: Int, width: Int, height: Int) -> Double {
        var sum = 0
        for yy in y..<(y + height) {
            let r = row(plane, yy)
            for xx in x..<(x + width) { sum += Int(r[xx]) }
        }
        return Double(sum) / Double(max(1, width * height))
    }

    /// Copies a yuv420p frame into this yuv420p frame at (x, y) (even coordinates), clipped.
    func blit(_ source: Frame, x: Int, y: Int) {
        for plane in 0..<3 {
            let shift = plane == 0 ? 0 : 1
            let (sw, sh) = source.planeSize(plane)
            let (dw, dh) = planeSize(plane)
            let dx = x >> shift, dy = y >> shift
            let w = min(sw, dw - dx), h = min(sh, dh - dy)
            guard w > 0, h > 0, dx >= 0, dy >= 0 else { continue }
            for yy in 0..<h {
                (row(plane, dy + yy) + dx).update(from: source.row(plane, yy), count: w)
            }
        }
    }

    /// Composites a yuva420p frame over this yuv420p frame at (x, y) (even), using its alpha.
    func blend(_ overlay: Frame, x: Int, y: Int) {
        let (ow, oh) = overlay.planeSize(0)
        let (dw, dh) = planeSize(0)
        let w = min(ow, dw - x), h = min(oh, dh - y)
        guard w > 0, h > 0, x >= 0, y >= 0 else { return }
        for yy in 0..<h {
            let src = overlay.row(0, yy), alpha = overlay.row(3, yy), dst = row(0, y + yy) + x
            for xx in 0..<w { dst[xx] = Self.mix(src[xx], dst[xx], alpha[xx]) }
        }
        for plane in 1...2 {
            for yy in 0..<(h / 2) {
                let src = overlay.row(plane, yy), alpha = overlay.row(3, 2 * yy)
                let dst = row(plane, y / 2 + yy) + x / 2
                for xx in 0..<(w / 2) { dst[xx] = Self.mix(src[xx], dst[xx], alpha[2 * xx]) }
            }
        }
    }

    private static func mix(_ a: UInt8, _ b: UInt8, _ alpha: UInt8) -> UInt8 {
        let al = Int(alpha)
        return UInt8((Int(a) * al + Int(b) * (255 - al) + 127) / 255)
    }

    /// Size of a plane in samples, for 4:2:0 formats (chroma halved, rounded up).
    func planeSize(_ plane: Int) -> (Int, Int) {
        switch pixelFormat {
        case AV_PIX_FMT_YUV420P, AV_PIX_FMT_YUVJ420P, AV_PIX_FMT_YUVA420P:
            return plane == 1 || plane == 2 ? ((width + 1) / 2, (height + 1) / 2) : (width, height)
        default:
            return (width, height)
        }
    }
}

extension Frame {
    /// Fills a packed-float audio frame, the same value on every channel.
    func fillSamples(_ value: (Int) -> Float) {
        let channels = self.channels
        troupe_frame_data(raw, 0)!.withMemoryRebound(to: Float.self, capacity: sampleCount * channels) { samples in
            for i in 0..<sampleCount {
                let v = value(i)
                for c in 0..<channels { samples[i * channels + c] = v }
            }
        }
    }
}

extension Frame {
    /// A yuv420p copy turned clockwise by `degrees` (90, 180 or 270), as players apply a
    /// stream's display rotation.
    func rotated(clockwise degrees: Int) -> Frame {
        let turn = ((degrees % 360) + 360) % 360
        let (w, h) = turn == 90 || turn == 270 ? (height, width) : (width, height)
        let out = Frame.video(width: w, height: h, format: AV_PIX_FMT_YUV420P)
        for plane in 0..<3 {
            let (sw, sh) = planeSize(plane)
            let (dw, dh) = out.planeSize(plane)
            let src = troupe_frame_data(raw, Int32(plane))!, stride = Int(troupe_frame_linesize(raw, Int32(plane)))
            for r in 0..<min(dh, turn == 90 || turn == 270 ? sw : sh) {
                let dst = out.row(plane, r)
                switch turn {
                case 90: for c in 0..<min(dw, sh) { dst[c] = src[(sh - 1 - c) * stride + r] }
                case 180: for c in 0..<min(dw, sw) { dst[c] = src[(sh - 1 - r) * stride + sw - 1 - c] }
                case 270: for c in 0..<min(dw, sh) { dst[c] = src[c * stride + sw - 1 - r] }
                default: dst.update(from: src + r * stride, count: min(dw, sw))
                }
            }
        }
        out.pts = pts
        return out
    }
}
