/// Deliverables: one instance per platform, and sound to keep where `original` asks for it.
extension ManifestValidator {
    /// The platforms an output spec is made for: each preset for a `{platform}` name, its one
    /// preset or size otherwise, `[nil]` for a plain output.
    func platforms(of spec: OutputSpec) -> [String?] {
        guard let d = spec.delivery else { return [nil] }
        if let size = d.size { return ["\(size.value.width)x\(size.value.height)"] }
        if spec.name.value.contains("{platform}") { return d.platforms.map(\.value) }
        return [d.platforms.first?.value]
    }

    /// A deliverable that keeps the render's sound (`original: true`, the default) over renders
    /// made without sound (`keep_sound: false`) has nothing to keep: said now, not at run time.
    /// (Clips without a sound track are the media checker's, which probes them.)
    mutating func checkOriginalSound(_ outputs: [ResolvedOutput], _ m: RenderMatrix) {
        let sound = ResolvedOutput.withSound(outputs) { c, k in m.block(character: c, clip: k).map { m.blocks[$0].settings.keepSound } ?? true }
        var reported = Set<Int>()
        for (o, out) in outputs.enumerated() {
            let spec = manifest.outputs[out.spec]
            guard let d = spec.delivery, d.original, !sound[o], reported.insert(out.spec).inserted else { continue }
            error(d.originalMark ?? spec.mark, "no-sound",
                  "output '\(out.name)' keeps the render's sound (audio.original), but its renders are made without sound (keep_sound: false)",
                  hint: "set `audio: {original: false}` (music only), or render with `keep_sound: true`")
        }
    }
}

extension ResolvedOutput {
    /// Whether each output has sound: some render among its inputs (through the outputs it
    /// uses) has, by `render(character, clip)`. Cycles (reported elsewhere) and chains deeper
    /// than 64 are taken to have sound.
    public static func withSound(_ outputs: [ResolvedOutput], render: (Int, Int) -> Bool) -> [Bool] {
        var sound = [Bool?](repeating: nil, count: outputs.count)
        func hasSound(_ o: Int, _ depth: Int) -> Bool {
            if let known = sound[o] { return known }
            guard depth < 64 else { return true }
            let result = outputs[o].inputs.contains { input in
                switch input {
                case .render(let c, let k): render(c, k)
                case .output(let p): p == o ? true : hasSound(p, depth + 1)
                }
            }
            sound[o] = result
            return result
        }
        return outputs.indices.map { hasSound($0, 0) }
    }

    /// The clips (indices, in first-use order) of the renders an output plays, through the
    /// outputs it uses.
    public static func clips(of o: Int, in outputs: [ResolvedOutput]) -> [Int] {
        var clips: [Int] = [], seenClips = Set<Int>(), visited = Set<Int>()
        func walk(_ o: Int) {
            guard visited.insert(o).inserted else { return }
            for input in outputs[o].inputs {
                switch input {
                case .render(_, let k): if seenClips.insert(k).inserted { clips.append(k) }
                case .output(let p): walk(p)
                }
            }
        }
        walk(o)
        return clips
    }
}
