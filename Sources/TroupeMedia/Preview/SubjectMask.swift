/// A binary mask on the tracker's grid (one byte per cell, 0 or 1) and the cleaning the tracker
/// applies to it: specks removed, holes closed, connected parts listed.
struct SubjectMask {
    let columns: Int, rows: Int
    var cells: [UInt8]

    init(columns: Int, rows: Int, cells: [UInt8]) {
        self.columns = columns; self.rows = rows; self.cells = cells
    }

    /// A connected part of the mask.
    struct Part: Equatable {
        var area = 0
        var minX = Int.max, minY = Int.max, maxX = -1, maxY = -1
        /// Cells of the part that also changed against a nearby frame: a part with none is
        /// still (a stopped subject, or the ghost a stopped subject leaves in the background).
        var moving = 0
        var centreX: Double { Double(minX + maxX + 1) / 2 }
        var centreY: Double { Double(minY + maxY + 1) / 2 }
    }

    /// Erosion then dilation (3×3): drops specks and lines thinner than three cells.
    mutating func open() { cells = Self.dilate(Self.erode(cells, columns, rows), columns, rows) }

    /// Dilation then erosion (3×3): joins parts a cell apart and fills small holes. Worked on a
    /// grid one cell larger all round, so a part near the edge is not stretched to it.
    mutating func close() {
        let w = columns + 2, h = rows + 2
        var padded = [UInt8](repeating: 0, count: w * h)
        cells.withUnsafeBufferPointer { c in
            padded.withUnsafeMutableBufferPointer { p in
                for y in 0..<rows { (p.baseAddress! + (y + 1) * w + 1).update(from: c.baseAddress! + y * columns, count: columns) }
            }
        }
        let closed = Self.erode(Self.dilate(padded, w, h), w, h)
        closed.withUnsafeBufferPointer { p in
            cells.withUnsafeMutableBufferPointer { c in
                for y in 0..<rows { (c.baseAddress! + y * columns).update(from: p.baseAddress! + (y + 1) * w + 1, count: columns) }
            }
        }
    }

    /// Connected parts (8-neighbour) of at least `minArea` cells, largest first (ties by position,
    /// so the order is the same on every run); `moving` counts the cells set in `motion`.
    func parts(minArea: Int, motion: [UInt8]) -> [Part] {
        var label = [Int32](repeating: -1, count: cells.count)
        var found: [Part] = []
        var stack: [Int] = []
        for start in 0..<cells.count where cells[start] != 0 && label[start] < 0 {
            var part = Part()
            label[start] = Int32(found.count)
            stack.append(start)
            while let i = stack.popLast() {
                let x = i % columns, y = i / columns
                part.area += 1
                part.moving += Int(motion[i])
                part.minX = min(part.minX, x); part.maxX = max(part.maxX, x)
                part.minY = min(part.minY, y); part.maxY = max(part.maxY, y)
                for ny in max(0, y - 1)...min(rows - 1, y + 1) {
                    for nx in max(0, x - 1)...min(columns - 1, x + 1) {
                        let j = ny * columns + nx
                        if cells[j] != 0 && label[j] < 0 { label[j] = label[start]; stack.append(j) }
                    }
                }
            }
            found.append(part)
        }
        return found.filter { $0.area >= minArea }.sorted {
            ($0.area, -$0.minY, -$0.minX) > ($1.area, -$1.minY, -$1.minX)
        }
    }

    /// 3×3 minimum; cells outside the grid count as set, so a part touching the edge keeps its
    /// extent there (a subject leaving the frame stays as wide as it is visible).
    static func erode(_ m: [UInt8], _ w: Int, _ h: Int) -> [UInt8] { pass(m, w, h, minimum: true) }

    /// 3×3 maximum; cells outside count as clear.
    static func dilate(_ m: [UInt8], _ w: Int, _ h: Int) -> [UInt8] { pass(m, w, h, minimum: false) }

    /// A separable 3×3 pass: rows, then columns (cells are 0 or 1, so AND is min, OR is max).
    /// The edges are worked apart so the inner loops have no branches and vectorise.
    private static func pass(_ m: [UInt8], _ w: Int, _ h: Int, minimum: Bool) -> [UInt8] {
        let outside: UInt8 = minimum ? 1 : 0
        var across = [UInt8](repeating: 0, count: w * h)
        var out = across
        let edge = [UInt8](repeating: outside, count: w)
        m.withUnsafeBufferPointer { src in
            across.withUnsafeMutableBufferPointer { dst in
                for y in 0..<h {
                    let s = src.baseAddress! + y * w, d = dst.baseAddress! + y * w
                    if w == 1 { d[0] = combine(outside, s[0], outside, minimum); continue }
                    d[0] = combine(outside, s[0], s[1], minimum)
                    combine(d + 1, s, s + 1, s + 2, w - 2, minimum)
                    d[w - 1] = combine(s[w - 2], s[w - 1], outside, minimum)
                }
            }
        }
        across.withUnsafeBufferPointer { src in
            edge.withUnsafeBufferPointer { e in
                out.withUnsafeMutableBufferPointer { dst in
                    for y in 0..<h {
                        let s = src.baseAddress! + y * w
                        let up = y > 0 ? s - w : e.baseAddress!, down = y < h - 1 ? s + w : e.baseAddress!
                        combine(dst.baseAddress! + y * w, up, s, down, w, minimum)
                    }
                }
            }
        }
        return out
    }

    @inline(__always)
    private static func combine(_ a: UInt8, _ b: UInt8, _ c: UInt8, _ minimum: Bool) -> UInt8 {
        minimum ? a & b & c : a | b | c
    }

    /// d[i] = a[i] op b[i] op c[i] for i < n, one loop per op.
    @inline(__always)
    private static func combine(_ d: UnsafeMutablePointer<UInt8>, _ a: UnsafePointer<UInt8>, _ b: UnsafePointer<UInt8>,
                                _ c: UnsafePointer<UInt8>, _ n: Int, _ minimum: Bool) {
        guard n > 0 else { return }
        if minimum {
            for i in 0..<n { d[i] = a[i] & b[i] & c[i] }
        } else {
            for i in 0..<n { d[i] = a[i] | b[i] | c[i] }
        }
    }
}
