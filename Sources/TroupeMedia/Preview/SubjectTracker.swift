/// Finds the clip's moving subject, frame by frame, for the preview to put the character on.
///
/// Each preview frame is sampled onto a coarse grid (about 90 rows). The background is the
/// per-cell median of up to 25 frames spread over the clip; a frame's subject is the largest
/// cleaned part of its difference from that background, preferring parts that move (a subject
/// that stops for most of the clip is in the median, and where it stood shows up as a still
/// "ghost" while it is elsewhere). If luma changes everywhere (exposure drift, flicker) the
/// difference is taken on chroma alone; if that fails too (a moving camera, no subject), the
/// track says so and the preview centres the character.
final class SubjectTracker {
    let width: Int, height: Int
    let columns: Int, rows: Int, block: Int
    private var frames: [[UInt8]] = []

    /// Detections on the grid for each frame, or why there are none.
    enum Outcome: Equatable {
        case found([SubjectMask.Part?])
        case noSubject(String)
    }

    /// `width`×`height`: the preview frames' size.
    init(width: Int, height: Int) {
        self.width = width; self.height = height
        block = max(1, height / 90)
        rows = max(1, height / block)
        columns = max(1, width / block)
    }

    var count: Int { frames.count }

    /// Samples one preview frame (yuv420p, the preview's size).
    func add(_ frame: Frame) {
        var grid = [UInt8](repeating: 0, count: columns * rows * 3)
        frame.sample(into: &grid, columns: columns, rows: rows, block: block)
        frames.append(grid)
    }

    /// Adds an already sampled grid (tests).
    func add(grid: [UInt8]) { frames.append(grid) }

    enum Mode: CaseIterable { case full, chroma }

    func detect() -> Outcome {
        guard frames.count >= 3 else { return .noSubject("the clip is too short to find a moving subject") }
        let background = median()
        var reason = "no moving subject found"
        for mode in Mode.allCases {
            switch detect(mode, background: background) {
            case .found(let parts): return .found(parts)
            case .noSubject(let why): if mode == .full { reason = why }
            }
        }
        return .noSubject(reason)
    }

    /// A cell differs when its difference is at least this (sum over the planes used).
    static let threshold = 30

    private func difference(_ a: [UInt8], _ b: [UInt8], _ mode: Mode) -> [UInt8] {
        let cells = columns * rows
        let luma: UInt16 = mode == .full ? 1 : 0, chroma: UInt16 = mode == .full ? 1 : 2
        let threshold = UInt16(Self.threshold)
        @inline(__always) func distance(_ x: UInt8, _ y: UInt8) -> UInt16 { UInt16(max(x, y) &- min(x, y)) }
        return [UInt8](unsafeUninitializedCapacity: cells) { o, count in
            a.withUnsafeBufferPointer { pa in
                b.withUnsafeBufferPointer { pb in
                    let ay = pa.baseAddress!, au = ay + cells, av = au + cells
                    let by = pb.baseAddress!, bu = by + cells, bv = bu + cells
                    // Unsigned 16-bit sums (at most 1275) with no overflow checks: the loop vectorises.
                    for i in 0..<cells {
                        let d = luma &* distance(ay[i], by[i]) &+ chroma &* (distance(au[i], bu[i]) &+ distance(av[i], bv[i]))
                        o[i] = d >= threshold ? 1 : 0
                    }
                }
            }
            count = cells
        }
    }

    private func detect(_ mode: Mode, background: [UInt8]) -> Outcome {
        let cells = columns * rows
        let minArea = max(6, cells / 600)
        var unsteady = 0, seen = 0
        var result: [SubjectMask.Part?] = []
        var previous: SubjectMask.Part?
        for (k, frame) in frames.enumerated() {
            let raw = difference(frame, background, mode)
            let changed = raw.reduce(0) { $0 + Int($1) }
            if changed * 100 > cells * 35 { unsteady += 1 }
            var mask = SubjectMask(columns: columns, rows: rows, cells: raw)
            mask.open()
            mask.close()
            let near = frames[k >= 2 ? k - 2 : min(frames.count - 1, k + 2)]
            let parts = mask.parts(minArea: minArea, motion: difference(frame, near, mode))
            let pick = choose(parts, after: previous)
            if let pick, pick.area * 100 < cells * 70 { seen += 1; previous = pick; result.append(pick) }
            else { result.append(nil) }
        }
        if unsteady * 10 > frames.count * 3 {
            return .noSubject("the whole picture changes (a moving camera or changing light)")
        }
        if seen * 100 < frames.count * 15 { return .noSubject("no moving subject found") }
        return .found(result)
    }

    /// The subject among a frame's parts. The first is the largest moving part; after that, the
    /// part nearest the last subject among the moving ones and the still ones where the subject
    /// was (it stopped, or turns back), ignoring those under half the largest of them. A still
    /// part elsewhere is never taken: it is the ghost a stopped subject leaves in the median.
    private func choose(_ parts: [SubjectMask.Part], after previous: SubjectMask.Part?) -> SubjectMask.Part? {
        let moving = parts.filter { $0.moving * 100 >= $0.area * 15 }
        guard let previous else { return moving.first }
        let candidates = parts.filter { p in
            moving.contains(p) || (p.minX <= previous.maxX && p.maxX >= previous.minX
                                   && p.minY <= previous.maxY && p.maxY >= previous.minY)
        }
        guard let largest = candidates.map(\.area).max() else { return nil }
        func distance(_ p: SubjectMask.Part) -> Double {
            abs(p.centreX - previous.centreX) + abs(p.centreY - previous.centreY)
        }
        return candidates.filter { $0.area * 2 >= largest }.min { distance($0) < distance($1) }
    }

    /// Per-cell median of up to 25 frames spread evenly over the clip.
    private func median() -> [UInt8] {
        let n = frames.count, samples = min(25, n)
        let picked = (0..<samples).map { frames[$0 * n / samples] }
        let size = picked[0].count
        var out = [UInt8](repeating: 0, count: size)
        var values = [UInt8](repeating: 0, count: samples)
        for i in 0..<size {
            for s in 0..<samples { values[s] = picked[s][i] }
            values.sort()
            out[i] = values[samples / 2]
        }
        return out
    }
}
