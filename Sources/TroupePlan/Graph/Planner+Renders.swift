import TroupeManifest
import TroupeSupport

extension Planner {
    /// The render jobs, block by block (blocks are disjoint): one per distinct key, shared by identical cells.
    mutating func planRenders(images: [MediaInput?], clips: PreparedClips, imageDeps: [[Int]], elements: PlannedElements,
                              table: PriceTable, kling: PriceTable) -> PlannedRenders {
        let clipKey = clips.keys, clipDeps = clips.deps, seconds = clips.seconds
        let elementIndex = elements.index, elementRef = elements.ref, elementJob = elements.job
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
        return PlannedRenders(job: renderJob, order: renderOrder, clipCount: nk)
    }
}
