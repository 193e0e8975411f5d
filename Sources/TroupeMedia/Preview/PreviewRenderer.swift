public import TroupeSupport

/// The `preview` provider's renderer: the reference clip, dimmed, with the character cut out of
/// its picture standing on the clip's moving subject, as tall as it, following it; offline and
/// free. The clip's sound is kept as it is. Same inputs and settings give the same bytes.
public struct PreviewRenderer: Sendable {
    public var settings: VideoSettings
    /// How much of the clip's brightness (and colour) is left under the character, out of 256.
    public var dimming: Int

    public init(settings: VideoSettings = .preview, dimming: Int = 150) {
        self.settings = settings
        self.dimming = dimming
    }

    /// Heights the preview renders at: std (720p) and pro (1080p).
    public static let heights: Set<Int> = [720, 1080]

    /// The preview's highest frame rate. A faster clip plays at its rate divided by the smallest
    /// whole number that brings it to this or below (30 → 15, 60 → 15, 24 → 12, 25 → 12.5), so
    /// the preview shows every 2nd (3rd, 4th…) frame of the clip: about half the decoding,
    /// scaling and encoding of a full-rate preview, for a local draft.
    public static let maxFrameRate = 15

    /// Kept clip pictures, at most (bytes): within it the clip is decoded once for both the
    /// subject's path and the pictures (a 30 s 720p or 10 s 1080p clip); beyond, twice.
    static let keepBudget = 512 << 20

    /// The length Kling bills for a clip of `duration` seconds, and so the preview's: rounded
    /// half up, at least 1 s.
    public static func billedSeconds(_ duration: Double) -> Int {
        max(1, Int((duration + 0.5).rounded(.down)))
    }

    /// The preview's frame rate for a clip of `source` frames per second (30 when unknown).
    static func frameRate(for source: Rational) -> Rational {
        let base = source.isValid ? source : Rational(30, 1)
        let cap = maxFrameRate * base.den
        let step = max(1, (base.num + cap - 1) / cap)
        guard step > 1 else { return base }
        let den = base.den * step
        return den <= Int(Int32.max) ? Rational(base.num, den) : Rational.frameRate(base.value / Double(step))
    }

    /// Renders `seconds` of `clip` (looped or cut) at `height` (720 or 1080, width from the
    /// clip's aspect, even) with the character from `image` on the clip's moving subject.
    /// `orientation` `.image` keeps the picture's facing; `.video` mirrors it while the subject
    /// heads the other way from where it first went. Sound comes from the clip when `keepSound`.
    /// Asynchronous only because it may wait for another preview analysing the same clip; the
    /// decoding and encoding run on the caller's thread.
    @discardableResult
    public func render(image: String, clip: String, output: String, height: Int, seconds: Int, keepSound: Bool,
                       orientation: Orientation = .image,
                       cancellation: MediaCancellation? = nil) async throws(MediaError) -> PreviewSummary {
        guard Self.heights.contains(height) else {
            throw .invalidArgument("\(output): preview height must be 720 or 1080, not \(height)")
        }
        guard (1...300).contains(seconds) else {
            throw .invalidArgument("\(output): preview length must be 1–300 s, not \(seconds)")
        }
        let source = try PreviewSource(clip: clip, height: height, seconds: seconds, keepSound: keepSound,
                                       cancellation: cancellation)
        let cutout = try CharacterCutout(image: image, maxHeight: height, cancellation: cancellation)
        let total = max(1, Int((Double(seconds) * source.rate.value).rounded()))
        let (path, kept, told) = try await subjectPath(source, clip: clip)
        let compositor = PreviewCompositor(cutout: cutout, path: path, mirrors: orientation == .video,
                                           width: source.width, height: source.height)
        let writer = try PreviewWriter(path: output, source: source, total: total, settings: settings,
                                       cancellation: cancellation)
        if !kept.isEmpty {
            // Each clip frame looks the same in every pass: composite once, show it each time.
            for (k, frame) in kept.enumerated() { try compositor.draw(on: frame, at: k) }
            for j in 0..<total { try writer.append(kept[j % kept.count]) }
        } else {
            var produced = 0
            while produced < total {
                try source.decode(upTo: total - produced) { k, picture throws(MediaError) in
                    let frame = picture.dimmedCopy(factor: dimming)
                    try compositor.draw(on: frame, at: k)
                    try writer.append(frame)
                }
                produced += min(source.frames, total - produced)
            }
        }
        try writer.finish()
        return PreviewSummary(followsSubject: path.followed, notice: told ? nil : path.notice)
    }

    /// The subject's path (from this process's cache, or by analysing the clip) and, when it
    /// was analysed here and fits the budget, the dimmed clip pictures decoded on the way.
    private func subjectPath(_ source: PreviewSource, clip: String)
        async throws(MediaError) -> (SubjectPath, [Frame], told: Bool) {
        let key = SubjectPathCache.Key(clip: clip, width: source.width, height: source.height, rate: source.rate,
                                       frames: source.frames)
        if let key, case .known(let path, let told) = await SubjectPathCache.shared.claim(key) {
            return (path, [], told)
        }
        let tracker = SubjectTracker(width: source.width, height: source.height)
        let keep = source.frames * source.width * source.height * 3 / 2 <= Self.keepBudget
        var kept: [Frame] = []
        do {
            try source.decode { _, picture throws(MediaError) in
                tracker.add(picture)
                if keep { kept.append(picture.dimmedCopy(factor: dimming)) }
            }
        } catch {
            if let key { SubjectPathCache.shared.abandon(key) }
            throw error
        }
        let path = tracker.path(frameRate: source.rate.value)
        if let key { SubjectPathCache.shared.store(path, for: key) }
        return (path, kept, false)
    }
}

/// What a preview found in its clip.
public struct PreviewSummary: Sendable, Equatable {
    /// Whether the character follows a subject found in the clip (else it stands at the centre).
    public var followsSubject: Bool
    /// Why the character is centred, the first time this process previews the clip; nil
    /// otherwise, so the reason is said once however many characters share the clip.
    public var notice: String?
}

extension SubjectTracker {
    /// The path the character follows, or the centred fallback with the reason.
    func path(frameRate: Double) -> SubjectPath {
        switch detect() {
        case .found(let parts):
            return SubjectPath(parts: parts, columns: columns, rows: rows, block: block, frameRate: frameRate)
        case .noSubject(let why):
            return .centred(frames: count, width: width, height: height,
                            notice: "\(why); the character stands at the centre")
        }
    }
}
