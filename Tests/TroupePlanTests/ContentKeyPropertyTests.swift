import Foundation
import Testing
import TroupeManifest
@testable import TroupePlan

/// Random campaigns, each planned before and after one edit: edits that do not change
/// meaning change no key; edits that do change exactly the jobs they touch and everything
/// downstream of them.
@Suite struct ContentKeyPropertyTests {
    /// A small random campaign with local media, written out in several equivalent styles.
    struct Campaign {
        var characters: [(name: String, image: String)]
        var clips: [(name: String, video: String, trim: (Double, Double)?)]
        var blocks: [(characters: [String], clips: [String], mode: String?, prompt: String?)]
        var outputs: [(name: String, concat: [String])]
        var provider = "preview"

        /// `shuffle` reorders sections and the keys inside each entry; `entries` also reorders the
        /// characters and clips themselves, which is meaningful for glob concat order.
        func yaml(shuffle rng: inout SplitMix?, flow: Bool, comments: Bool, entries: Bool = false) -> String {
            var sections: [String] = []
            func maybeShuffle<T>(_ items: [T]) -> [T] {
                guard var r = rng else { return items }
                let out = items.shuffled(using: &r)
                rng = r
                return out
            }
            func entry(_ name: String, _ pairs: [(String, String)]) -> String {
                let fields = maybeShuffle(pairs)
                if flow { return "  \(name): {" + fields.map { "\($0.0): \($0.1)" }.joined(separator: ", ") + "}" }
                return "  \(name):\n" + fields.map { "    \($0.0): \($0.1)" }.joined(separator: "\n")
            }
            sections.append("troupe: 1")
            sections.append("name: prop")
            sections.append("provider: {use: \(provider)}" + (comments ? "   # where renders happen" : ""))
            if provider != "preview" { sections.append("uploads: {s3: {bucket: props, prefix: t/}}") }
            func entryOrder<T>(_ items: [T]) -> [T] { entries ? maybeShuffle(items) : items }
            sections.append("characters:\n" + entryOrder(characters).map { entry($0.name, [("image", $0.image)]) }.joined(separator: "\n"))
            sections.append("clips:\n" + entryOrder(clips).map { c in
                var pairs = [("video", c.video)]
                if let t = c.trim { pairs.append(("trim", "[\(t.0), \(t.1)]")) }
                return entry(c.name, pairs)
            }.joined(separator: "\n"))
            sections.append("renders:\n" + blocks.map { b in
                var pairs = [("characters", "[" + b.characters.joined(separator: ", ") + "]"),
                             ("clips", "[" + b.clips.joined(separator: ", ") + "]")]
                var with: [String] = []
                if let m = b.mode { with.append("mode: \(m)") }
                if let p = b.prompt { with.append("prompt: \"\(p)\"") }
                if !with.isEmpty { pairs.append(("with", "{" + with.joined(separator: ", ") + "}")) }
                let fields = maybeShuffle(pairs)
                return "  - " + fields.map { "\($0.0): \($0.1)" }.joined(separator: "\n    ")
            }.joined(separator: "\n"))
            if !outputs.isEmpty {
                sections.append("outputs:\n" + outputs.map { o in
                    "  - name: \(o.name)\n    concat: [" + o.concat.joined(separator: ", ") + "]"
                }.joined(separator: "\n"))
            }
            let body = maybeShuffle(sections.dropFirst(2).map { $0 })
            return ([sections[0], sections[1]] + body).joined(separator: comments ? "\n\n# --\n" : "\n") + "\n"
        }
    }

    /// A seeded generator so a failure can be replayed.
    struct SplitMix: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state &+= 0x9E37_79B9_7F4A_7C15
            var z = state
            z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
            z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
            return z ^ (z >> 31)
        }
    }

    static func make(seed: UInt64, in dir: TempDir) -> Campaign {
        var rng = SplitMix(state: seed)
        let nc = Int.random(in: 2...4, using: &rng), nk = Int.random(in: 2...4, using: &rng)
        var c = Campaign(characters: [], clips: [], blocks: [], outputs: [])
        for i in 0..<nc {
            let file = "media/img\(i).png"
            dir.write(file, Data((0..<64).map { _ in UInt8.random(in: 0...255, using: &rng) }))
            c.characters.append(("c\(i)", file))
        }
        for i in 0..<nk {
            let file = "media/clip\(i).mp4"
            let seconds = Double(Int.random(in: 8...25, using: &rng))
            dir.write(file, "\(seconds)\n" + String(i))
            let trim: (Double, Double)? = Bool.random(using: &rng) ? (Double(Int.random(in: 0...2, using: &rng)), 7.5) : nil
            c.clips.append(("k\(i)", file, trim))
        }
        // Block 1: every character × the first half of the clips; block 2: the rest, with overrides.
        let half = max(1, nk / 2)
        c.blocks.append((["\"*\""], c.clips.prefix(half).map(\.name), nil, "first"))
        c.blocks.append((["\"*\""], c.clips.dropFirst(half).map(\.name), "pro", "second"))
        c.outputs.append(("reel", ["c0/*"]))
        c.outputs.append(("all", ["reel", "\"*/k\(nk - 1)\""]))
        c.provider = Bool.random(using: &rng) ? "preview" : "kling"
        return c
    }

    static let seeds: [UInt64] = Array(1...12)

    /// Jobs that depend, directly or not, on any of `roots`, plus the roots.
    static func downstream(of roots: Set<String>, in p: Plan) -> Set<String> {
        var affected = Set(p.jobs.indices.filter { roots.contains(p.jobs[$0].id) })
        var changed = true
        while changed {
            changed = false
            for (i, job) in p.jobs.enumerated() where !affected.contains(i) && job.deps.contains(where: affected.contains) {
                affected.insert(i)
                changed = true
            }
        }
        return Set(affected.map { p.jobs[$0].id })
    }

    /// Jobs present in both plans whose keys differ.
    static func changedIDs(_ a: Plan, _ b: Plan) -> Set<String> {
        let ka = a.keysByID, kb = b.keysByID
        return Set(ka.keys.filter { kb[$0] != nil && ka[$0] != kb[$0] })
    }

    @Test(arguments: seeds)
    func meaningPreservingEditsChangeNoKey(seed: UInt64) throws {
        let dir = TempDir()
        var campaign = Self.make(seed: seed, in: dir)
        var none: SplitMix? = nil
        let base = try plan(campaign.yaml(shuffle: &none, flow: true, comments: false), in: dir)

        // Reordered keys and sections, block style, comments.
        var shuffler: SplitMix? = SplitMix(state: seed &* 7)
        let reformatted = try plan(campaign.yaml(shuffle: &shuffler, flow: false, comments: true), in: dir)
        #expect(Self.changedIDs(base, reformatted).isEmpty)
        #expect(Set(base.keysByID.keys) == Set(reformatted.keysByID.keys))

        // Reordered characters and clips: renders keep their keys; only outputs whose globs
        // now expand in another order may change.
        let reordered = try plan(campaign.yaml(shuffle: &shuffler, flow: true, comments: false, entries: true), in: dir)
        let globOutputs = Self.downstream(of: ["post:reel", "post:all"], in: base)
        #expect(Self.changedIDs(base, reordered).isSubset(of: globOutputs))

        // A media file renamed and moved to another folder.
        let old = dir.url.appendingPathComponent(campaign.characters[0].image)
        try FileManager.default.createDirectory(at: dir.url.appendingPathComponent("moved"), withIntermediateDirectories: true)
        try FileManager.default.moveItem(at: old, to: dir.url.appendingPathComponent("moved/renamed.png"))
        campaign.characters[0].image = "moved/renamed.png"
        let clipOld = dir.url.appendingPathComponent(campaign.clips[0].video)
        try FileManager.default.moveItem(at: clipOld, to: dir.url.appendingPathComponent("moved/clip.mp4"))
        campaign.clips[0].video = "moved/clip.mp4"
        let moved = try plan(campaign.yaml(shuffle: &none, flow: true, comments: false), in: dir)
        #expect(Self.changedIDs(base, moved).isEmpty)

        // Touched mtimes.
        for c in campaign.characters {
            try FileManager.default.setAttributes([.modificationDate: Date(timeIntervalSinceNow: 3600)],
                                                  ofItemAtPath: dir.url.appendingPathComponent(c.image).path)
        }
        let touched = try plan(campaign.yaml(shuffle: &none, flow: true, comments: false), in: dir)
        #expect(Self.changedIDs(base, touched).isEmpty)
    }

    @Test(arguments: seeds)
    func meaningfulEditsChangeExactlyTheirJobsAndDownstream(seed: UInt64) throws {
        let dir = TempDir()
        let campaign = Self.make(seed: seed, in: dir)
        var none: SplitMix? = nil
        let base = try plan(campaign.yaml(shuffle: &none, flow: true, comments: false), in: dir)
        let renders = { (block: Int) in Set(base.jobs.compactMap { j -> String? in
            if case .render(_, _, let b, _) = j.subject, b == block { return j.id }
            return nil
        }) }

        // A prompt of block 2.
        var edited = campaign
        edited.blocks[1].prompt = "changed"
        var p = try plan(edited.yaml(shuffle: &none, flow: true, comments: false), in: dir)
        #expect(Self.changedIDs(base, p) == Self.downstream(of: renders(1), in: base))

        // The mode of block 1.
        edited = campaign
        edited.blocks[0].mode = "pro"
        p = try plan(edited.yaml(shuffle: &none, flow: true, comments: false), in: dir)
        #expect(Self.changedIDs(base, p) == Self.downstream(of: renders(0), in: base))

        // A trim of the last clip (prepared or not: adding a trim adds its prepare job).
        edited = campaign
        let last = campaign.clips.count - 1
        edited.clips[last].trim = (0.5, 6.0)
        p = try plan(edited.yaml(shuffle: &none, flow: true, comments: false), in: dir)
        if campaign.clips[last].trim != nil {
            let roots: Set = ["prepare:\(campaign.clips[last].name)"]
            #expect(Self.changedIDs(base, p) == Self.downstream(of: roots, in: base))
        } else {
            let clipRenders = Set(base.jobs.filter { j in
                if case .render(_, let k, _, _) = j.subject { return k == last }
                return false
            }.map(\.id))
            let uploads = Set(base.jobs.filter { $0.id == "upload:clip/\(campaign.clips[last].name)" }.map(\.id))
            let expected = Self.downstream(of: clipRenders.union(uploads), in: base)
            #expect(Self.changedIDs(base, p).subtracting(uploads) == expected.subtracting(uploads))
        }

        // One byte of one image.
        let image = dir.url.appendingPathComponent(campaign.characters[1].image)
        var bytes = try Data(contentsOf: image)
        bytes[10] ^= 0xFF
        try bytes.write(to: image)
        p = try plan(campaign.yaml(shuffle: &none, flow: true, comments: false), in: dir)
        let roots = Set(base.jobs.filter { j in
            if case .render(let c, _, _, _) = j.subject { return c == 1 }
            return j.id == "upload:image/\(campaign.characters[1].name)"
        }.map(\.id))
        #expect(Self.changedIDs(base, p) == Self.downstream(of: roots, in: base))
    }

    @Test func keyEncodingIsCanonical() {
        var a = ContentKey(kind: "render")
        a.add("prompt", "x")
        a.add("mode", "pro")
        var b = ContentKey(kind: "render")
        b.add("mode", "pro")
        b.add("prompt", "x")
        #expect(a.hex == b.hex)
        #expect(a.canonicalText == "troupe-key/1\nkind=render\nmode=\"pro\"\nprompt=\"x\"\n")
        var c = ContentKey(kind: "prepare")
        c.add("trim_start", 1.0)
        c.add("trim_end", 6.5)
        #expect(c.canonicalText.contains("trim_start=1\n") && c.canonicalText.contains("trim_end=6.5\n"))
        // A prompt with a newline cannot forge another field.
        var d = ContentKey(kind: "render")
        d.add("prompt", "x\nmode=\"std\"")
        #expect(d.canonicalText.components(separatedBy: "\n").count == 4)
    }
}
