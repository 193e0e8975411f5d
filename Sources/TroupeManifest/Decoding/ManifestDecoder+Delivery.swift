import TroupeSupport

/// `outputs:` entries' inputs (`concat:` or `from:`) and finishing steps (`platform:`, `fit:`, …).
extension ManifestDecoder {
    static let deliveryKeys = ["platform", "size", "fit", "overlay", "fade", "end_card", "audio", "loudness", "true_peak",
                               "captions", "poster", "gif"]
    static let audioExtensions = ["m4a", "mp3", "wav", "aac", "mp4", "mov", "ogg", "flac"]
    static let captionExtensions = ["srt", "ass", "ssa", "vtt"]

    /// `concat: [..]` or `from: X` (exactly one), as a list of references.
    mutating func decodeInputs(_ f: NodeReader.Fields, _ item: Node, _ path: String) -> [Located<String>]? {
        switch (f["concat"], f["from"]) {
        case (.some(let c), nil): return reader.stringList(c, "\(path).concat")
        case (nil, .some(let v)): return reader.string(v, "\(path).from").map { [$0] }
        case (.some, .some):
            reader.error(f.keyMark("from"), span: 4, "conflicting-keys", "'\(path)' has both `concat` and `from`",
                         hint: "use `from: NAME` for one input, `concat: [..]` to join several")
            return nil
        case (nil, nil):
            reader.error(item.mark, "missing-key", "'\(path)' needs `concat` (inputs joined in order) or `from` (one input)",
                         hint: "add `concat: [\"{character}/*\"]` or `from: OUTPUT`")
            return nil
        }
    }

    mutating func decodeDelivery(_ f: NodeReader.Fields, _ path: String, name: Located<String>?) -> Delivery? {
        let templated = name?.value.contains("{platform}") == true
        guard Self.deliveryKeys.contains(where: { f[$0] != nil }) else {
            if templated, let name {
                reader.error(name.mark, span: name.span, "missing-platform", "output '\(name.value)' uses {platform} but has no `platform:` list",
                             hint: "add `platform: [reels, youtube, square]` (presets: \(PlatformPreset.names.joined(separator: ", ")))")
            }
            return nil
        }
        var d = Delivery(mark: f.node.mark)
        decodeTarget(f, path, name: name, into: &d)
        if let v = f["fit"], let x = reader.choice(v, "\(path).fit", Delivery.Fit.self) { d.fit = x.value }
        if let v = f["overlay"] { d.overlay = decodeOverlay(v, "\(path).overlay") }
        if let v = f["fade"], let g = reader.fields(v, "\(path).fade", allowed: ManifestKeys.fade) {
            d.fadeIn = seconds(g["in"], "\(path).fade.in", within: 0...10) ?? 0
            d.fadeOut = seconds(g["out"], "\(path).fade.out", within: 0...10) ?? 0
        }
        if let v = f["end_card"], let g = reader.fields(v, "\(path).end_card", allowed: ManifestKeys.endCard),
           let image = localFile(g, "image", "\(path).end_card", extensions: Self.imageExtensions, kind: "image") {
            let s = reader.require(g, "seconds").flatMap { seconds($0, "\(path).end_card.seconds", within: 0.1...30) }
            if let s { d.endCard = .init(image: image, seconds: s) }
        }
        if let v = f["audio"], let g = reader.fields(v, "\(path).audio", allowed: ManifestKeys.audio) {
            d.music = g["music"] == nil ? nil : localFile(g, "music", "\(path).audio", extensions: Self.audioExtensions, kind: "audio")
            d.musicLevel = seconds(g["music_level"], "\(path).audio.music_level", within: -60...0, unit: "dB") ?? -12
            if let o = g["original"], let b = reader.bool(o, "\(path).audio.original") {
                d.original = b.value
                d.originalMark = o.mark
            }
            if !d.original && d.music == nil && g["music"] == nil {
                reader.error(v, "silent-output", "'\(path).audio' drops the render's sound and adds no music",
                             hint: "add `music: media/bed.m4a`, or keep the sound with `original: true`")
            }
        }
        d.loudness = seconds(f["loudness"], "\(path).loudness", within: -40 ... -5, unit: "LUFS")
        d.truePeak = seconds(f["true_peak"], "\(path).true_peak", within: -9...0, unit: "dBTP")
        if f["captions"] != nil {
            d.captions = localFile(f, "captions", path, extensions: Self.captionExtensions, kind: "subtitle")
        }
        d.poster = seconds(f["poster"], "\(path).poster", within: 0...86_400)
        if let v = f["gif"] { d.gif = decodeGIF(v, "\(path).gif") }
        return d
    }

    /// `platform:` (a preset or a list) or `size: WxH`, and the name's `{platform}`.
    private mutating func decodeTarget(_ f: NodeReader.Fields, _ path: String, name: Located<String>?, into d: inout Delivery) {
        let templated = name?.value.contains("{platform}") == true
        if let v = f["platform"], let list = reader.stringList(v, "\(path).platform") {
            for p in list {
                if PlatformPreset.named(p.value) != nil { d.platforms.append(p); continue }
                let hint = Suggestion.closest(to: p.value, in: PlatformPreset.names).map { "did you mean '\($0)'?" }
                reader.error(p.mark, span: p.span, "unknown-preset", "'\(p.value)' is not a platform preset",
                             hint: (hint.map { $0 + " " } ?? "") + "presets: \(PlatformPreset.names.joined(separator: ", "))")
            }
            if list.count > 1 && !templated, let name {
                reader.error(name.mark, span: name.span, "platform-name",
                             "output '\(name.value)' lists \(list.count) platforms but its name has no {platform}",
                             hint: "name it '\(name.value)-{platform}' so each platform gets its own file")
            }
        }
        if let v = f["size"], let s = reader.string(v, "\(path).size") {
            let parts = s.value.split(separator: "x").compactMap { Int($0) }
            if parts.count == 2, parts.allSatisfy({ $0 >= 16 && $0 <= 8192 && $0 % 2 == 0 }) {
                d.size = Located(PictureSize(width: parts[0], height: parts[1]), at: s.mark, span: s.span)
            } else {
                reader.error(v, "invalid-size", "'\(path).size' must be WIDTHxHEIGHT in even pixels from 16 to 8192; found '\(s.value)'",
                             hint: "e.g. size: 1080x1920")
            }
        }
        if f["platform"] != nil && f["size"] != nil {
            reader.error(f.keyMark("size"), span: 4, "conflicting-keys", "'\(path)' has both `platform` and `size`",
                         hint: "a platform preset sets the size; use `size:` only for a picture no preset has")
        } else if f["platform"] == nil && f["size"] == nil {
            reader.error(f.node.mark, "missing-key", "'\(path)' finishes a deliverable but names no `platform` or `size`",
                         hint: "add `platform: reels` (presets: \(PlatformPreset.names.joined(separator: ", "))) or `size: 1080x1920`")
        }
        if templated && f["platform"] == nil, let name {
            reader.error(name.mark, span: name.span, "missing-platform", "output '\(name.value)' uses {platform} but has no `platform:` list",
                         hint: "add `platform: [reels, youtube, square]`")
        }
    }

    private mutating func decodeOverlay(_ node: Node, _ path: String) -> Delivery.Overlay? {
        guard let g = reader.fields(node, path, allowed: ManifestKeys.overlay) else { return nil }
        // Every field is checked even when the image is wrong: all problems at once.
        let image = localFile(g, "image", path, extensions: Self.imageExtensions, kind: "image")
        var o = Delivery.Overlay(image: image ?? LocalFile(written: "", resolved: "", mark: node.mark))
        if let v = g["at"], let c = reader.choice(v, "\(path).at", Delivery.Corner.self) { o.corner = c.value }
        o.width = seconds(g["width"], "\(path).width", within: 0.01...1, unit: "of the frame's width") ?? o.width
        o.margin = seconds(g["margin"], "\(path).margin", within: 0...0.5, unit: "of the frame's shorter side") ?? o.margin
        o.opacity = seconds(g["opacity"], "\(path).opacity", within: 0.01...1, unit: "(1 is opaque)") ?? o.opacity
        return image == nil ? nil : o
    }

    private mutating func decodeGIF(_ node: Node, _ path: String) -> Delivery.GIF? {
        guard let g = reader.fields(node, path, allowed: ManifestKeys.gif) else { return nil }
        var gif = Delivery.GIF()
        gif.width = seconds(g["width"], "\(path).width", within: 16...4096, unit: "px").map { Int($0) } ?? gif.width
        gif.fps = seconds(g["fps"], "\(path).fps", within: 1...50, unit: "frames per second").map { Int($0) } ?? gif.fps
        gif.from = seconds(g["from"], "\(path).from", within: 0...86_400) ?? gif.from
        gif.to = seconds(g["to"], "\(path).to", within: 0...86_400) ?? gif.to
        if gif.to <= gif.from || gif.to - gif.from > 30 {
            reader.error(node, "out-of-range", "'\(path)' must show 0 < to − from ≤ 30 s; found from \(NumberText.shortest(gif.from)) to \(NumberText.shortest(gif.to))",
                         hint: "a GIF is a short loop: e.g. gif: {from: 0, to: 3}")
            return nil
        }
        return gif
    }

    /// A number within `range` (seconds unless `unit` says otherwise), or nil after a diagnostic.
    private mutating func seconds(_ node: Node?, _ path: String, within range: ClosedRange<Double>, unit: String = "s") -> Double? {
        guard let node, let n = reader.number(node, path) else { return nil }
        guard range.contains(n.value) else {
            reader.error(node, "out-of-range", "'\(path)' is \(NumberText.shortest(n.value)); it must be from \(NumberText.shortest(range.lowerBound)) to \(NumberText.shortest(range.upperBound)) \(unit)",
                         hint: "choose a value in that range")
            return nil
        }
        return n.value
    }

    /// A local file under `key`, its extension checked and its existence queued for `checkLocalFiles`.
    private mutating func localFile(_ g: NodeReader.Fields, _ key: String, _ path: String, extensions: [String],
                                    kind: String) -> LocalFile? {
        guard let node = reader.require(g, key), let written = reader.string(node, "\(path).\(key)") else { return nil }
        let value = written.value
        if value.contains("://") {
            reader.error(node, "unsupported-url", "'\(path).\(key)' must be a file beside the manifest, not a URL",
                         hint: "download it into the project (e.g. media/) and name it by its path")
            return nil
        }
        let ext = Self.fileExtension(value)
        guard extensions.contains(ext) else {
            let found = ext.isEmpty ? "no extension" : "'.\(ext)'"
            reader.error(node, "unsupported-format", "\(kind) file '\(value)' has \(found); use \(extensions.map { "." + $0 }.joined(separator: ", "))",
                         hint: "convert it, or point `\(path).\(key)` at a\(kind == "image" ? "n" : "") \(kind) file")
            return nil
        }
        let resolved = value.hasPrefix("/") ? value : baseDirectory + "/" + value
        localFiles.append((node, value, resolved))
        return LocalFile(written: value, resolved: resolved, mark: node.mark)
    }
}
