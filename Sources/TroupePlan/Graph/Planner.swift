public import TroupeManifest
import TroupeSupport

/// What the planner needs besides the manifest.
public struct PlanOptions: Sendable {
    /// `--provider`: replaces `provider.use`.
    public var provider: ProviderKind?
    /// The state folder (`.troupe/` beside the manifest) for the digest cache.
    public var stateDirectory: String?
    /// Measures a local video's duration in seconds (the media engine's probe).
    public var probeDuration: (@Sendable (String) throws -> Double)?
    public var status: any JobStatusSource
    /// A digest cache already open (shared with the media checks); otherwise one is opened in `stateDirectory`.
    public var digests: DigestCache?
    /// Digests the media checks computed moments ago in this process, by resolved path.
    public var knownDigests: [String: String] = [:]
    /// Where exports go, relative to the manifest's folder (`Campaign.outputFolder`).
    public var outputFolder = "out"

    public init(provider: ProviderKind? = nil, stateDirectory: String? = nil,
                probeDuration: (@Sendable (String) throws -> Double)? = nil,
                status: any JobStatusSource = LockStatus(nil)) {
        self.provider = provider
        self.stateDirectory = stateDirectory
        self.probeDuration = probeDuration
        self.status = status
    }
}


/// Expands a validated manifest into the job DAG of DESIGN §3 — prepare → upload → element →
/// render → post → export — with content keys and prices.
public struct Planner {
    let manifest: Manifest
    let matrix: RenderMatrix
    let outputs: [ResolvedOutput]
    let options: PlanOptions
    let provider: ProviderKind
    let digests: DigestCache?

    var jobs: [Job] = []
    var diagnostics: [Diagnostic] = []
    private var uploadByKey: [String: Int] = [:]
    /// Prepare, element, render and post jobs by key: one node per key (DESIGN §3).
    private var jobByKey: [String: Int] = [:]

    public init(manifest: Manifest, matrix: RenderMatrix, outputs: [ResolvedOutput], options: PlanOptions) {
        self.manifest = manifest
        self.matrix = matrix
        self.outputs = outputs
        self.options = options
        self.provider = options.provider ?? manifest.provider.use
        self.digests = options.digests ?? options.stateDirectory.map { DigestCache(directory: $0) }
    }

    /// The plan, or nil with diagnostics when media cannot be identified or priced.
    public mutating func plan() -> (Plan?, [Diagnostic]) {
        let table: PriceTable
        let kling: PriceTable
        do {
            table = try PriceTable.forManifest(manifest, provider: provider)
            kling = try PriceTable.builtIn(.kling)
        } catch {
            return (nil, [diagnostic(manifest.provider.mark, "pricing", "\(error)", hint: "reinstall troupe")])
        }
        for w in digests?.warnings ?? [] {
            diagnostics.append(Diagnostic(file: manifest.path, at: .start, severity: .warning, code: "digest-cache", message: w))
        }

        let images = manifest.characters.map { identify($0.image, sha: $0.sha256, at: $0.imageMark) }
        let clipSources = manifest.clips.map { identify($0.video, sha: $0.sha256, at: $0.videoMark) }
        let durations = manifest.clips.enumerated().map { k, clip in duration(of: clip, source: clipSources[k]) }
        let elementVideos: [MediaInput?] = manifest.elements.map { e in
            if case .fromVideo(let src, let sha, _) = e.source { return identify(src, sha: sha, at: e.sourceMark) }
            return nil
        }
        guard !diagnostics.contains(where: { $0.severity == .error }) else { return (nil, diagnostics) }
        try? digests?.save()
        noteSameImages(images)

        // prepare + upload for clips
        var clipKey = [String](repeating: "", count: manifest.clips.count)
        var clipDeps = [[Int]](repeating: [], count: manifest.clips.count)
        var seconds = [Int](repeating: 0, count: manifest.clips.count)
        for (k, clip) in manifest.clips.enumerated() {
            guard let source = clipSources[k], let d = durations[k] else { continue }
            let prepared = clip.trim.map { $0.value.upperBound - $0.value.lowerBound } ?? d
            seconds[k] = PriceTable.billedSeconds(prepared)
            if clip.trim != nil || clip.conform {
                var key = ContentKey(kind: "prepare")
                key.add("source", source.sha256)
                if let t = clip.trim?.value {
                    key.add("trim_start", t.lowerBound)
                    key.add("trim_end", t.upperBound)
                }
                key.add("conform", clip.conform)
                let p = addOnce(Job(id: "prepare:\(clip.name)", kind: .prepare, key: key.hex, deps: [],
                                    subject: .prepare(clip: k, source: source, trim: clip.trim?.value, conform: clip.conform)),
                                name: clip.name)
                clipKey[k] = jobs[p].key
                clipDeps[k] = [p]
                if provider.isRemote { clipDeps[k] = [upload(id: "clip/\(clip.name)", input: nil, fromJob: p)] }
            } else {
                clipKey[k] = source.sha256
                if provider.isRemote && !source.source.isRemote {
                    clipDeps[k] = [upload(id: "clip/\(clip.name)", input: source, fromJob: nil)]
                }
            }
        }

        noteSameClips(clipKey)

        // uploads of images
        var imageDeps = [[Int]](repeating: [], count: manifest.characters.count)
        if provider.isRemote {
            for (c, ch) in manifest.characters.enumerated() {
                guard let img = images[c], !img.source.isRemote else { continue }
                imageDeps[c] = [upload(id: "image/\(ch.name)", input: img, fromJob: nil)]
            }
        }

        // elements used by at least one cell
        let elementIndex = Dictionary(manifest.elements.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        var usedElements = Set<Int>()
        for (c, ch) in manifest.characters.enumerated() {
            guard let name = ch.element?.value, let e = elementIndex[name] else { continue }
            if matrix.blocks.contains(where: { $0.characterIn[c] && $0.clipIn.contains(true) }) { usedElements.insert(e) }
        }
        var elementRef = [String](repeating: "", count: manifest.elements.count)
        var elementJob = [Int?](repeating: nil, count: manifest.elements.count)
        for (e, element) in manifest.elements.enumerated() {
            switch element.source {
            case .existing(let id):
                elementRef[e] = "id:\(id)"
            case .fromVideo:
                guard usedElements.contains(e), let video = elementVideos[e] else { continue }
                var key = ContentKey(kind: "element")
                key.add("refer_video", video.sha256)
                key.add("description", element.description ?? "")
                key.add("provider", providerIdentity)
                var deps: [Int] = []
                if provider.isRemote && !video.source.isRemote {
                    deps = [upload(id: "element/\(element.name)", input: video, fromJob: nil)]
                }
                let rate = table.element
                var job = Job(id: "element:\(element.name)", kind: .element, key: key.hex, deps: deps,
                              roles: deps.map { _ in .video }, subject: .element(e))
                job.units = rate.price(seconds: 0)
                let j = addOnce(job, name: element.name)
                elementRef[e] = jobs[j].key
                elementJob[e] = j
            }
        }

        // renders, block by block (blocks are disjoint)
        let nk = matrix.clipCount
        // c * clipCount + k -> render job index (-1: no render); flat, since a million cells is normal.
        var renderJob = [Int](repeating: -1, count: matrix.characterCount * nk)
        var renderOrder: [Int] = []
        renderOrder.reserveCapacity(matrix.cellCount)
        for (b, block) in matrix.blocks.enumerated() {
            let s = block.settings
            let rate: PriceRate
            do { rate = try table.renderRate(model: s.model, mode: s.mode) } catch {
                diagnostics.append(diagnostic(manifest.renders[b].mark, "no-price", "\(error)",
                                              hint: "add `pricing: {render: {\(s.model.rawValue)/\(s.mode.rawValue): {per_second: …}}}` or use another model"))
                continue
            }
            let klingRate = try? kling.renderRate(model: s.model, mode: s.mode)
            let chars = block.characterIn.indices.filter { block.characterIn[$0] }
            let clips = block.clipIn.indices.filter { block.clipIn[$0] }
            // The block's settings are the same for all its cells: encode them once.
            var common = ContentKey(kind: "render")
            common.add("provider", provider.rawValue)
            common.add("model", s.model.rawValue)
            common.add("mode", s.mode.rawValue)
            common.add("orientation", s.orientation.rawValue)
            common.add("keep_sound", s.keepSound)
            common.add("prompt", s.prompt)
            common.add("watermark", s.watermark)
            // The block's cells, then their keys on every core (hashing is most of planning).
            var cells: [(c: Int, k: Int)] = []
            for c in chars where images[c] != nil {
                for k in clips where !block.excludedCells.contains(c * nk + k) { cells.append((c, k)) }
            }
            let elementOf: [Int: (key: String, job: Int?)] = Dictionary(uniqueKeysWithValues: chars.compactMap { c in
                guard let name = manifest.characters[c].element?.value, let e = elementIndex[name] else { return nil }
                return (c, (elementRef[e], elementJob[e]))
            })
            let keys = parallelMap(cells.count, inlineBelow: 2_000) { [cells, common, clipKey, images] i in
                let (c, k) = cells[i]
                var own = ContentKey(kind: "render")
                own.add("clip", clipKey[k])
                own.add("element", elementOf[c]?.key ?? "none")
                own.add("image", images[c]!.sha256)
                return common.hex(adding: own)
            }
            for (i, (c, k)) in cells.enumerated() {
                if let shared = jobByKey[keys[i]] {
                    // Identical inputs: the cell takes the render another cell already has.
                    share(shared, manifest.characters[c].name + "/" + manifest.clips[k].name)
                    renderJob[c * nk + k] = shared
                    renderOrder.append(c * nk + k)
                    continue
                }
                let elementDeps = elementOf[c]?.job.map { [$0] } ?? []
                var job = Job(id: "render:" + manifest.characters[c].name + "/" + manifest.clips[k].name, kind: .render,
                              key: keys[i], deps: imageDeps[c] + clipDeps[k] + elementDeps,
                              roles: imageDeps[c].map { _ in .image } + clipDeps[k].map { _ in .clip } + elementDeps.map { _ in .element },
                              subject: .render(character: c, clip: k, block: b, settings: s))
                job.seconds = seconds[k]
                job.units = rate.price(seconds: seconds[k])
                job.klingUnits = klingRate?.price(seconds: seconds[k]) ?? 0
                let j = add(job)
                jobByKey[keys[i]] = j
                renderJob[c * nk + k] = j
                renderOrder.append(c * nk + k)
            }
        }
        guard !diagnostics.contains(where: { $0.severity == .error }) else { return (nil, diagnostics) }
        noteSharedRenders()

        // post-steps in dependency order, then exports
        var postJob = [Int?](repeating: nil, count: outputs.count)
        // Planned seconds of each output (nil: unknown): a render lasts as long as its
        // prepared clip (motion control follows the clip), an output as its inputs, trimmed.
        var outputSeconds = [Double?](repeating: nil, count: outputs.count)
        let clips = manifest.clips
        let clipSeconds = { (k: Int) -> Double? in
            clips[k].trim.map { $0.value.upperBound - $0.value.lowerBound } ?? durations[k]
        }
        for o in topologicalOrder() {
            let out = outputs[o]
            outputSeconds[o] = checkTrim(out, inputs: out.inputs.map { input -> Double? in
                switch input {
                case .render(_, let k): clipSeconds(k)
                case .output(let p): outputSeconds[p]
                }
            })
            var deps: [Int] = []
            for input in out.inputs {
                switch input {
                // A shared render is still one input per cell: a reel of two identical cells plays it twice.
                case .render(let c, let k): if renderJob[c * nk + k] >= 0 { deps.append(renderJob[c * nk + k]) }
                case .output(let p): if let j = postJob[p] { deps.append(j) }
                }
            }
            var key = ContentKey(kind: "post")
            key.add("op", "concat")
            key.add("inputs", keys: deps.map { jobs[$0].key })
            if let t = out.trim {
                key.add("trim_start", t.lowerBound)
                key.add("trim_end", t.upperBound)
                // 2: trims from 0 made before it were black (fixed in the media engine); a
                // local step, so its key moves and cached wrong outputs are made again.
                key.add("trim_engine", 2)
            }
            postJob[o] = addOnce(Job(id: "post:\(out.name)", kind: .post, key: key.hex, deps: deps, roles: deps.map { _ in .input },
                                     subject: .post(output: o)),
                                 name: out.name)
        }
        let exportPaths = renderOrder.map { cell in
            options.outputFolder + "/renders/" + manifest.characters[cell / nk].name + "/" + manifest.clips[cell % nk].name + ".mp4"
        }
        let renderKeys = renderOrder.map { jobs[renderJob[$0]].key }
        let exportKeys = parallelMap(renderOrder.count, inlineBelow: 2_000) { i in Self.exportKey(input: renderKeys[i], path: exportPaths[i]) }
        jobs.reserveCapacity(jobs.count + renderOrder.count + outputs.count)
        for (i, cell) in renderOrder.enumerated() {
            jobs.append(Job(id: "export:" + exportPaths[i], kind: .export, key: exportKeys[i], deps: [renderJob[cell]], roles: [.source],
                            subject: .export(path: exportPaths[i])))
        }
        for (o, j) in postJob.enumerated() {
            guard let j else { continue }
            addExport(of: j, path: options.outputFolder + "/\(outputs[o].name).mp4")
        }

        for i in jobs.indices { jobs[i].status = options.status.status(ofKey: jobs[i].key, kind: jobs[i].kind) }
        let effective = { () -> ProviderSettings in
            var p = manifest.provider
            p.use = provider
            return p
        }()
        var plan = Plan(manifest: manifest, provider: effective, table: table, jobs: jobs, outputs: outputs)
        plan.outputFolder = options.outputFolder
        return (plan, diagnostics)
    }

    // MARK: - Identical inputs (notes, not errors: sharing is right, but maybe not meant)

    /// Two characters whose images are the same bytes.
    private mutating func noteSameImages(_ images: [MediaInput?]) {
        var first: [String: Int] = [:]
        for (c, image) in images.enumerated() {
            guard let sha = image?.sha256 else { continue }
            guard let f = first[sha] else { first[sha] = c; continue }
            let a = manifest.characters[f], b = manifest.characters[c]
            diagnostics.append(Diagnostic(
                file: manifest.path, at: b.imageMark, severity: .note, code: "same-content",
                message: "character '\(b.name)' has the same image as '\(a.name)' (identical bytes)",
                hint: "cells that differ only in these characters are one render, paid once; use another image if you meant two looks",
                related: [.init(file: manifest.path, at: a.imageMark,
                                message: "'\(a.name)' uses the same image here")]))
        }
    }

    /// Two clips that prepare to the same bytes (same source, trim and conform).
    private mutating func noteSameClips(_ clipKey: [String]) {
        var first: [String: Int] = [:]
        for (k, key) in clipKey.enumerated() where !key.isEmpty {
            guard let f = first[key] else { first[key] = k; continue }
            let a = manifest.clips[f], b = manifest.clips[k]
            diagnostics.append(Diagnostic(
                file: manifest.path, at: b.videoMark, severity: .note, code: "same-content",
                message: "clip '\(b.name)' is the same video as '\(a.name)' (identical bytes\(b.trim == nil ? "" : " and trim"))",
                hint: "cells that differ only in these clips are one render, paid once; trim it differently or use another take if you meant two",
                related: [.init(file: manifest.path, at: a.videoMark,
                                message: "'\(a.name)' uses the same video here")]))
        }
    }

    /// Cells that share a render, at the block of each later cell; a long list is cut short.
    private mutating func noteSharedRenders() {
        let limit = 10
        var noted = 0, more = 0
        for job in jobs where job.kind == .render && job.cells.count > 1 {
            guard case .render(_, _, let firstBlock, _) = job.subject else { continue }
            for cell in job.cells.dropFirst() {
                guard noted < limit else { more += 1; continue }
                noted += 1
                let block = blockMark(ofCell: cell) ?? manifest.renders[firstBlock].mark
                let origin = manifest.renders[firstBlock].mark
                // The other cell's block, when it is another one.
                let related: [Diagnostic.Related] = origin == block ? []
                    : [.init(file: manifest.path, at: origin, message: "'\(job.name)' is rendered by this block")]
                diagnostics.append(Diagnostic(
                    file: manifest.path, at: block, severity: .note, code: "shared-render",
                    message: "cell '\(cell)' has the same inputs and settings as '\(job.name)': one render, paid once, exported to both",
                    hint: "to get two different takes, give one of them another prompt (`with: {prompt: …}` in its own block)",
                    related: related))
            }
        }
        if more > 0 {
            diagnostics.append(Diagnostic(file: manifest.path, at: manifest.renders[0].mark, severity: .note, code: "shared-render",
                                          message: "\(more) more cell(s) share a render with another cell (`troupe plan --json` lists them as `cells`)"))
        }
    }

    private func blockMark(ofCell cell: String) -> Mark? {
        guard let slash = cell.firstIndex(of: "/") else { return nil }
        let ch = cell[..<slash], cl = cell[cell.index(after: slash)...]
        guard let c = manifest.characters.firstIndex(where: { $0.name == ch }),
              let k = manifest.clips.firstIndex(where: { $0.name == cl }) else { return nil }
        return matrix.block(character: c, clip: k).map { manifest.renders[$0].mark }
    }

    // MARK: - Helpers

    private var providerIdentity: String {
        provider == .kling ? "kling@\(manifest.provider.region.rawValue)" : provider.rawValue
    }

    /// An output's trim that ends after its inputs do (planned durations) fails at run time:
    /// said now, at the trim, with the length there is. Returns the output's planned seconds.
    private mutating func checkTrim(_ out: ResolvedOutput, inputs: [Double?]) -> Double? {
        let known = inputs.compactMap { $0 }
        let total: Double? = known.count == inputs.count ? known.reduce(0, +) : nil
        guard let trim = out.trim else { return total }
        guard let total else { return nil }
        if trim.upperBound > total + 0.01, let mark = manifest.outputs[out.spec].trim?.mark {
            let seconds = { (x: Double) in x == x.rounded() ? String(Int(x)) : String(format: "%.2f", x) }
            diagnostics.append(diagnostic(mark, "trim-too-long",
                "output '\(out.name)' is trimmed to end at \(seconds(trim.upperBound)) s, but its inputs last \(seconds(total)) s",
                hint: "end the trim at \(seconds(total)) or earlier, or concatenate more inputs"))
        }
        return min(trim.upperBound, total) - min(trim.lowerBound, total)
    }

    private func diagnostic(_ mark: Mark, _ code: String, _ message: String, hint: String? = nil) -> Diagnostic {
        Diagnostic(file: manifest.path, at: mark, code: code, message: message, hint: hint)
    }

    private mutating func add(_ job: Job) -> Int {
        jobs.append(job)
        return jobs.count - 1
    }

    /// Adds a job unless one with its key exists; then `name` joins that job's names.
    private mutating func addOnce(_ job: Job, name: String) -> Int {
        if let existing = jobByKey[job.key] {
            share(existing, name)
            return existing
        }
        let j = add(job)
        jobByKey[job.key] = j
        return j
    }

    private mutating func share(_ j: Int, _ name: String) {
        if jobs[j].cells.isEmpty { jobs[j].cells = [jobs[j].name] }
        jobs[j].cells.append(name)
    }

    private mutating func addExport(of j: Int, path: String) {
        jobs.append(Job(id: "export:" + path, kind: .export, key: Self.exportKey(input: jobs[j].key, path: path),
                        deps: [j], roles: [.source], subject: .export(path: path)))
    }

    static func exportKey(input: String, path: String) -> String {
        var key = ContentKey(kind: "export")
        key.add("input", keys: [input])
        key.add("path", path)
        return key.hex
    }

    /// One upload job per content and store: the same bytes are uploaded once.
    private mutating func upload(id: String, input: MediaInput?, fromJob: Int?) -> Int {
        var key = ContentKey(kind: "upload")
        key.add("content", input?.sha256 ?? jobs[fromJob!].key)
        if let s3 = manifest.uploads {
            key.add("store", "s3:\(s3.endpoint ?? "aws:" + s3.region)/\(s3.bucket)/\(s3.prefix)")
        }
        let hex = key.hex
        if let existing = uploadByKey[hex] { return existing }
        let j = add(Job(id: "upload:\(id)", kind: .upload, key: hex,
                        deps: fromJob.map { [$0] } ?? [], roles: fromJob.map { _ in [.source] } ?? [], subject: .upload(input, fromJob: fromJob)))
        uploadByKey[hex] = j
        return j
    }

    /// A medium's identity: the declared digest of a URL, or the hash of a local file.
    private mutating func identify(_ source: MediaSource, sha: String?, at mark: Mark) -> MediaInput? {
        switch source {
        case .remote:
            guard let sha else { return nil }  // reported by the loader
            return MediaInput(source: source, sha256: sha)
        case .local(let written, let resolved):
            if let known = options.knownDigests[resolved] { return MediaInput(source: source, sha256: known) }
            do {
                let hex = try digests?.digest(ofFile: resolved) ?? DigestCache.hashFile(resolved)
                return MediaInput(source: source, sha256: hex)
            } catch {
                diagnostics.append(diagnostic(mark, "unreadable-media", "cannot read '\(written)': \(error)",
                                              hint: "check that the file exists and is readable"))
                return nil
            }
        }
    }

    private mutating func duration(of clip: Clip, source: MediaInput?) -> Double? {
        if let d = clip.duration { return d }
        guard case .local(let written, let resolved) = clip.video, source != nil else { return nil }
        guard let probe = options.probeDuration else {
            diagnostics.append(diagnostic(clip.videoMark, "unmeasured-clip", "cannot measure the length of '\(written)'",
                                          hint: "this build has no media probe; declare the clip as a URL with `duration:`"))
            return nil
        }
        do { return try probe(resolved) } catch {
            diagnostics.append(diagnostic(clip.videoMark, "unreadable-media", "cannot read '\(written)': \(error)",
                                          hint: "check that the file is an mp4/mov video"))
            return nil
        }
    }

    /// Outputs ordered so that each comes after the outputs it uses (the loader rejected cycles).
    private func topologicalOrder() -> [Int] {
        var order: [Int] = []
        var state = [UInt8](repeating: 0, count: outputs.count)
        for start in outputs.indices where state[start] == 0 {
            var stack: [(Int, Bool)] = [(start, false)]
            while let (o, expanded) = stack.popLast() {
                if expanded {
                    if state[o] != 2 {
                        state[o] = 2
                        order.append(o)
                    }
                    continue
                }
                guard state[o] == 0 else { continue }
                state[o] = 1
                stack.append((o, true))
                for case .output(let p) in outputs[o].inputs.reversed() where state[p] == 0 { stack.append((p, false)) }
            }
        }
        return order
    }
}
