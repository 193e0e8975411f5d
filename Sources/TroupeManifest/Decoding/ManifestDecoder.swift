import Foundation
import TroupeSupport

/// Turns the node tree into a typed `Manifest`, reporting every shape problem.
/// Cross-references and the render matrix are checked afterwards by `ManifestValidator`.
struct ManifestDecoder {
    var reader: NodeReader
    let path: String
    let baseDirectory: String
    let fileExists: @Sendable (String) -> Bool
    /// Local media named so far, checked together by `checkLocalFiles` (in parallel: a
    /// campaign may name 10,000 files).
    var localFiles: [(node: Node, written: String, resolved: String)] = []

    static let maxPromptCharacters = KlingLimits.promptMaxCharacters
    static let imageExtensions = KlingLimits.imageExtensions
    static let videoExtensions = KlingLimits.clipExtensions

    /// `--fetch-remote`: a URL medium may leave out sha256 and duration; they are measured
    /// from the download before planning.
    var fetchRemote = false

    init(file: String, path: String, baseDirectory: String, fileExists: @escaping @Sendable (String) -> Bool) {
        self.reader = NodeReader(file: file)
        self.path = path
        self.baseDirectory = baseDirectory
        self.fileExists = fileExists
    }

    mutating func decode(_ root: Node) -> Manifest? {
        guard let f = reader.fields(root, "", allowed: ManifestKeys.root) else { return nil }

        var format = 1
        if let v = reader.require(f, "troupe"), let n = reader.integer(v, "troupe") {
            if n.value != 1 {
                reader.error(v, "unsupported-version", "manifest format \(n.value) is not supported; this troupe reads format 1",
                             hint: "write `troupe: 1`, or upgrade troupe")
            }
            format = Int(n.value)
        }
        var name = ""
        if let v = reader.require(f, "name"), let s = reader.string(v, "name") {
            name = s.value
            checkName(s, what: "campaign name")
        }
        var provider = ProviderSettings()
        if let v = f["provider"] { provider = decodeProvider(v) }
        var budget: Budget?
        if let v = f["budget"] { budget = decodeBudget(v) }
        var uploads: S3Uploads?
        if let v = f["uploads"] { uploads = decodeUploads(v) }
        var defaults = RenderOverrides(mark: f.keyMark("defaults"))
        if let v = f["defaults"], let d = decodeOverrides(v, "defaults", allowed: ManifestKeys.defaults) { defaults = d }
        var elements: [Element] = []
        if let v = f["elements"] { elements = decodeElements(v) }
        var characters: [Character] = []
        if let v = reader.require(f, "characters") { characters = decodeCharacters(v) }
        var clips: [Clip] = []
        if let v = reader.require(f, "clips") { clips = decodeClips(v) }
        var renders: [RenderBlock] = []
        if let v = reader.require(f, "renders") { renders = decodeRenders(v) }
        var outputs: [OutputSpec] = []
        if let v = f["outputs"] { outputs = decodeOutputs(v) }
        var pricing: PricingOverride?
        if let v = f["pricing"] { pricing = decodePricing(v) }
        let notify = f["notify"].flatMap { decodeNotify($0) }

        return Manifest(path: path, baseDirectory: baseDirectory, format: format, name: name, provider: provider,
                        budget: budget, uploads: uploads, defaults: defaults, elements: elements,
                        characters: characters, clips: clips, renders: renders, outputs: outputs, pricing: pricing, notify: notify)
    }

    // MARK: - Sections

    private mutating func decodeProvider(_ node: Node) -> ProviderSettings {
        var p = ProviderSettings()
        p.mark = node.mark
        guard let f = reader.fields(node, "provider", allowed: ManifestKeys.provider) else { return p }
        if let v = f["use"], let x = reader.choice(v, "provider.use", ProviderKind.self) { p.use = x.value }
        if let v = f["model"], let x = reader.choice(v, "provider.model", Model.self) { p.model = x.value }
        if let v = f["mode"], let x = reader.choice(v, "provider.mode", Mode.self) { p.mode = x.value }
        if let v = f["region"], let x = reader.choice(v, "provider.region", Region.self) { p.region = x.value }
        if let v = f["concurrency"], let n = reader.integer(v, "provider.concurrency") {
            if (1...1000).contains(n.value) { p.concurrency = Int(n.value) } else {
                reader.error(v, "out-of-range", "'provider.concurrency' must be between 1 and 1000, found \(n.value)",
                             hint: "set it to your account's parallel-task limit (Kling trial packs: 5)")
            }
        }
        if let v = f["rate"], let s = reader.string(v, "provider.rate") {
            if let r = Rate.parse(s.value) { p.rate = r } else {
                reader.error(v, "invalid-value", "'provider.rate' must look like 2/s or 60/min, found '\(s.value)'",
                             hint: "a count, a slash and a unit: s, min or h")
            }
        }
        return p
    }

    private mutating func decodeBudget(_ node: Node) -> Budget? {
        guard let f = reader.fields(node, "budget", allowed: ManifestKeys.budget) else { return nil }
        func limit(_ key: String) -> Double? { f[key].flatMap { reader.positiveNumber($0, "budget." + key)?.value } }
        return Budget(maxUnits: limit("max_units"), usdPerUnit: limit("usd_per_unit"), warnUnits: limit("warn_units"),
                      maxIncreaseUnits: limit("max_increase_units"), maxRenderUnits: limit("max_render_units"), mark: node.mark)
    }

    private mutating func decodeUploads(_ node: Node) -> S3Uploads? {
        guard let f = reader.fields(node, "uploads", allowed: ManifestKeys.uploads),
              let s3 = reader.require(f, "s3"),
              let g = reader.fields(s3, "uploads.s3", allowed: ManifestKeys.s3) else { return nil }
        let bucket = reader.require(g, "bucket").flatMap { reader.string($0, "uploads.s3.bucket") }
        let prefix = g["prefix"].flatMap { reader.string($0, "uploads.s3.prefix")?.value } ?? ""
        let region = g["region"].flatMap { reader.string($0, "uploads.s3.region")?.value } ?? "us-east-1"
        var endpoint: String?
        if let v = g["endpoint"], let e = reader.string(v, "uploads.s3.endpoint") {
            if let problem = Self.endpointProblem(e.value) {
                reader.error(v, "invalid-value", problem.message, hint: problem.hint)
            } else {
                endpoint = e.value
            }
        }
        var expires = 24 * 3600
        if let v = g["expires"], let s = reader.string(v, "uploads.s3.expires") {
            if let secs = Self.parseDuration(s.value), (1...7 * 24 * 3600).contains(secs) { expires = secs } else {
                reader.error(v, "invalid-value", "'uploads.s3.expires' must be a duration up to 7d such as 30m, 24h or 7d; found '\(s.value)'",
                             hint: "S3 presigned URLs live at most 7 days")
            }
        }
        guard let bucket else { return nil }
        return S3Uploads(bucket: bucket.value, prefix: prefix, region: region, endpoint: endpoint,
                         expiresSeconds: expires, mark: node.mark)
    }

    static func endpointProblem(_ url: String) -> (message: String, hint: String)? {
        if url.hasPrefix("https://") { return nil }
        if url.hasPrefix("http://") {
            let host = url.dropFirst(7).split(separator: "/").first.map(String.init) ?? ""
            let name = host.hasPrefix("[") ? String(host.prefix { $0 != "]" }) + "]" : String(host.split(separator: ":").first ?? "")
            if name == "localhost" || name.hasPrefix("127.") || name == "[::1]" { return nil }
            return ("'uploads.s3.endpoint' uses plain http on a non-loopback host '\(name)'",
                    "use https, or http only for a local emulator on 127.0.0.1")
        }
        return ("'uploads.s3.endpoint' must be an http(s) URL, found '\(url)'", "e.g. https://s3.us-east-1.amazonaws.com")
    }

    /// `90s`, `30m`, `24h`, `7d` → seconds.
    static func parseDuration(_ text: String) -> Int? {
        guard let unit = text.last, let n = Int(text.dropLast()), n > 0 else { return Int(text) }
        switch unit {
        case "s": return n
        case "m": return n * 60
        case "h": return n * 3600
        case "d": return n * 86400
        default: return nil
        }
    }

    private mutating func decodeOverrides(_ node: Node, _ path: String, allowed: [String]) -> RenderOverrides? {
        let special = [
            "use": "one provider per manifest: set it under provider:, or override with --provider",
            "region": "one provider region per manifest: set it under provider:",
        ]
        guard let f = reader.fields(node, path, allowed: allowed, special: special) else { return nil }
        var o = RenderOverrides(mark: node.mark)
        o.model = f["model"].flatMap { reader.choice($0, "\(path).model", Model.self) }
        o.mode = f["mode"].flatMap { reader.choice($0, "\(path).mode", Mode.self) }
        o.orientation = f["orientation"].flatMap { reader.choice($0, "\(path).orientation", Orientation.self) }
        o.keepSound = f["keep_sound"].flatMap { reader.bool($0, "\(path).keep_sound") }
        o.watermark = f["watermark"].flatMap { reader.bool($0, "\(path).watermark") }
        if let v = f["prompt"], let p = reader.string(v, "\(path).prompt") {
            let count = p.value.unicodeScalars.count
            if count > Self.maxPromptCharacters {
                reader.error(v, "prompt-too-long",
                             "prompt is \(count) characters long; Kling accepts at most \(Self.maxPromptCharacters)",
                             hint: "shorten '\(path).prompt' by \(count - Self.maxPromptCharacters) characters")
            } else {
                o.prompt = p
            }
        }
        return o
    }

    private mutating func decodeElements(_ node: Node) -> [Element] {
        reader.namedEntries(node, "elements").compactMap { name, value in
            checkName(name, what: "element name")
            let path = "elements.\(name.value)"
            guard let f = reader.fields(value, path, allowed: ManifestKeys.element) else { return nil }
            let description = f["description"].flatMap { reader.string($0, "\(path).description")?.value }
            if let d = description, d.count > 100 {
                reader.error(f["description"]!, "out-of-range", "element description is \(d.count) characters; Kling accepts at most 100",
                             hint: "shorten '\(path).description'")
            }
            switch (f["from_video"], f["id"]) {
            case (nil, nil):
                reader.error(value.mark, "missing-key", "'\(path)' needs `from_video` (a 3–8 s reference video) or `id` (an existing element)",
                             hint: "add `from_video: media/\(name.value)-turnaround.mp4`")
                return nil
            case (.some, .some):
                reader.error(f.keyMark("id"), span: 2, "conflicting-keys", "'\(path)' has both `from_video` and `id`",
                             hint: "use `id` for an element that already exists, `from_video` to create one")
                return nil
            case (nil, .some(let idNode)):
                guard let id = reader.integer(idNode, "\(path).id") else { return nil }
                return Element(name: name.value, source: .existing(id: id.value), description: description,
                               mark: name.mark, sourceMark: idNode.mark)
            case (.some(let videoNode), nil):
                let media = decodeMedia(f, key: "from_video", path: path, extensions: Self.videoExtensions, needsDuration: true)
                guard let media else { return nil }
                if let d = media.duration, KlingLimits.elementLengthIsOutOfRange(d) {
                    reader.error(f["duration"]!, "out-of-range", "element reference video is \(NumberText.shortest(d)) s; Kling needs 3–8 s",
                                 hint: "use a 3–8 s turnaround clip of the character")
                }
                return Element(name: name.value, source: .fromVideo(media.source, sha256: media.sha256, duration: media.duration),
                               description: description, mark: name.mark, sourceMark: videoNode.mark)
            }
        }
    }

    private mutating func decodeCharacters(_ node: Node) -> [Character] {
        reader.namedEntries(node, "characters").compactMap { name, value in
            checkName(name, what: "character name")
            let path = "characters.\(name.value)"
            guard let f = reader.fields(value, path, allowed: ManifestKeys.character) else { return nil }
            let element = f["element"].flatMap { reader.string($0, "\(path).element") }
            guard let media = decodeMedia(f, key: "image", path: path, extensions: Self.imageExtensions, needsDuration: false)
            else { return nil }
            return Character(name: name.value, image: media.source, sha256: media.sha256, element: element,
                             mark: name.mark, imageMark: f.keyMark("image"))
        }
    }

    private mutating func decodeClips(_ node: Node) -> [Clip] {
        reader.namedEntries(node, "clips").compactMap { name, value in
            checkName(name, what: "clip name")
            let path = "clips.\(name.value)"
            guard let f = reader.fields(value, path, allowed: ManifestKeys.clip) else { return nil }
            let trim = f["trim"].flatMap { reader.trim($0, "\(path).trim") }
            let conform = f["conform"].flatMap { reader.bool($0, "\(path).conform")?.value } ?? false
            guard let media = decodeMedia(f, key: "video", path: path, extensions: Self.videoExtensions, needsDuration: true)
            else { return nil }
            if let d = media.duration, let t = trim, t.value.upperBound > d {
                reader.error(t.mark, span: t.span, "trim-outside-clip",
                             "trim ends at \(NumberText.shortest(t.value.upperBound)) s but clip '\(name.value)' is \(NumberText.shortest(d)) s long",
                             hint: "keep the trim inside the clip: end ≤ \(NumberText.shortest(d))")
            }
            return Clip(name: name.value, video: media.source, sha256: media.sha256, duration: media.duration,
                        trim: trim, conform: conform, mark: name.mark, videoMark: f.keyMark("video"))
        }
    }

    private mutating func decodeRenders(_ node: Node) -> [RenderBlock] {
        guard let items = reader.list(node, "renders") else { return [] }
        if items.isEmpty {
            reader.error(node, "empty-matrix", "'renders' lists no blocks", hint: "add `- characters: [\"*\"]` with `clips: [\"*\"]`")
        }
        return items.enumerated().compactMap { index, item in
            let path = "renders[\(index)]"
            guard let f = reader.fields(item, path, allowed: ManifestKeys.renderBlock) else { return nil }
            let characters = reader.require(f, "characters").flatMap { reader.stringList($0, "\(path).characters") } ?? []
            let clips = reader.require(f, "clips").flatMap { reader.stringList($0, "\(path).clips") } ?? []
            var exclude: [Exclusion] = []
            if let v = f["exclude"], let entries = reader.list(v, "\(path).exclude") {
                for (j, e) in entries.enumerated() {
                    let epath = "\(path).exclude[\(j)]"
                    guard let g = reader.fields(e, epath, allowed: ManifestKeys.exclusion) else { continue }
                    let x = Exclusion(character: g["character"].flatMap { reader.string($0, "\(epath).character") },
                                      clip: g["clip"].flatMap { reader.string($0, "\(epath).clip") }, mark: e.mark)
                    if x.character == nil && x.clip == nil {
                        reader.error(e, "empty-exclude", "'\(epath)' names neither a character nor a clip",
                                     hint: "write e.g. {character: guest} or {clip: dance} or both")
                    } else {
                        exclude.append(x)
                    }
                }
            }
            let with = f["with"].flatMap { decodeOverrides($0, "\(path).with", allowed: ManifestKeys.with) }
            return RenderBlock(characters: characters, clips: clips, exclude: exclude, with: with, mark: item.mark)
        }
    }

    private mutating func decodeOutputs(_ node: Node) -> [OutputSpec] {
        guard let items = reader.list(node, "outputs") else { return [] }
        return items.enumerated().compactMap { index, item in
            let path = "outputs[\(index)]"
            guard let f = reader.fields(item, path, allowed: ManifestKeys.output) else { return nil }
            let name = reader.require(f, "name").flatMap { reader.string($0, "\(path).name") }
            let concat = decodeInputs(f, item, path)
            let trim = f["trim"].flatMap { reader.trim($0, "\(path).trim") }
            let delivery = decodeDelivery(f, path, name: name)
            guard let name, let concat else { return nil }
            let plain = ["{character}", "{clip}", "{platform}"].reduce(name.value) { $0.replacingOccurrences(of: $1, with: "a") }
            if !Self.isValidName(plain) {
                reader.error(name.mark, span: name.span, "bad-name",
                             "output name '\(name.value)' is not a valid name",
                             hint: "use lowercase letters, digits and '-', optionally with {character}, {clip} or {platform}")
                return nil
            }
            if concat.isEmpty {
                reader.error(item, "empty-output", "output '\(name.value)' concatenates nothing",
                             hint: "list render ids (character/clip) or outputs under concat")
                return nil
            }
            return OutputSpec(name: name, concat: concat, trim: trim, delivery: delivery, mark: item.mark)
        }
    }
}
