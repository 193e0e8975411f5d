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
    var jobByKey: [String: Int] = [:]

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
        let clips = prepareClips(clipSources, durations)
        noteSameClips(clips.keys)
        let imageDeps = uploadImages(images)
        let elements = planElements(elementVideos, table: table)
        let renders = planRenders(images: images, clips: clips, imageDeps: imageDeps, elements: elements, table: table, kling: kling)
        guard !diagnostics.contains(where: { $0.severity == .error }) else { return (nil, diagnostics) }
        noteSharedRenders()
        let posts = planOutputs(renders, durations: durations)
        addExports(renders, posts)

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


    /// Prepare (trim/conform) and upload jobs of the clips: each clip's key, dependencies and billed seconds.
    private mutating func prepareClips(_ clipSources: [MediaInput?], _ durations: [Double?]) -> PreparedClips {
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
        return PreparedClips(keys: clipKey, deps: clipDeps, seconds: seconds)
    }

    /// Uploads of the characters' images, for a remote provider.
    private mutating func uploadImages(_ images: [MediaInput?]) -> [[Int]] {
        var imageDeps = [[Int]](repeating: [], count: manifest.characters.count)
        if provider.isRemote {
            for (c, ch) in manifest.characters.enumerated() {
                guard let img = images[c], !img.source.isRemote else { continue }
                imageDeps[c] = [upload(id: "image/\(ch.name)", input: img, fromJob: nil)]
            }
        }
        return imageDeps
    }

    /// The elements at least one cell uses: created once from their reference video, or named by id.
    private mutating func planElements(_ elementVideos: [MediaInput?], table: PriceTable) -> PlannedElements {
        if provider == .fal {
            // fal's motion-control endpoint takes an image and a video, no element: identity
            // comes from the image alone, so no element job is planned or paid.
            for ch in manifest.characters {
                guard let element = ch.element else { continue }
                var d = diagnostic(element.mark, "fal-no-element",
                                   "fal's motion-control endpoint takes no element: '\(element.value)' is not sent, the image alone gives \(ch.name) its identity",
                                   hint: "render with provider kling to bind the element, or drop `element:` for fal")
                d.severity = .warning
                diagnostics.append(d)
            }
            return PlannedElements(index: [:], ref: [String](repeating: "", count: manifest.elements.count),
                                   job: [Int?](repeating: nil, count: manifest.elements.count))
        }
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
        return PlannedElements(index: elementIndex, ref: elementRef, job: elementJob)
    }

    // MARK: - Helpers

    private var providerIdentity: String {
        provider == .kling ? "kling@\(manifest.provider.region.rawValue)" : provider.rawValue
    }

    /// An output's trim that ends after its inputs do (planned durations) fails at run time:
    /// said now, at the trim, with the length there is. Returns the output's planned seconds.
    mutating func checkTrim(_ out: ResolvedOutput, inputs: [Double?]) -> Double? {
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

    func diagnostic(_ mark: Mark, _ code: String, _ message: String, hint: String? = nil) -> Diagnostic {
        Diagnostic(file: manifest.path, at: mark, code: code, message: message, hint: hint)
    }

    mutating func add(_ job: Job) -> Int {
        jobs.append(job)
        return jobs.count - 1
    }

    /// Adds a job unless one with its key exists; then `name` joins that job's names.
    mutating func addOnce(_ job: Job, name: String) -> Int {
        if let existing = jobByKey[job.key] {
            share(existing, name)
            return existing
        }
        let j = add(job)
        jobByKey[job.key] = j
        return j
    }

    mutating func share(_ j: Int, _ name: String) {
        if jobs[j].cells.isEmpty { jobs[j].cells = [jobs[j].name] }
        jobs[j].cells.append(name)
    }

    mutating func addExport(of j: Int, path: String) {
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
    mutating func identify(_ source: MediaSource, sha: String?, at mark: Mark) -> MediaInput? {
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
    func topologicalOrder() -> [Int] {
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
