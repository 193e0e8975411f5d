import TroupeSupport
/// Checks everything that crosses sections — references, the render matrix, outputs — and
/// builds the resolved matrix and outputs the planner works from.
struct ManifestValidator {
    let manifest: Manifest
    var diagnostics: [Diagnostic] = []
    /// Seconds each clip will be billed for (after trim), where known without decoding media.
    var clipSeconds: [Double?]

    private let file: String
    let characterIndex: [String: Int]
    let clipIndex: [String: Int]
    private let elementIndex: [String: Int]

    init(manifest: Manifest, file: String) {
        self.manifest = manifest
        self.file = file
        characterIndex = Dictionary(manifest.characters.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        clipIndex = Dictionary(manifest.clips.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        elementIndex = Dictionary(manifest.elements.enumerated().map { ($1.name, $0) }, uniquingKeysWith: { a, _ in a })
        clipSeconds = manifest.clips.map { clip in
            if let t = clip.trim { return t.value.upperBound - t.value.lowerBound }
            return clip.duration
        }
    }

    mutating func error(_ mark: Mark, span: Int = 1, _ code: String, _ message: String, hint: String? = nil,
                                related: [Diagnostic.Related] = [], severity: Diagnostic.Severity = .error) {
        diagnostics.append(Diagnostic(file: file, at: mark, span: span, severity: severity, code: code,
                                      message: message, hint: hint, related: related))
    }

    func related(_ mark: Mark, _ message: String) -> Diagnostic.Related {
        .init(file: file, line: mark.line, column: mark.column, message: message)
    }

    mutating func validate() -> (RenderMatrix, [ResolvedOutput]) {
        checkElementReferences()
        let matrix = buildMatrix()
        checkOverlaps(matrix)
        checkElementsNeedVideoOrientation(matrix)
        checkClipDurations(matrix)
        checkUploads()
        let outputs = resolveOutputs(matrix)
        return (matrix, outputs)
    }

    // MARK: - References

    private mutating func checkElementReferences() {
        for c in manifest.characters {
            guard let e = c.element, elementIndex[e.value] == nil else { continue }
            error(e.mark, span: e.span, "dangling-reference", "character '\(c.name)' names unknown element '\(e.value)'",
                  hint: Suggestion.hint(for: e.value, in: manifest.elements.map(\.name))
                    ?? "define it under `elements:` or remove `element:`")
        }
    }

    /// Which names of a list match a pattern or name; reports one that matches nothing.
    private mutating func resolve(_ item: Located<String>, kind: String, names: [String], index: [String: Int],
                                  into set: inout [Bool], value: Bool = true) {
        if item.value == "*" {
            for i in set.indices { set[i] = value }
            return
        }
        if Glob.isPattern(item.value) {
            var any = false
            for (i, n) in names.enumerated() where Glob.matches(item.value, n) {
                set[i] = value
                any = true
            }
            if !any {
                error(item.mark, span: item.span, "dangling-reference", "pattern '\(item.value)' matches no \(kind)",
                      hint: "\(kind)s are: \(names.prefix(8).joined(separator: ", "))\(names.count > 8 ? ", …" : "")")
            }
            return
        }
        guard let i = index[item.value] else {
            error(item.mark, span: item.span, "dangling-reference", "unknown \(kind) '\(item.value)'",
                  hint: Suggestion.hint(for: item.value, in: names) ?? "define it under `\(kind)s:`")
            return
        }
        set[i] = value
    }

    // MARK: - Matrix

    private mutating func buildMatrix() -> RenderMatrix {
        let characterNames = manifest.characters.map(\.name)
        let clipNames = manifest.clips.map(\.name)
        let nc = characterNames.count, nk = clipNames.count
        let base = manifest.baseSettings
        var blocks: [RenderMatrix.Block] = []
        for block in manifest.renders {
            var chars = [Bool](repeating: false, count: nc)
            var clips = [Bool](repeating: false, count: nk)
            for item in block.characters { resolve(item, kind: "character", names: characterNames, index: characterIndex, into: &chars) }
            for item in block.clips { resolve(item, kind: "clip", names: clipNames, index: clipIndex, into: &clips) }
            var cells = Set<Int>()
            for x in block.exclude {
                var xc = [Bool](repeating: x.character == nil, count: nc)
                var xk = [Bool](repeating: x.clip == nil, count: nk)
                if let c = x.character { resolve(c, kind: "character", names: characterNames, index: characterIndex, into: &xc) }
                if let k = x.clip { resolve(k, kind: "clip", names: clipNames, index: clipIndex, into: &xk) }
                if !xc.contains(false) {
                    for k in 0..<nk where xk[k] { clips[k] = false }
                } else if !xk.contains(false) {
                    for c in 0..<nc where xc[c] { chars[c] = false }
                } else {
                    for c in 0..<nc where xc[c] && chars[c] {
                        for k in 0..<nk where xk[k] && clips[k] { cells.insert(c * nk + k) }
                    }
                }
            }
            let settings = block.with.map { $0.applied(to: base) } ?? base
            blocks.append(.init(characterIn: chars, clipIn: clips, excludedCells: cells, settings: settings))
        }
        return RenderMatrix(characterCount: nc, clipCount: nk, blocks: blocks)
    }

    /// A cell may be in one block only; compare blocks pairwise on their index sets.
    private mutating func checkOverlaps(_ m: RenderMatrix) {
        let charLists = m.blocks.map { b in b.characterIn.indices.filter { b.characterIn[$0] } }
        let clipLists = m.blocks.map { b in b.clipIn.indices.filter { b.clipIn[$0] } }
        for (j, later) in m.blocks.enumerated() {
            if charLists[j].isEmpty || clipLists[j].isEmpty || charLists[j].count * clipLists[j].count <= later.excludedCells.count {
                // Nothing to say when there are no characters or clips at all: that is reported already.
                guard m.characterCount > 0, m.clipCount > 0 else { continue }
                error(manifest.renders[j].mark, "empty-block", "render block \(j + 1) produces no cells",
                      hint: "its characters, clips and excludes leave nothing to render; remove the block or fix its lists",
                      severity: .warning)
                continue
            }
            for i in 0..<j {
                let earlier = m.blocks[i]
                let cs = charLists[j].filter { earlier.characterIn[$0] }
                guard !cs.isEmpty else { continue }
                let ks = clipLists[j].filter { earlier.clipIn[$0] }
                guard !ks.isEmpty else { continue }
                var found: (Int, Int)?
                search: for c in cs {
                    for k in ks {
                        let cell = c * m.clipCount + k
                        if !earlier.excludedCells.contains(cell) && !later.excludedCells.contains(cell) {
                            found = (c, k)
                            break search
                        }
                    }
                }
                guard let (c, k) = found else { continue }
                let id = "\(manifest.characters[c].name)/\(manifest.clips[k].name)"
                error(manifest.renders[j].mark, "duplicate-cell",
                      "render block \(j + 1) repeats cell '\(id)', already in block \(i + 1)",
                      hint: "a cell may be in one block only: exclude it from one of them (exclude: [{character: \(manifest.characters[c].name), clip: \(manifest.clips[k].name)}])",
                      related: [related(manifest.renders[i].mark, "block \(i + 1) starts here")])
            }
        }
    }

    private mutating func checkElementsNeedVideoOrientation(_ m: RenderMatrix) {
        for (j, b) in m.blocks.enumerated() where b.settings.orientation == .image {
            guard let c = manifest.characters.indices.first(where: { b.characterIn[$0] && manifest.characters[$0].element != nil }),
                  b.clipIn.contains(true) else { continue }
            let block = manifest.renders[j]
            let where_ = block.with?.orientation?.mark ?? manifest.defaults.orientation?.mark ?? block.mark
            let element = manifest.characters[c].element!
            error(where_, "element-needs-video-orientation",
                  "render block \(j + 1) uses orientation 'image', but character '\(manifest.characters[c].name)' is bound to element '\(element.value)'",
                  hint: "elements work only with orientation: video; set `with: {orientation: video}` or exclude the character",
                  related: [related(element.mark, "the element is named here")])
        }
    }

    /// Clip length limits, where the length is known (declared for URL clips, or measured).
    private mutating func checkClipDurations(_ m: RenderMatrix) {
        let blockHasCharacters = m.blocks.map { $0.characterIn.contains(true) }
        for (k, clip) in manifest.clips.enumerated() {
            guard let seconds = clipSeconds[k] else { continue }
            let s = NumberText.shortest(seconds)
            if KlingLimits.clipIsTooShort(seconds) {
                error(clip.mark, span: clip.name.count, "clip-too-short", "clip '\(clip.name)' is \(s) s long; Kling needs at least 3 s",
                      hint: "use a longer clip or a wider trim")
                continue
            }
            var limit = 0.0
            var blockOf: Int?
            for (j, b) in m.blocks.enumerated() where b.clipIn[k] && blockHasCharacters[j] {
                let max = b.settings.orientation.maxClipSeconds
                if KlingLimits.clipIsTooLong(seconds, orientation: b.settings.orientation) && (blockOf == nil || max < limit) {
                    limit = max
                    blockOf = j
                }
            }
            guard let j = blockOf else { continue }
            let orientation = m.blocks[j].settings.orientation
            error(clip.mark, span: clip.name.count, "clip-too-long",
                  "clip '\(clip.name)' is \(s) s long; orientation '\(orientation.rawValue)' allows at most \(Int(limit)) s",
                  hint: orientation == .image
                    ? "trim it (clips.\(clip.name).trim) or use orientation: video (up to 30 s)"
                    : "trim it (clips.\(clip.name).trim) to 30 s or less",
                  related: [related(manifest.renders[j].mark, "used by render block \(j + 1)")])
        }
    }

    private mutating func checkUploads() {
        let p = manifest.provider
        guard p.use.isRemote, manifest.uploads == nil else { return }
        var local = 0
        for c in manifest.characters where !c.image.isRemote { local += 1 }
        for c in manifest.clips where !c.video.isRemote || c.trim != nil || c.conform { local += 1 }
        for e in manifest.elements {
            if case .fromVideo(let s, _, _) = e.source, !s.isRemote { local += 1 }
        }
        guard local > 0 else { return }
        // A warning: a price needs no bucket, so plan prices it; `troupe run` makes it an error.
        error(p.mark, "uploads-required",
              "provider '\(p.use.rawValue)' fetches media by URL, but \(local) media file\(local == 1 ? " is" : "s are") local or trimmed: `troupe run` will need `uploads:`",
              hint: "add `uploads: {s3: {bucket: …, region: …}}` so troupe run can upload them, or use provider preview",
              severity: .warning)
    }
}
