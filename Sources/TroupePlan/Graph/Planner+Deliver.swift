import TroupeManifest
import TroupeMedia
import TroupeSupport

extension Planner {
    /// A deliverable's finishing steps in its post job's key — the engine's and the presets'
    /// versions, every parameter, the digests (not paths) of logo, card, music and captions — so
    /// changing the logo redoes what uses it and nothing else; its platform and length on the
    /// job, and the length checked against the preset. Returns the deliverable's planned seconds.
    mutating func finish(_ job: inout Job, _ d: Delivery, of out: ResolvedOutput, seconds: Double?,
                         key: inout ContentKey) -> Double? {
        let preset = Plan.preset(d, platform: out.platform)
        key.add("deliver_engine", Deliverable.engineVersion)
        key.add("presets", PlatformPreset.version)
        key.add("platform", preset.name)
        key.add("fit", d.fit.rawValue)
        if let o = d.overlay {
            key.add("overlay", digest(o.image))
            key.add("overlay_at", o.corner.rawValue)
            key.add("overlay_width", o.width)
            key.add("overlay_margin", o.margin)
            key.add("overlay_opacity", o.opacity)
        }
        if let c = d.captions { key.add("captions", digest(c)) }
        key.add("fade_in", d.fadeIn)
        key.add("fade_out", d.fadeOut)
        if let e = d.endCard {
            key.add("end_card", digest(e.image))
            key.add("end_card_seconds", e.seconds)
        }
        if let m = d.music {
            key.add("music", digest(m))
            key.add("music_level", d.musicLevel)
        }
        key.add("original", d.original)
        key.add("loudness", d.loudness ?? preset.loudness)
        key.add("true_peak", d.truePeak ?? preset.truePeak)
        job.key = key.hex
        job.platform = preset.name
        let total = seconds.map { $0 + (d.endCard?.seconds ?? 0) }
        job.duration = total
        if let total, !preset.allows(seconds: total) {
            let mark = d.platforms.first { $0.value == preset.name }?.mark ?? d.size?.mark ?? d.mark
            let limits = [preset.minSeconds.map { "at least \(NumberText.shortest($0)) s" },
                          preset.maxSeconds.map { "at most \(NumberText.shortest($0)) s" }].compactMap { $0 }
            diagnostics.append(diagnostic(mark, "deliverable-duration",
                "deliverable '\(out.name)' lasts \(NumberText.shortest(total, roundedTo: 2)) s; \(preset.name) takes \(limits.joined(separator: " and "))",
                hint: "trim it (`trim: [start, end]`), add or remove inputs, or choose another platform"))
        }
        return total
    }

    /// A finishing file's digest; a file that cannot be read is reported by `identify`.
    private mutating func digest(_ file: LocalFile) -> String {
        identify(.local(path: file.written, resolved: file.resolved), sha: nil, at: file.mark)?.sha256 ?? "unreadable"
    }

    /// Poster and GIF jobs of the deliverables that ask for them, exported beside the MP4
    /// (`out/<name>.jpg`, `out/<name>.gif`); keyed by the deliverable's key and their own settings.
    mutating func addStills(_ postJob: [Int?]) {
        for (o, out) in outputs.enumerated() {
            guard let j = postJob[o], let d = manifest.outputs[out.spec].delivery else { continue }
            var stills: [Still] = []
            if let at = d.poster { stills.append(.poster(seconds: at)) }
            if let g = d.gif { stills.append(.gif(width: g.width, fps: g.fps, from: g.from, to: g.to)) }
            for still in stills {
                var key = ContentKey(kind: "post")
                key.add("op", still.fileExtension == "jpg" ? "poster" : "gif")
                key.add("inputs", keys: [jobs[j].key])
                key.add("deliver_engine", Deliverable.engineVersion)
                switch still {
                case .poster(let at): key.add("at", at)
                case .gif(let width, let fps, let from, let to):
                    key.add("width", width)
                    key.add("fps", fps)
                    key.add("from", from)
                    key.add("to", to)
                }
                let file = "\(out.name).\(still.fileExtension)"
                var job = Job(id: "post:\(file)", kind: .post, key: key.hex, deps: [j], roles: [.input], subject: .post(output: o))
                job.still = still
                job.platform = jobs[j].platform
                addExport(of: addOnce(job, name: file), path: options.outputFolder + "/" + file)
            }
        }
    }
}
