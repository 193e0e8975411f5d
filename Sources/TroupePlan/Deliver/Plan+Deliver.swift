public import TroupeManifest
public import TroupeMedia
public import TroupeSupport

extension Plan {
    /// The preset a deliverable is made for: its platform's, or reels' rules at its `size:`.
    public static func preset(_ d: Delivery, platform: String?) -> PlatformPreset {
        if let size = d.size?.value { return .custom(width: size.width, height: size.height) }
        return platform.flatMap(PlatformPreset.named) ?? PlatformPreset.all[0]
    }

    /// What the media engine makes output `o` with, nil for a plain concat/trim output.
    /// The output's trim is part of it: one encode for trim and finish.
    public func deliverSpec(output o: Int) -> DeliverSpec? {
        let out = outputs[o]
        guard let d = manifest.outputs[out.spec].delivery else { return nil }
        let overlay = d.overlay.map { v in
            DeliverSpec.Overlay(image: v.image.resolved, corner: DeliverSpec.Corner(rawValue: v.corner.rawValue) ?? .topRight,
                                width: v.width, margin: v.margin, opacity: v.opacity)
        }
        return DeliverSpec(preset: Self.preset(d, platform: out.platform), trim: out.trim,
                           fit: DeliverSpec.FitMode(rawValue: d.fit.rawValue) ?? .crop, overlay: overlay,
                           captions: d.captions?.resolved, fadeIn: d.fadeIn, fadeOut: d.fadeOut,
                           endCard: d.endCard.map { .init(image: $0.image.resolved, seconds: $0.seconds) },
                           music: d.music.map { .init(path: $0.resolved, level: d.musicLevel) }, original: d.original,
                           loudness: d.loudness, truePeak: d.truePeak)
    }
}

extension Still {
    /// Writes this still of the deliverable at `source` (a post job's one input) to `output`.
    public func make(from source: String, to output: String, cancellation: MediaCancellation? = nil) throws(MediaError) {
        switch self {
        case .poster(let seconds):
            try Deliverable.poster(source, at: seconds, to: output, cancellation: cancellation)
        case .gif(let width, let fps, let from, let to):
            try Deliverable.gif(source, spec: .init(width: width, fps: fps, from: from, to: to), to: output, cancellation: cancellation)
        }
    }
}
