/// Where a character picture is the character: its background flood-filled from the border and
/// made transparent, with a soft edge. Pure pixel work on packed RGBA, testable on its own.
struct CutoutMask {
    /// A neighbour joins the background when within this much (largest channel difference) of
    /// the pixel it is reached from: gradients fill, a figure's edge stops the fill.
    static let localTolerance = 10
    /// …or within this much of the border colour: flat backdrops fill despite JPEG noise.
    static let borderTolerance = 32

    let width: Int, height: Int
    /// One byte per pixel: 255 for the character, 0 for background, a ramp between.
    let alpha: [UInt8]
    /// The border colour (median of the border pixels), as RGB.
    let borderColour: (UInt8, UInt8, UInt8)
    /// Whether the picture's own alpha was used rather than a fill.
    let keptOwnAlpha: Bool

    /// `rgba` is `width`×`height` packed RGBA. A picture with some transparency keeps its alpha;
    /// otherwise the border colour is flood-filled. A fill that takes almost nothing or almost
    /// everything (a full-bleed photo) leaves the picture whole.
    init(rgba: [UInt8], width: Int, height: Int) {
        self.width = width; self.height = height
        let n = width * height
        borderColour = Self.borderMedian(rgba, width, height)
        var ownAlpha = false
        for i in 0..<n where rgba[4 * i + 3] < 250 { ownAlpha = true; break }
        keptOwnAlpha = ownAlpha
        if ownAlpha {
            alpha = (0..<n).map { rgba[4 * $0 + 3] }
            return
        }
        let background = Self.fill(rgba, width, height, border: borderColour)
        let filled = background.reduce(0) { $0 + Int($1) }
        guard filled > n / 200, filled < n - n / 50 else {
            alpha = [UInt8](repeating: 255, count: n)
            return
        }
        alpha = Self.feather(background, width, height)
    }

    /// The smallest rectangle holding every pixel that is not fully transparent.
    var opaqueBounds: (x: Int, y: Int, width: Int, height: Int)? {
        var x0 = width, y0 = height, x1 = -1, y1 = -1
        for y in 0..<height {
            for x in 0..<width where alpha[y * width + x] != 0 {
                x0 = min(x0, x); x1 = max(x1, x); y0 = min(y0, y); y1 = max(y1, y)
            }
        }
        return x1 < 0 ? nil : (x0, y0, x1 - x0 + 1, y1 - y0 + 1)
    }

    private static func borderMedian(_ p: [UInt8], _ w: Int, _ h: Int) -> (UInt8, UInt8, UInt8) {
        var channels: [[UInt8]] = [[], [], []]
        func add(_ i: Int) { for c in 0..<3 { channels[c].append(p[4 * i + c]) } }
        for x in 0..<w { add(x); add((h - 1) * w + x) }
        for y in 1..<max(1, h - 1) { add(y * w); add(y * w + w - 1) }
        let m = channels.map { $0.sorted()[$0.count / 2] }
        return (m[0], m[1], m[2])
    }

    private static func distance(_ p: [UInt8], _ i: Int, _ j: Int) -> Int {
        max(abs(Int(p[4 * i]) - Int(p[4 * j])), abs(Int(p[4 * i + 1]) - Int(p[4 * j + 1])),
            abs(Int(p[4 * i + 2]) - Int(p[4 * j + 2])))
    }

    private static func distance(_ p: [UInt8], _ i: Int, _ c: (UInt8, UInt8, UInt8)) -> Int {
        max(abs(Int(p[4 * i]) - Int(c.0)), abs(Int(p[4 * i + 1]) - Int(c.1)), abs(Int(p[4 * i + 2]) - Int(c.2)))
    }

    /// 1 where the background reaches from the border, else 0.
    private static func fill(_ p: [UInt8], _ w: Int, _ h: Int, border: (UInt8, UInt8, UInt8)) -> [UInt8] {
        var filled = [UInt8](repeating: 0, count: w * h)
        var stack: [Int] = []
        func seed(_ i: Int) {
            if filled[i] == 0 && distance(p, i, border) <= borderTolerance { filled[i] = 1; stack.append(i) }
        }
        var ring: [Int] = []
        for x in 0..<w { ring.append(x); ring.append((h - 1) * w + x) }
        for y in 0..<h { ring.append(y * w); ring.append(y * w + w - 1) }
        for i in ring { seed(i) }
        // A backdrop whose colour changes across the picture (a gradient) may have no border
        // pixel near the median: start from the nearest, and the fill walks the gradient.
        if stack.isEmpty, let nearest = ring.min(by: { distance(p, $0, border) < distance(p, $1, border) }) {
            filled[nearest] = 1
            stack.append(nearest)
        }
        func reach(_ i: Int, _ j: Int) {
            if filled[j] == 0 && (distance(p, i, j) <= localTolerance || distance(p, j, border) <= borderTolerance) {
                filled[j] = 1
                stack.append(j)
            }
        }
        while let i = stack.popLast() {
            let x = i % w, y = i / w
            if x > 0 { reach(i, i - 1) }
            if x < w - 1 { reach(i, i + 1) }
            if y > 0 { reach(i, i - w) }
            if y < h - 1 { reach(i, i + w) }
        }
        return filled
    }

    /// Drops the outermost ring of the figure (pixels mixed with the backdrop) and softens the
    /// new edge with a 3×3 average: a feather about two pixels wide.
    private static func feather(_ background: [UInt8], _ w: Int, _ h: Int) -> [UInt8] {
        var inside = [UInt8](repeating: 0, count: w * h)
        background.withUnsafeBufferPointer { b in
            inside.withUnsafeMutableBufferPointer { o in
                for y in 1..<max(1, h - 1) {
                    let r = b.baseAddress! + y * w, d = o.baseAddress! + y * w
                    for x in 1..<max(1, w - 1) { d[x] = (r[x] | r[x - 1] | r[x + 1] | r[x - w] | r[x + w]) == 0 ? 1 : 0 }
                }
            }
        }
        // 3×3 sums (rows, then columns; nothing outside the picture), then sum·255/9 rounded.
        var across = [UInt8](repeating: 0, count: w * h)
        inside.withUnsafeBufferPointer { src in
            across.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    let s = src.baseAddress! + y * w, d = dst.baseAddress! + y * w
                    for x in 0..<w { d[x] = s[x] &+ (x > 0 ? s[x - 1] : 0) &+ (x < w - 1 ? s[x + 1] : 0) }
                }
            }
        }
        let level = (0...9).map { UInt8(($0 * 255 + 4) / 9) }
        let none = [UInt8](repeating: 0, count: w)
        return [UInt8](unsafeUninitializedCapacity: w * h) { out, count in
            across.withUnsafeBufferPointer { src in
                none.withUnsafeBufferPointer { zero in
                    for y in 0..<h {
                        let s = src.baseAddress! + y * w, d = out.baseAddress! + y * w
                        let up = y > 0 ? s - w : zero.baseAddress!, down = y < h - 1 ? s + w : zero.baseAddress!
                        for x in 0..<w { d[x] = level[Int(up[x] &+ s[x] &+ down[x])] }
                    }
                }
            }
            count = w * h
        }
    }
}
