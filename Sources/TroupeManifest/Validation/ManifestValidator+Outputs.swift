import TroupeSupport

/// Outputs: names expanded per character, clip and platform, inputs resolved, cycles refused.
extension ManifestValidator {
    struct Instance {
        var spec: Int
        var name: String
        var character: Int?
        var clip: Int?
        var platform: String?
    }

    mutating func resolveOutputs(_ m: RenderMatrix) -> [ResolvedOutput] {
        var instances: [Instance] = []
        var byName: [String: Int] = [:]
        for (s, spec) in manifest.outputs.enumerated() {
            let usesCharacter = spec.name.value.contains("{character}")
            let usesClip = spec.name.value.contains("{clip}")
            let cs: [Int?] = usesCharacter ? Array(manifest.characters.indices) : [nil]
            let ks: [Int?] = usesClip ? Array(manifest.clips.indices) : [nil]
            let ps = platforms(of: spec)
            var badName = false
            for c in cs {
                for k in ks {
                  for p in ps {
                    let name = substitute(spec.name.value, character: c, clip: k, platform: p)
                    if !ManifestDecoder.isValidName(name) {
                        if !badName {
                            error(spec.name.mark, span: spec.name.span, "bad-name", "output name '\(name)' is longer than 63 characters",
                                  hint: "shorten the output name template")
                        }
                        badName = true
                        continue
                    }
                    if let first = byName[name] {
                        let firstSpec = manifest.outputs[instances[first].spec]
                        error(spec.name.mark, span: spec.name.span, "duplicate-output", "output '\(name)' is defined twice",
                              hint: "give each output its own name",
                              related: [related(firstSpec.name.mark, "'\(name)' is first defined here")])
                        continue
                    }
                    byName[name] = instances.count
                    instances.append(Instance(spec: s, name: name, character: c, clip: k, platform: p))
                  }
                }
            }
        }

        var inputs = [[ResolvedOutput.Input]](repeating: [], count: instances.count)
        var reported = Set<[Int]>()
        for (i, inst) in instances.enumerated() {
            let spec = manifest.outputs[inst.spec]
            for (e, entry) in spec.concat.enumerated() {
                let text = substitute(entry.value, character: inst.character, clip: inst.clip, platform: inst.platform)
                let problem: (String, String)?
                if let slash = text.firstIndex(of: "/") {
                    problem = resolveRenderRef(String(text[..<slash]), String(text[text.index(after: slash)...]),
                                               matrix: m, into: &inputs[i])
                } else {
                    problem = resolveOutputRef(text, self: i, instances: instances, byName: byName, into: &inputs[i])
                }
                if let (message, hint) = problem, reported.insert([inst.spec, e]).inserted {
                    let templated = inst.character != nil || inst.clip != nil
                    error(entry.mark, span: entry.span, "dangling-reference",
                          "output '\(templated ? spec.name.value : inst.name)' \(message)" + (templated ? " (for '\(inst.name)')" : ""),
                          hint: hint)
                }
            }
        }

        // A template instance that matched nothing (a character with no renders) is dropped.
        var kept = [Int?](repeating: nil, count: instances.count)
        var resolved: [ResolvedOutput] = []
        for (i, inst) in instances.enumerated() where !inputs[i].isEmpty {
            kept[i] = resolved.count
            resolved.append(ResolvedOutput(name: inst.name, inputs: [], trim: manifest.outputs[inst.spec].trim?.value, spec: inst.spec,
                                           platform: inst.platform))
        }
        for (i, inst) in instances.enumerated() {
            guard let r = kept[i] else {
                let entryFailed = reported.contains { $0.count == 2 && $0[0] == inst.spec }
                if inst.character == nil && inst.clip == nil && !entryFailed && reported.insert([inst.spec, -1]).inserted {
                    let spec = manifest.outputs[inst.spec]
                    error(spec.name.mark, span: spec.name.span, "empty-output", "output '\(inst.name)' has no inputs",
                          hint: "its patterns match no render or output")
                }
                continue
            }
            for input in inputs[i] {
                if case .output(let o) = input {
                    guard let target = kept[o] else {
                        if reported.insert([inst.spec, -2, o]).inserted {
                            error(manifest.outputs[inst.spec].mark, "dangling-reference",
                                  "output '\(inst.name)' uses '\(instances[o].name)', which has no inputs (its template matched no render)",
                                  hint: "remove '\(instances[o].name)' from concat")
                        }
                        continue
                    }
                    resolved[r].inputs.append(.output(target))
                } else {
                    resolved[r].inputs.append(input)
                }
            }
        }
        checkCycles(resolved)
        checkOriginalSound(resolved, m)
        return resolved
    }

    func substitute(_ text: String, character: Int?, clip: Int?, platform: String? = nil) -> String {
        guard text.contains("{") else { return text }
        var t = text
        if let p = platform { t = t.replacing("{platform}", with: p) }
        if let c = character { t = t.replacing("{character}", with: manifest.characters[c].name) }
        if let k = clip { t = t.replacing("{clip}", with: manifest.clips[k].name) }
        return t
    }

    func names(matching pattern: String, in names: [String], index: [String: Int]) -> [Int]? {
        if Glob.isPattern(pattern) { return names.indices.filter { Glob.matches(pattern, names[$0]) } }
        return index[pattern].map { [$0] }
    }

    /// `character/clip`, each side a name or a glob. Returns (message, hint) on a problem.
    func resolveRenderRef(_ cp: String, _ kp: String, matrix m: RenderMatrix,
                                  into out: inout [ResolvedOutput.Input]) -> (String, String)? {
        let characterNames = manifest.characters.map(\.name), clipNames = manifest.clips.map(\.name)
        if cp.contains("{") || kp.contains("{") {
            return ("uses a {character} or {clip} placeholder its name does not have",
                    "put the same placeholder in the output's name to make one output per character or clip")
        }
        guard let cs = names(matching: cp, in: characterNames, index: characterIndex) else {
            return ("names unknown character '\(cp)' in '\(cp)/\(kp)'", Suggestion.hint(for: cp, in: characterNames) ?? "render ids are character/clip")
        }
        guard let ks = names(matching: kp, in: clipNames, index: clipIndex) else {
            return ("names unknown clip '\(kp)' in '\(cp)/\(kp)'", Suggestion.hint(for: kp, in: clipNames) ?? "render ids are character/clip")
        }
        if !Glob.isPattern(cp) && !Glob.isPattern(kp) {
            if !m.contains(character: cs[0], clip: ks[0]) {
                return ("uses render '\(cp)/\(kp)', which no render block produces (it is excluded or not in the matrix)",
                        "add the cell to a render block, or remove it from concat")
            }
            out.append(.render(character: cs[0], clip: ks[0]))
            return nil
        }
        for c in cs {
            for k in ks where m.contains(character: c, clip: k) { out.append(.render(character: c, clip: k)) }
        }
        return nil
    }

    func resolveOutputRef(_ text: String, self me: Int, instances: [Instance], byName: [String: Int],
                                  into out: inout [ResolvedOutput.Input]) -> (String, String)? {
        if Glob.isPattern(text) {
            for (o, inst) in instances.enumerated() where o != me && Glob.matches(text, inst.name) { out.append(.output(o)) }
            return nil
        }
        guard let o = byName[text] else {
            let known = instances.map(\.name)
            return ("uses unknown output '\(text)'",
                    Suggestion.hint(for: text, in: known) ?? "concat takes render ids (character/clip) or names of other outputs")
        }
        out.append(.output(o))
        return nil
    }

    mutating func checkCycles(_ outputs: [ResolvedOutput]) {
        // Iterative three-colour DFS; reports each cycle once.
        var colour = [UInt8](repeating: 0, count: outputs.count)
        for start in outputs.indices where colour[start] == 0 {
            var stack: [(node: Int, next: Int)] = [(start, 0)]
            var path: [Int] = [start]
            colour[start] = 1
            while var top = stack.popLast() {
                let deps = outputs[top.node].inputs
                var pushed = false
                while top.next < deps.count {
                    let input = deps[top.next]
                    top.next += 1
                    guard case .output(let o) = input else { continue }
                    if colour[o] == 1 {
                        let cycle = path[path.firstIndex(of: o)!...].map { outputs[$0].name } + [outputs[o].name]
                        let spec = manifest.outputs[outputs[o].spec]
                        error(spec.name.mark, span: spec.name.span, "output-cycle",
                              "outputs form a cycle: \(cycle.joined(separator: " → "))",
                              hint: "an output cannot use itself, directly or through other outputs")
                    } else if colour[o] == 0 {
                        stack.append(top)
                        stack.append((o, 0))
                        path.append(o)
                        colour[o] = 1
                        pushed = true
                        break
                    }
                }
                if !pushed {
                    colour[top.node] = 2
                    path.removeLast()
                }
            }
        }
    }
}
