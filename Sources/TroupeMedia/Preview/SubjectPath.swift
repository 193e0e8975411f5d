/// Where the character stands in each preview frame: the tracker's detections turned into a
/// steady path in output pixels. Frames without a detection hold the last place (the subject
/// stopped); a subject last seen at the frame's edge keeps going out of it, and one first seen
/// at the edge comes in from outside, at the speed it had. A part cut by the edge is widened
/// back to the subject's usual size so the character does not shrink as it leaves.
struct SubjectPath: Equatable {
    struct Place: Equatable {
        var x: Double, y: Double, height: Double
        /// Which way the subject is heading: −1 left, 1 right, 0 not yet known.
        var heading: Int
    }

    let places: [Place]
    /// Why the character is centred rather than following, when it is.
    let notice: String?

    var followed: Bool { notice == nil }

    /// Seconds each side over which the position (and, longer, the size) is averaged.
    static let positionWindow = 0.15, sizeWindow = 0.5

    /// The whole-frame fallback: the character centred, 70 % of the frame tall.
    static func centred(frames: Int, width: Int, height: Int, notice: String) -> SubjectPath {
        let place = Place(x: Double(width) / 2, y: Double(height) / 2, height: Double(height) * 0.7, heading: 0)
        return SubjectPath(places: Array(repeating: place, count: max(1, frames)), notice: notice)
    }

    init(places: [Place], notice: String?) {
        self.places = places; self.notice = notice
    }

    /// `parts`: one detection (or none) per frame on a `columns`×`rows` grid of `block`-pixel cells.
    init(parts: [SubjectMask.Part?], columns: Int, rows: Int, block: Int, frameRate: Double) {
        let b = Double(block)
        let clean = parts.compactMap { $0 }.filter { $0.minX > 0 && $0.minY > 0 && $0.maxX < columns - 1 && $0.maxY < rows - 1 }
        let typical = clean.isEmpty ? parts.compactMap { $0 } : clean
        let typicalWidth = Self.median(typical.map { Double($0.maxX - $0.minX + 1) })
        let typicalHeight = Self.median(typical.map { Double($0.maxY - $0.minY + 1) })

        // Centre and height per detection, cells widened back where cut by the frame's edge.
        var x = [Double?](repeating: nil, count: parts.count), y = x, h = x
        var edge = [Bool](repeating: false, count: parts.count)
        for (k, part) in parts.enumerated() {
            guard let p = part else { continue }
            let left = p.minX == 0, right = p.maxX == columns - 1, top = p.minY == 0, bottom = p.maxY == rows - 1
            edge[k] = left || right || top || bottom
            let w = Double(p.maxX - p.minX + 1), ph = Double(p.maxY - p.minY + 1)
            x[k] = left && !right ? Double(p.maxX + 1) - max(w, typicalWidth) / 2
                : right && !left ? Double(p.minX) + max(w, typicalWidth) / 2 : p.centreX
            y[k] = top && !bottom ? Double(p.maxY + 1) - max(ph, typicalHeight) / 2
                : bottom && !top ? Double(p.minY) + max(ph, typicalHeight) / 2 : p.centreY
            h[k] = top != bottom ? max(ph, typicalHeight) : ph
        }
        let filledX = Self.fill(x, edge: edge), filledY = Self.fill(y, edge: edge)
        let filledH = Self.fill(h, edge: [Bool](repeating: false, count: parts.count))
        let px = Self.smooth(filledX, radius: Int((Self.positionWindow * frameRate).rounded()))
        let py = Self.smooth(filledY, radius: Int((Self.positionWindow * frameRate).rounded()))
        let ph = Self.smooth(filledH, radius: Int((Self.sizeWindow * frameRate).rounded()))
        let heading = Self.headings(px, span: max(1, Int((0.15 * frameRate).rounded())),
                                    hold: max(2, Int((0.3 * frameRate).rounded())), minimum: 0.1 * typicalWidth)
        places = (0..<parts.count).map { k in
            Place(x: px[k] * b, y: py[k] * b, height: ph[k] * b, heading: heading[k])
        }
        notice = nil
    }

    /// Fills frames without a value: held from the nearest detection, or, where the run of
    /// missing frames starts (or ends) the clip and that detection touched the edge, carried
    /// on at the detection's speed (the subject leaves, or enters).
    static func fill(_ values: [Double?], edge: [Bool]) -> [Double] {
        let known = values.indices.filter { values[$0] != nil }
        guard let first = known.first, let last = known.last else { return values.map { $0 ?? 0 } }
        func speed(_ a: Int, _ b: Int) -> Double {
            guard b != a, let va = values[a], let vb = values[b] else { return 0 }
            return (vb - va) / Double(b - a)
        }
        var out = [Double](repeating: 0, count: values.count)
        var held = values[first]!
        for k in values.indices {
            if let v = values[k] { held = v; out[k] = v; continue }
            if k < first {
                let v = edge[first] ? speed(first, known[min(known.count - 1, 4)]) : 0
                out[k] = values[first]! - v * Double(first - k)
            } else if k > last {
                let v = edge[last] ? speed(known[max(0, known.count - 5)], last) : 0
                out[k] = values[last]! + v * Double(k - last)
            } else {
                out[k] = held
            }
        }
        return out
    }

    /// Centred moving average; the window shrinks evenly near the ends so nothing lags.
    static func smooth(_ v: [Double], radius: Int) -> [Double] {
        guard radius > 0, v.count > 2 else { return v }
        var prefix = [0.0]
        prefix.reserveCapacity(v.count + 1)
        for value in v { prefix.append(prefix.last! + value) }
        return v.indices.map { k in
            let r = min(radius, k, v.count - 1 - k)
            return (prefix[k + r + 1] - prefix[k - r]) / Double(2 * r + 1)
        }
    }

    /// Heading per frame from the path's slope over ±`span` frames: it changes only after the
    /// new direction has lasted `hold` frames, so a wobble never flips the character.
    static func headings(_ x: [Double], span: Int, hold: Int, minimum: Double) -> [Int] {
        var out = [Int](repeating: 0, count: x.count)
        var current = 0, candidate = 0, run = 0
        for k in x.indices {
            let slope = x[min(x.count - 1, k + span)] - x[max(0, k - span)]
            let sign = abs(slope) < max(minimum, 1e-9) ? 0 : (slope > 0 ? 1 : -1)
            if sign != 0 && sign != current {
                run = sign == candidate ? run + 1 : 1
                candidate = sign
                if current == 0 || run >= hold { current = sign; run = 0 }
            } else {
                run = 0
            }
            out[k] = current
        }
        // Before the first movement the subject faces where it will go.
        if let firstKnown = out.firstIndex(where: { $0 != 0 }) {
            for k in 0..<firstKnown { out[k] = out[firstKnown] }
        }
        return out
    }

    private static func median(_ v: [Double]) -> Double {
        v.isEmpty ? 0 : v.sorted()[v.count / 2]
    }
}
