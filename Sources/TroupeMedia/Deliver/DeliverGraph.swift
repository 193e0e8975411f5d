import Foundation

/// The filter graph descriptions of a deliverable: pure text from the spec and the measured
/// facts of its inputs, so tests (and the benchmark's ffmpeg CLI run) can read the same graph.
///
/// Labels: sources `main` (the input's picture), `logo`, `card`, `snd` (the input's sound),
/// `m0`…`mN` (copies of the music, looped by crossfading one into the next); sinks `vout`, `aout`.
struct DeliverGraph {
    let spec: DeliverSpec
    /// Output frame rate.
    let rate: Rational
    /// Programme seconds (after trim), a whole number of frames.
    let programme: Double
    /// The input has sound the deliverable keeps.
    let hasSound: Bool
    /// Seconds of the music file, when there is one.
    let musicSeconds: Double?

    var width: Int { spec.preset.width }
    var height: Int { spec.preset.height }
    /// Programme frames.
    var frames: Int { max(1, Int((programme * rate.value).rounded())) }
    var cardFrames: Int { spec.endCard.map { max(1, Int(($0.seconds * rate.value).rounded())) } ?? 0 }
    /// The whole deliverable: programme then end card.
    var total: Double { programme + Double(cardFrames) / rate.value }

    // MARK: - Picture

    var video: String {
        let w = width, h = height
        var parts: [String] = []
        // Exactly `frames` frames: the last source frame is held if the clip ends a little early.
        var chain = "[main]trim=start=0:end=\(n(programme)),fps=\(rate.num)/\(rate.den):start_time=0"
            + ",tpad=stop_mode=clone:stop_duration=1,trim=end_frame=\(frames)"
        switch spec.fit {
        case .crop:
            chain += ",scale=\(w):\(h):force_original_aspect_ratio=increase,crop=\(w):\(h)"
        case .pad:
            chain += ",scale=\(w):\(h):force_original_aspect_ratio=decrease:force_divisible_by=2"
                + ",pad=\(w):\(h):(ow-iw)/2:(oh-ih)/2:black"
        case .blur:
            parts.append(chain + ",split[fg0][bg0]")
            parts.append("[bg0]scale=\(w / 4):\(h / 4):force_original_aspect_ratio=increase,crop=\(w / 4):\(h / 4)"
                + ",boxblur=10:2,scale=\(w):\(h)[bg1]")
            parts.append("[fg0]scale=\(w):\(h):force_original_aspect_ratio=decrease:force_divisible_by=2[fg1]")
            chain = "[bg1][fg1]overlay=(W-w)/2:(H-h)/2"
        }
        chain += ",setsar=1"
        if let o = spec.overlay {
            parts.append(chain + "[fit]")
            let lw = max(2, Int((o.width * Double(w)).rounded()))
            parts.append("[logo]scale=\(lw):-1,format=rgba,colorchannelmixer=aa=\(n(o.opacity))[lg]")
            let m = Int((o.margin * Double(min(w, h))).rounded())
            let x = o.corner == .topLeft || o.corner == .bottomLeft ? "\(m)" : "W-w-\(m)"
            let y = o.corner == .topLeft || o.corner == .topRight ? "\(m)" : "H-h-\(m)"
            chain = "[fit][lg]overlay=x=\(x):y=\(y):format=auto:eof_action=repeat"
        }
        if let captions = spec.captions {
            chain += ",subtitles=filename=\(Self.escape(captions)):force_style=\(Self.escape(Self.captionStyle))"
        }
        chain += fades(video: true)
        chain += ",format=yuv420p"
        if spec.endCard != nil {
            parts.append(chain + "[prog]")
            parts.append("[card]scale=\(w):\(h):force_original_aspect_ratio=decrease:force_divisible_by=2"
                + ",pad=\(w):\(h):(ow-iw)/2:(oh-ih)/2:black,setsar=1,format=yuv420p[cardf]")
            parts.append("[prog][cardf]concat=n=2:v=1:a=0[vout]")
        } else {
            parts.append(chain + "[vout]")
        }
        return parts.joined(separator: ";")
    }

    /// White text with a dark outline, low in the frame (above the players' own controls).
    static let captionStyle = "FontName=DejaVu Sans,FontSize=13,PrimaryColour=&H00FFFFFF,OutlineColour=&H00000000,"
        + "BorderStyle=1,Outline=1.2,Shadow=0,MarginV=36"

    private func fades(video: Bool) -> String {
        let fade = video ? "fade" : "afade"
        var text = ""
        if spec.fadeIn > 0 { text += ",\(fade)=t=in:st=0:d=\(n(spec.fadeIn))" }
        if spec.fadeOut > 0 { text += ",\(fade)=t=out:st=\(n(max(0, programme - spec.fadeOut))):d=\(n(spec.fadeOut))" }
        return text
    }

    // MARK: - Sound

    static let stereo48k = "aresample=48000,aformat=sample_fmts=fltp:sample_rates=48000:channel_layouts=stereo"

    /// The programme's own sound, faded and padded with silence over the end card.
    var programmeSound: String {
        guard hasSound else { return "anullsrc=r=48000:cl=stereo,atrim=end=\(n(total))" }
        return "[snd]\(Self.stereo48k),atrim=start=0:end=\(n(programme))\(fades(video: false)),apad=whole_dur=\(n(total))"
            + ",atrim=end=\(n(total))"
    }

    /// Copies of the music needed to cover the deliverable, crossfaded `crossfade` seconds.
    var musicCopies: Int {
        guard let m = musicSeconds, m < total else { return 1 }
        let c = crossfade
        return max(1, Int(((total - c) / max(0.001, m - c)).rounded(.up)))
    }

    var crossfade: Double { min(1, (musicSeconds ?? 4) / 4) }

    /// The music bed, `gain` dB, exactly as long as the deliverable and faded out at its end
    /// (a chain without its output label).
    func music(gain: Double) -> String {
        let copies = musicCopies
        // Timestamps counted from samples: every copy starts at 0, and what acrossfade passes on
        // from its second input keeps that input's own times.
        var parts = (0..<copies).map { "[m\($0)]\(Self.stereo48k),asetpts=N/SR/TB[mc\($0)]" }
        var last = "mc0"
        for k in 1..<max(1, copies) {
            parts.append("[\(last)][mc\(k)]acrossfade=d=\(n(crossfade)):c1=qsin:c2=qsin,asetpts=N/SR/TB[mx\(k)]")
            last = "mx\(k)"
        }
        let out = min(1, total / 4)
        parts.append("[\(last)]apad=whole_dur=\(n(total)),atrim=end=\(n(total)),afade=t=out:st=\(n(total - out)):d=\(n(out))"
            + ",volume=\(n(gain))dB")
        return parts.joined(separator: ";")
    }

    /// Programme and bed mixed (bed `musicGain` dB), before the loudness gain.
    func mix(musicGain: Double?) -> String {
        guard let musicGain, spec.music != nil else { return programmeSound }
        return programmeSound + "[prog];" + music(gain: musicGain) + "[bed];[prog][bed]amix=inputs=2:duration=first:normalize=0"
    }

    /// The sound as delivered: `gain` dB, then a true-peak limiter (4× oversampled, so peaks
    /// between samples are caught too); a chain without its output label.
    func sound(musicGain: Double?, gain: Double) -> String {
        let ceiling = pow(10, (spec.truePeak - Self.limiterMargin) / 20)
        return mix(musicGain: musicGain) + ",volume=\(n(gain))dB,aresample=192000"
            + ",alimiter=limit=\(n(ceiling)):level=0:latency=1:attack=2:release=50,\(Self.stereo48k)"
    }

    /// dB kept under the true-peak ceiling for what AAC encoding adds to the peaks.
    static let limiterMargin = 0.6

    /// A measuring graph: `chain` (one of the above, without sink) then ebur128, to `aout`.
    static func measured(_ chain: String) -> String {
        chain + ",ebur128=peak=true:metadata=1[aout]"
    }

    // MARK: - Text

    /// A number as the filter options read it.
    private func n(_ value: Double) -> String { Self.number(value) }

    static func number(_ value: Double) -> String {
        let text = String(format: "%.6f", value)
        var trimmed = text
        while trimmed.hasSuffix("0") { trimmed.removeLast() }
        if trimmed.hasSuffix(".") { trimmed.removeLast() }
        return trimmed == "-0" ? "0" : trimmed
    }

    /// A value escaped for a filter option, then for the graph description (FFmpeg's two
    /// levels of quoting), so any file name survives.
    static func escape(_ value: String) -> String {
        let option = value.reduce(into: "") { out, c in
            if "\\':".contains(c) { out.append("\\") }
            out.append(c)
        }
        return option.reduce(into: "") { out, c in
            if "\\'[],;".contains(c) { out.append("\\") }
            out.append(c)
        }
    }
}
