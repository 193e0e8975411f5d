import TroupeManifest
import TroupeSupport

extension Planner {
    /// Post-steps in dependency order; the post job of each output.
    mutating func planOutputs(_ renders: PlannedRenders, durations: [Double?]) -> [Int?] {
        let nk = renders.clipCount, renderJob = renders.job
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
            var job = Job(id: "post:\(out.name)", kind: .post, key: key.hex, deps: deps, roles: deps.map { _ in .input },
                          subject: .post(output: o))
            if let delivery = manifest.outputs[out.spec].delivery {
                outputSeconds[o] = finish(&job, delivery, of: out, seconds: outputSeconds[o], key: &key)
            }
            postJob[o] = addOnce(job, name: out.name)
        }
        return postJob
    }

    /// Exports: each cell's render under out/renders/, each output under out/.
    mutating func addExports(_ renders: PlannedRenders, _ postJob: [Int?]) {
        let nk = renders.clipCount, renderJob = renders.job, renderOrder = renders.order
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
        addStills(postJob)
    }
}
