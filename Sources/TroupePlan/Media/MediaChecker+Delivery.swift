import TroupeManifest
import TroupeMedia
import TroupeSupport

/// Deliverables' finishing files read by the media engine before anything is made: a logo or
/// end card that is not a picture, music without sound, captions that are not subtitles; and a
/// deliverable that keeps the render's sound over clips that have none.
extension MediaChecker {
    /// What a finishing step needs a file to hold.
    enum Wanted {
        case image, audio, subtitles

        func satisfied(by c: MediaContents) -> Bool {
            switch self {
            case .image: c.kinds.contains(.image)
            case .audio: c.kinds.contains(.audio)
            case .subtitles: c.kinds.contains(.subtitles)
            }
        }
    }

    /// Every overlay, end card, music and captions file of the manifest's deliverables, each
    /// distinct file opened once (in parallel) however many outputs name it; a problem is
    /// reported at each entry that names the file. Missing files are the loader's diagnostic.
    func checkDeliveryFiles(_ manifest: Manifest) -> [Diagnostic] {
        var uses: [(file: LocalFile, role: String, wanted: Wanted)] = []
        for spec in manifest.outputs {
            guard let d = spec.delivery else { continue }
            if let o = d.overlay { uses.append((o.image, "overlay image", .image)) }
            if let e = d.endCard { uses.append((e.image, "end card image", .image)) }
            if let m = d.music { uses.append((m, "music", .audio)) }
            if let c = d.captions { uses.append((c, "captions", .subtitles)) }
        }
        var paths: [String] = []
        var seen = Set<String>()
        for use in uses where !use.file.resolved.isEmpty && seen.insert(use.file.resolved).inserted {
            if FileStats.statNow(use.file.resolved) != nil { paths.append(use.file.resolved) }
        }
        let files = paths
        let probed = parallelMap(files.count, inlineBelow: 2) { i in
            Result { () throws(MediaError) in try MediaProbe.contents(files[i]) }
        }
        noteProbed(paths.count)
        let found = Dictionary(uniqueKeysWithValues: zip(paths, probed))

        var out: [Diagnostic] = []
        for use in uses {
            guard let result = found[use.file.resolved] else { continue }
            let written = use.file.written
            let problem: String
            switch result {
            case .success(let c) where use.wanted.satisfied(by: c): continue
            case .success(let c): problem = "it is \(c.summary)"
            case .failure(let e): problem = Self.reason(e)
            }
            let (code, what, hint): (String, String, String) = switch use.wanted {
            case .image: ("not-an-image", "is not a picture",
                          "use a PNG (its transparency is kept) or a JPEG image")
            case .audio: ("not-audio", "has no sound",
                          "use an audio file with a sound track (m4a, mp3, wav, aac, ogg, flac)")
            case .subtitles: ("not-subtitles", "is not a subtitle file",
                              "use SubRip (.srt), ASS/SSA or WebVTT captions: numbered cues with times, e.g. 00:00:01,000 --> 00:00:03,000")
            }
            out.append(Diagnostic(file: manifest.path, at: use.file.mark, span: written.count, code: code,
                                  message: "\(use.role) '\(written)' \(what): \(problem)", hint: hint))
        }
        return out
    }

    /// A short cause for a file the probe could not read.
    static func reason(_ e: MediaError) -> String {
        switch e {
        case .unreadable(_, let reason): "FFmpeg cannot read it (\(reason))"
        case .emptyFile: "the file is empty"
        case .notRegularFile(_, let kind): "it is \(kind)"
        case .notReadable: "it cannot be read (permission denied)"
        case .decodeFailed(_, let reason): "its picture does not decode (\(reason))"
        default: "\(e)"
        }
    }

    /// `audio: {original: true}` (the default) over renders whose clips have no sound track:
    /// whatever the provider, a render keeps its reference clip's sound (`keep_sound`) and has
    /// none when the clip has none. Reported when no input of the deliverable has sound; an
    /// output whose renders are all `keep_sound: false` is the loader's diagnostic already.
    /// `clipHasAudio[k]` is nil when unknown (a URL clip): taken to have sound.
    func checkOriginalSound(_ manifest: Manifest, matrix: RenderMatrix, outputs: [ResolvedOutput],
                            clipHasAudio: [Bool?]) -> [Diagnostic] {
        guard clipHasAudio.contains(false) else { return [] }
        func keeps(_ c: Int, _ k: Int) -> Bool { matrix.block(character: c, clip: k).map { matrix.blocks[$0].settings.keepSound } ?? true }
        let settingsOnly = ResolvedOutput.withSound(outputs) { c, k in keeps(c, k) }
        let withClips = ResolvedOutput.withSound(outputs) { c, k in keeps(c, k) && clipHasAudio[k] != false }
        var out: [Diagnostic] = []
        var reported = Set<Int>()
        for (o, output) in outputs.enumerated() where settingsOnly[o] && !withClips[o] {
            let spec = manifest.outputs[output.spec]
            guard let d = spec.delivery, d.original, reported.insert(output.spec).inserted else { continue }
            let silent = ResolvedOutput.clips(of: o, in: outputs).filter { clipHasAudio[$0] == false }.map { k in
                let clip = manifest.clips[k]
                if case .local(let written, _) = clip.video { return "'\(clip.name)' (\(written))" }
                return "'\(clip.name)'"
            }
            out.append(Diagnostic(file: manifest.path, at: d.originalMark ?? spec.mark, code: "no-sound",
                                  message: "output '\(output.name)' keeps the render's sound (audio.original), but its renders have none: "
                                      + "clip\(silent.count == 1 ? "" : "s") \(silent.joined(separator: ", ")) \(silent.count == 1 ? "has" : "have") no sound track",
                                  hint: "render over a clip with sound, or set `audio: {original: false, music: FILE}`"))
        }
        return out
    }
}
