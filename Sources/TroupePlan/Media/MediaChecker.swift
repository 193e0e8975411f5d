public import TroupeManifest
import Foundation
import TroupeMedia
import TroupeSupport

/// Probes every local medium of a manifest and checks it against Kling's input limits
/// before anything is spent: the checks that need the media engine, reported at the
/// manifest entry that names the file.
public final class MediaChecker: Sendable {
    /// What the checks learn, shared with the planner's probe closure (which may run on any thread).
    private struct State {
        var durations: [String: Double] = [:]
        var probes: [String: MediaInfo] = [:]
        var dirty = false
        var digestsByPath: [String: String] = [:]
        var probedFiles = 0
        var deliveryFilesProbed = 0
    }

    private let state: Locked<State>
    /// Probe results by content digest, in `.troupe/probes`, so a re-plan of unchanged
    /// media reads no media at all (digests come from the stat-keyed digest cache).
    private let cacheFile: String?
    private let digests: DigestCache?
    /// Digests of the local media checked, by resolved path, for the planner to reuse.
    public var digestsByPath: [String: String] { state.withLock { $0.digestsByPath } }
    /// Files actually opened and probed (not answered from the probe cache).
    public var probedFiles: Int { state.withLock { $0.probedFiles } }
    /// Deliverables' finishing files opened (each distinct file once per check; not cached).
    public var deliveryFilesProbed: Int { state.withLock { $0.deliveryFilesProbed } }
    func noteProbed(_ n: Int) { state.withLock { $0.deliveryFilesProbed += n } }

    public init(stateDirectory: String? = nil, digests: DigestCache? = nil) {
        cacheFile = stateDirectory.map { $0 + "/probes" }
        self.digests = digests ?? stateDirectory.map { DigestCache(directory: $0) }
        var state = State()
        if let cacheFile, let data = FileManager.default.contents(atPath: cacheFile) {
            state.probes = Self.decode(data)
        }
        self.state = Locked(state)
    }

    // One line per content digest, tab-separated fields in a fixed order: a re-plan of 10,000
    // files reads it every time, and a JSON decoder would cost more than the rest of the re-plan.
    static let header = "troupe-probes 1"

    static func encode(_ probes: [String: MediaInfo]) -> Data {
        var text = header + "\n"
        for (sha, i) in probes.sorted(by: { $0.key < $1.key }) {
            let fields: [String] = [sha, i.container, i.fileExtension, "\(i.durationSeconds)", "\(i.width)", "\(i.height)",
                                    "\(i.rotation)", "\(i.fps)", i.videoCodec, i.audioCodec ?? "", i.hasAudio ? "1" : "0",
                                    i.audioSampleRate.map(String.init) ?? "", i.audioChannels.map(String.init) ?? "",
                                    "\(i.frameCount)", "\(i.sizeBytes)", i.isImage ? "1" : "0"]
            guard !fields.contains(where: { $0.contains("\t") || $0.contains("\n") }) else { continue }
            text += fields.joined(separator: "\t") + "\n"
        }
        return Data(text.utf8)
    }

    /// Unreadable lines are skipped: those files are simply probed again.
    static func decode(_ data: Data) -> [String: MediaInfo] {
        let bytes = [UInt8](data)
        let lines = bytes.split(separator: UInt8(ascii: "\n"))
        guard let first = lines.first, first.elementsEqual(header.utf8) else { return [:] }
        var out: [String: MediaInfo] = [:]
        out.reserveCapacity(lines.count)
        for line in lines.dropFirst() {
            let f = line.split(separator: UInt8(ascii: "\t"), omittingEmptySubsequences: false)
                .map { String(decoding: $0, as: UTF8.self) }
            guard f.count == 16, let duration = Double(f[3]), let w = Int(f[4]), let h = Int(f[5]), let rot = Int(f[6]),
                  let fps = Double(f[7]), let frames = Int(f[13]), let size = Int(f[14]) else { continue }
            out[f[0]] = MediaInfo(container: f[1], fileExtension: f[2], durationSeconds: duration,
                                  width: w, height: h, rotation: rot, fps: fps, videoCodec: f[8],
                                  audioCodec: f[9].isEmpty ? nil : f[9], hasAudio: f[10] == "1",
                                  audioSampleRate: Int(f[11]), audioChannels: Int(f[12]), frameCount: frames,
                                  sizeBytes: size, isImage: f[15] == "1")
        }
        return out
    }

    /// Probes a file, or answers from the probe cache when its content was probed before.
    private func probeCached(_ paths: [String]) -> [Result<MediaInfo, MediaError>] {
        var results = [Result<MediaInfo, MediaError>?](repeating: nil, count: paths.count)
        var misses: [Int] = []
        var shas = [String?](repeating: nil, count: paths.count)
        for (i, path) in paths.enumerated() {
            if let sha = try? digests?.digest(ofFile: path) {
                shas[i] = sha
                let info = state.withLock { state in
                    state.digestsByPath[path] = sha
                    return state.probes[sha]
                }
                if let info {
                    results[i] = .success(info)
                    continue
                }
            }
            misses.append(i)
        }
        let probed = MediaProbe.probeAll(misses.map { paths[$0] })
        state.withLock { state in
            state.probedFiles += misses.count
            for (i, r) in zip(misses, probed) {
                if case .success(let info) = r, let sha = shas[i] {
                    state.probes[sha] = info
                    state.dirty = true
                }
            }
        }
        for (i, r) in zip(misses, probed) { results[i] = r }
        return results.map { $0! }
    }

    /// Writes the probe and digest caches if they changed.
    public func save() {
        try? digests?.save()
        guard let cacheFile, let probes = state.withLock({ state in
            defer { state.dirty = false }
            return state.dirty ? state.probes : nil
        }) else { return }
        // Inside the project's .troupe/, never through a symlink (a cache: skipped, not an error).
        guard (try? ProjectFolder(stateDirectory: (cacheFile as NSString).deletingLastPathComponent).checkWritable(cacheFile)) != nil else { return }
        try? AtomicFile.write(Self.encode(probes), to: cacheFile)
    }

    /// Diagnostics for every local image, clip and element video that breaks a limit, and
    /// every deliverable's finishing file of the wrong kind (given `outputs`, a deliverable
    /// keeping the sound of clips that have none). `matrix` nil (the manifest has errors that
    /// left none): clips are checked against the defaults' orientation.
    public func check(_ manifest: Manifest, matrix: RenderMatrix?, outputs: [ResolvedOutput] = []) -> [Diagnostic] {
        var out: [Diagnostic] = []
        func error(_ mark: Mark, _ code: String, _ message: String, hint: String) {
            out.append(Diagnostic(file: manifest.path, at: mark, code: code, message: message, hint: hint))
        }
        let probed = probeCached(manifest.localMediaPaths)
        defer { save() }
        var info: [String: MediaInfo] = [:]
        for (path, result) in zip(manifest.localMediaPaths, probed) {
            if case .success(let i) = result { info[path] = i }
        }
        func probe(_ resolved: String, _ mark: Mark, _ written: String) -> MediaInfo? {
            if let i = info[resolved] { return i }
            // A file that is not there is the loader's diagnostic already.
            guard FileStats.statNow(resolved) != nil else { return nil }
            if let index = manifest.localMediaPaths.firstIndex(of: resolved), case .failure(let e) = probed[index] {
                error(mark, "bad-media", "\(e)", hint: "replace '\(written)' with a readable \(written.hasSuffix(".png") || written.hasSuffix(".jpg") || written.hasSuffix(".jpeg") ? "PNG or JPEG image" : "MP4 or MOV video")")
            }
            return nil
        }

        for c in manifest.characters {
            guard case .local(let written, let resolved) = c.image, let i = probe(resolved, c.imageMark, written) else { continue }
            for problem in i.klingImageViolations() {
                error(c.imageMark, "image-limits", "character '\(c.name)': \(problem)", hint: "Kling takes JPG/PNG images of at least 300 px a side, ≤ 10 MB, aspect 1:2.5 to 2.5:1")
            }
        }
        var clipHasAudio = [Bool?](repeating: nil, count: manifest.clips.count)
        for (k, clip) in manifest.clips.enumerated() {
            guard case .local(let written, let resolved) = clip.video, let i = probe(resolved, clip.videoMark, written) else { continue }
            state.withLock { $0.durations[resolved] = i.durationSeconds }
            clipHasAudio[k] = i.hasAudio
            if let t = clip.trim?.value, t.upperBound > i.durationSeconds + KlingLimits.slack {
                error(clip.trim!.mark, "trim-outside-clip",
                      "trim ends at \(fmt(t.upperBound)) s but clip '\(clip.name)' is \(fmt(i.durationSeconds)) s long",
                      hint: "keep the trim inside the clip: end ≤ \(fmt(i.durationSeconds))")
                continue
            }
            // The strictest orientation among the blocks that use the clip.
            let orientations = matrix.map { Set($0.blocks.filter { $0.clipIn[k] && $0.characterIn.contains(true) }.map(\.settings.orientation)) }
                ?? [manifest.baseSettings.orientation]
            let orientation: Orientation = orientations.contains(.image) ? .image : .video
            for problem in i.klingClipViolations(orientation: orientation, trim: clip.trim?.value) {
                let hint = problem.contains("long") && orientation == .image
                    ? "trim it (clips.\(clip.name).trim) or use orientation: video (up to 30 s)"
                    : problem.contains("px") ? "set `conform: true` on the clip to scale it into the limits" : "trim or replace the clip"
                error(clip.videoMark, "clip-limits", "clip '\(clip.name)': \(problem)", hint: hint)
            }
        }
        for e in manifest.elements {
            guard case .fromVideo(.local(let written, let resolved), _, _) = e.source,
                  let i = probe(resolved, e.sourceMark, written) else { continue }
            for problem in i.klingElementViolations() {
                error(e.sourceMark, "element-limits", "element '\(e.name)': \(problem)", hint: "use a 3–8 s turnaround clip")
            }
        }
        out += checkDeliveryFiles(manifest)
        if let matrix { out += checkOriginalSound(manifest, matrix: matrix, outputs: outputs, clipHasAudio: clipHasAudio) }
        return out
    }

    /// Duration of a probed clip, for the planner (probes on demand if not checked yet).
    public var probeDuration: @Sendable (String) throws -> Double {
        { [self] path in
            if let d = state.withLock({ $0.durations[path] }) { return d }
            return try MediaProbe.probe(path).durationSeconds
        }
    }

    private func fmt(_ d: Double) -> String { NumberText.shortest(d, roundedTo: 2) }
}

extension Manifest {
    /// Resolved paths of every local image, clip and element video, once each.
    var localMediaPaths: [String] {
        var seen = Set<String>()
        var out: [String] = []
        func add(_ s: MediaSource) {
            if case .local(_, let r) = s, seen.insert(r).inserted { out.append(r) }
        }
        for c in characters { add(c.image) }
        for k in clips { add(k.video) }
        for e in elements { if case .fromVideo(let s, _, _) = e.source { add(s) } }
        return out
    }
}
