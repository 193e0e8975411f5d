public import Foundation
import TroupeManifest
public import TroupePlan
public import TroupeState

/// Builds the page model from a plan, the state store's records and the files on disk. No
/// pictures are made here: the builder names the ones the page needs, and the poster store
/// makes them.
public struct ReportBuilder {
    public var plan: Plan
    /// State store rows by job key (empty for a campaign that has never run).
    public var records: [String: JobRecord]
    public var lock: Lockfile?
    /// The folder the page is written to (absolute).
    public var reportDirectory: String
    /// A medium's SHA-256, for naming its picture (nil: no picture).
    public var digest: (String) -> String?
    /// A local clip's length in seconds, for clips without a trim or declared duration.
    public var probeSeconds: (String) -> Double?
    public var fileExists: (String) -> Bool = { FileManager.default.fileExists(atPath: $0) }
    public var now = Date()

    /// Frame width of a cell's poster, in pixels (shown at 160 CSS pixels).
    static let posterWidth = 192
    static let headWidth = 160
    /// Frames in a reel's filmstrip at most (longer reels are sampled evenly).
    static let stripFrames = 24

    public init(plan: Plan, records: [String: JobRecord], lock: Lockfile?, reportDirectory: String,
                digest: @escaping (String) -> String?, probeSeconds: @escaping (String) -> Double?) {
        self.plan = plan
        self.records = records
        self.lock = lock
        self.reportDirectory = reportDirectory
        self.digest = digest
        self.probeSeconds = probeSeconds
    }

    public func build() -> (page: ReportPage, posters: [PosterRequest]) {
        let manifest = plan.manifest
        var posters: [PosterRequest] = []
        let base = manifest.defaults.applied(to: RenderSettings(model: plan.provider.model, mode: plan.provider.mode))
        let exports = ExportIndex(plan)

        // Cells: the manifest's full grid; a cell the plan lacks is excluded.
        var cells: [ReportCell] = []
        cells.reserveCapacity(manifest.characters.count * manifest.clips.count)
        var cellsPerRender: [Int: Int] = [:]
        var renderOfCell: [Int?] = []
        for ch in manifest.characters {
            for clip in manifest.clips {
                var cell = ReportCell(character: ch.name, clip: clip.name, status: .excluded)
                // The export job names its render: render jobs may serve several cells.
                guard let e = exports.cell[ch.name + "/" + clip.name], let r = plan.jobs[e].deps.first,
                      case .export(let path) = plan.jobs[e].subject else {
                    cells.append(cell)
                    renderOfCell.append(nil)
                    continue
                }
                let render = plan.jobs[r]
                cellsPerRender[r, default: 0] += 1
                renderOfCell.append(r)
                let file = manifest.baseDirectory + "/" + path
                fill(&cell, render: render, exportFile: file, base: base)
                if cell.status == .done {
                    let poster = PosterRequest(name: render.key + ".jpg", source: .frame(path: file, at: nil),
                                               width: Self.posterWidth)
                    posters.append(poster)
                    cell.poster = poster.href
                }
                cells.append(cell)
            }
        }
        for i in cells.indices {
            if let r = renderOfCell[i], let n = cellsPerRender[r] { cells[i].sharedWith = n - 1 }
        }

        let characters = manifest.characters.map { ch -> ReportPage.CharacterHead in
            var head = ReportPage.CharacterHead(name: ch.name, image: nil, element: ch.element?.value)
            if case .local(_, let resolved) = ch.image, let sha = digest(resolved) {
                let p = PosterRequest(name: "image-\(sha.prefix(40))-\(Self.headWidth).jpg",
                                      source: .frame(path: resolved, at: nil), width: Self.headWidth)
                posters.append(p)
                head.image = p.href
            }
            return head
        }
        let clips = manifest.clips.map { clip -> ReportPage.ClipHead in
            var head = ReportPage.ClipHead(name: clip.name, poster: nil, seconds: nil)
            if let t = clip.trim?.value { head.seconds = t.upperBound - t.lowerBound }
            else if let d = clip.duration { head.seconds = d }
            if case .local(_, let resolved) = clip.video {
                if head.seconds == nil { head.seconds = probeSeconds(resolved) }
                if let sha = digest(resolved) {
                    let at = clip.trim.map { ($0.value.lowerBound + $0.value.upperBound) / 2 }
                    let p = PosterRequest(name: "clip-\(sha.prefix(40))-\(Int(((at ?? -1) * 1000).rounded())).jpg",
                                          source: .frame(path: resolved, at: at), width: Self.headWidth)
                    posters.append(p)
                    head.poster = p.href
                }
            }
            return head
        }

        let posterOf = Dictionary(cells.compactMap { c in c.renderKey.flatMap { c.poster != nil ? (c.id, $0 + ".jpg") : nil } },
                                  uniquingKeysWith: { a, _ in a })
        let (reels, reelPosters) = buildReels(exports: exports, posterOf: posterOf)
        posters += reelPosters
        let free = plan.table.usdPerUnit == 0 || plan.provider.use == .preview
        let metric: (ReportCell) -> Double = free ? { $0.klingUnits } : { $0.units }
        var page = ReportPage(
            title: manifest.name, provider: plan.provider.use.rawValue, model: plan.provider.model.rawValue,
            mode: plan.provider.mode.rawValue, unit: plan.table.unit, spend: spend(free: free), jobs: jobCounts(),
            lastRun: records.values.map(\.updatedAt).max(), lock: lockState(),
            characters: characters, clips: clips, cells: cells, reels: reels,
            spendByCharacter: [], spendByClip: [],
            chartUnit: free ? "Kling units (what Kling would charge; \(plan.provider.use.rawValue) is free)" : plan.table.unit,
            generated: now)
        page.spendByCharacter = bars(cells, names: characters.map(\.name), by: \.character, metric: metric)
        page.spendByClip = bars(cells, names: clips.map(\.name), by: \.clip, metric: metric)
        let (deliverables, deliverablePosters) = buildDeliverables()
        page.deliverables = deliverables
        posters += deliverablePosters
        return (page, dedupe(posters))
    }

    // MARK: - Cells

    private func fill(_ cell: inout ReportCell, render: Job, exportFile: String, base: RenderSettings) {
        let record = records[render.key]
        cell.renderKey = render.key
        cell.units = render.units
        cell.klingUnits = render.klingUnits
        cell.seconds = render.seconds
        if case .render(let c, _, _, let s) = render.subject {
            if s.model != base.model { cell.differences.append("model \(s.model.rawValue)") }
            if s.mode != base.mode { cell.differences.append("mode \(s.mode.rawValue)") }
            if s.orientation != base.orientation { cell.differences.append("orientation \(s.orientation.rawValue)") }
            cell.element = plan.manifest.characters[c].element?.value
        }
        // Locked or cached by an earlier run, or fetched: rendered (whatever other statuses the
        // planner learns to give, such as a task still in flight).
        let finished = render.status == .locked || render.status == .cached || record?.state == .fetched
        let exported = fileExists(exportFile)
        switch record?.state {
        case _ where finished && exported:
            cell.status = .done
            cell.video = RelativePath.from(reportDirectory, to: exportFile)
            if let charged = record?.unitsCharged { cell.units = charged }
        case .failed?:
            cell.status = .failed
            cell.reason = record?.lastError ?? "the provider gave no reason"
        case .stalled?:
            cell.status = .failed
            cell.reason = record?.lastError ?? "the provider did not finish before polling's deadline"
        case .submitting?, .submitted?, .succeeded?:
            cell.status = .inFlight
        case .inDoubt?:
            cell.status = .inDoubt
            cell.reason = record?.lastError ?? "its submit's answer was lost; it may have been paid"
        default:
            // Never run, or finished without its export on disk: the next run makes it (a
            // locked or cached render without paying again).
            cell.status = .new
            if finished { cell.reason = "rendered; troupe run restores its export without paying" }
        }
    }

    // MARK: - Reels

    /// `posterOf`: a done cell's poster name, by cell id (the filmstrips are made of them).
    private func buildReels(exports: ExportIndex, posterOf: [String: String]) -> ([ReportPage.Reel], [PosterRequest]) {
        let manifest = plan.manifest
        var reels: [ReportPage.Reel] = []
        var posters: [PosterRequest] = []
        var postJob: [Int: Int] = [:]
        for (j, job) in plan.jobs.enumerated() { if case .post(let o) = job.subject { postJob[o] = j } }
        // Deliverables have a section of their own.
        for (o, output) in plan.outputs.enumerated() where manifest.outputs[output.spec].delivery == nil {
            let ids = flatten(o)
            var reel = ReportPage.Reel(name: output.name, video: nil, filmstrip: nil, renders: ids)
            if let p = postJob[o], let e = exports.post[p], case .export(let path) = plan.jobs[e].subject,
               case let file = manifest.baseDirectory + "/" + path, fileExists(file) {
                reel.video = RelativePath.from(reportDirectory, to: file)
                let sources = sample(ids).compactMap { posterOf[$0] }
                if !sources.isEmpty, sources.count == min(ids.count, Self.stripFrames) {
                    let strip = PosterRequest(name: "strip-\(plan.jobs[p].key).jpg", source: .strip(sources), width: 160)
                    posters.append(strip)
                    reel.filmstrip = strip.href
                }
            }
            reels.append(reel)
        }
        return (reels, posters)
    }

    /// The render ids an output plays, in order, through the outputs it uses.
    private func flatten(_ o: Int) -> [String] {
        let m = plan.manifest
        return plan.outputs[o].inputs.flatMap { input -> [String] in
            switch input {
            case .render(let c, let k): return [m.characters[c].name + "/" + m.clips[k].name]
            case .output(let p): return flatten(p)
            }
        }
    }

    private func sample(_ ids: [String]) -> [String] {
        guard ids.count > Self.stripFrames else { return ids }
        return (0..<Self.stripFrames).map { ids[$0 * ids.count / Self.stripFrames] }
    }

    // MARK: - Totals

    private func spend(free: Bool) -> ReportPage.Spend {
        var s = ReportPage.Spend()
        s.budget = plan.manifest.budget?.maxUnits
        s.usdPerUnit = plan.table.usdPerUnit.flatMap { $0 > 0 ? $0 : nil }
        var kling = 0.0
        for job in plan.jobs where job.kind.isPaid {
            s.planned += job.units
            kling += job.klingUnits
            if job.status != .locked && job.status != .cached && records[job.key]?.state != .fetched { s.toSpend += job.units }
            s.spent += records[job.key]?.unitsCharged ?? 0
        }
        if free { s.klingPlanned = kling }
        return s
    }

    private func jobCounts() -> ReportPage.JobCounts {
        var n = ReportPage.JobCounts()
        n.total = plan.jobs.count
        for job in plan.jobs {
            switch records[job.key]?.state {
            case .fetched?: n.done += 1
            case .failed?, .stalled?: n.failed += 1
            case .submitting?, .submitted?, .succeeded?: n.inFlight += 1
            case .inDoubt?: n.inDoubt += 1
            default: if job.status == .locked || job.status == .cached { n.done += 1 } else { n.pending += 1 }
            }
        }
        return n
    }

    private func lockState() -> ReportPage.LockState {
        let renders = plan.jobs.filter { $0.kind == .render }
        let locked = Set(lock?.renders.values.map(\.key) ?? [])
        return ReportPage.LockState(exists: lock != nil, lockedRenders: renders.filter { locked.contains($0.key) }.count,
                                    plannedRenders: renders.count)
    }

    /// Units by character or clip; a render serving several cells is split evenly among them.
    private func bars(_ cells: [ReportCell], names: [String], by axis: KeyPath<ReportCell, String>,
                      metric: (ReportCell) -> Double) -> [ReportPage.Bar] {
        var spent: [String: Double] = [:], toSpend: [String: Double] = [:]
        for cell in cells where cell.status != .excluded {
            let units = metric(cell) / Double(cell.sharedWith + 1)
            if cell.status == .done { spent[cell[keyPath: axis], default: 0] += units }
            else { toSpend[cell[keyPath: axis], default: 0] += units }
        }
        return names.map { ReportPage.Bar(name: $0, spent: spent[$0] ?? 0, toSpend: toSpend[$0] ?? 0) }
    }

    private func dedupe(_ posters: [PosterRequest]) -> [PosterRequest] {
        var seen = Set<String>()
        return posters.filter { seen.insert($0.name).inserted }
    }
}
