public import TroupeSupport
import Foundation

/// Kling's limits (TroupeSupport.KlingLimits) applied to a probed file.
extension MediaInfo {
    /// Human-readable reasons Kling would refuse this file; empty when it passes.
    /// Images get the character-image checks; videos the clip checks for `orientation`,
    /// measured after `trim` (seconds) when given.
    public func klingViolations(orientation: Orientation, trim: ClosedRange<Double>? = nil) -> [String] {
        isImage ? klingImageViolations() : klingClipViolations(orientation: orientation, trim: trim)
    }

    public func klingImageViolations() -> [String] {
        var problems: [String] = []
        if !isImage || !KlingLimits.imageExtensions.contains(fileExtension) || !["png", "jpeg"].contains(container) {
            problems.append("image must be a JPG/JPEG or PNG file (this is \(describeFormat))")
        }
        if sizeBytes > KlingLimits.imageMaxBytes {
            problems.append("image is \(megabytes(sizeBytes)) MB; Kling accepts at most 10 MB — compress or downscale it")
        }
        if min(width, height) < KlingLimits.imageMinSide {
            problems.append("image is \(width)×\(height); each side must be at least \(KlingLimits.imageMinSide) px")
        }
        let aspect = Double(width) / Double(max(1, height))
        if aspect > KlingLimits.imageMaxAspect + 1e-9 || aspect < 1 / KlingLimits.imageMaxAspect - 1e-9 {
            problems.append("image aspect \(width)×\(height) is outside 1:2.5 … 2.5:1 — crop it")
        }
        return problems
    }

    public func klingClipViolations(orientation: Orientation, trim: ClosedRange<Double>? = nil) -> [String] {
        var problems = clipFileViolations(what: "clip")
        let seconds = trim.map { $0.upperBound - $0.lowerBound } ?? durationSeconds
        let limit = orientation.maxClipSeconds
        let what = trim == nil ? "clip is" : "trimmed clip is"
        if KlingLimits.clipIsTooShort(seconds) {
            problems.append("\(what) \(MediaError.seconds(seconds)) s long; Kling needs at least 3 s")
        }
        if KlingLimits.clipIsTooLong(seconds, orientation: orientation) {
            let hint = orientation == .image ? " — trim it or use orientation video (up to 30 s)" : " — trim it"
            problems.append("\(what) \(MediaError.seconds(seconds)) s long; orientation '\(orientation.rawValue)' allows at most \(Int(limit)) s\(hint)")
        }
        if let trim, trim.lowerBound < -KlingLimits.slack || trim.upperBound > durationSeconds + KlingLimits.slack {
            problems.append("trim [\(MediaError.seconds(trim.lowerBound)), \(MediaError.seconds(trim.upperBound))] is outside the clip (0–\(MediaError.seconds(durationSeconds)) s)")
        }
        return problems
    }

    /// Checks for an element's reference video (3–8 s).
    public func klingElementViolations() -> [String] {
        var problems = clipFileViolations(what: "element reference video")
        if KlingLimits.elementLengthIsOutOfRange(durationSeconds) {
            problems.append("element reference video is \(MediaError.seconds(durationSeconds)) s long; it must be 3–8 s")
        }
        return problems
    }

    private func clipFileViolations(what: String) -> [String] {
        var problems: [String] = []
        if isImage || !KlingLimits.clipExtensions.contains(fileExtension) || !["mp4", "mov"].contains(container) {
            problems.append("\(what) must be an MP4 or MOV file (this is \(describeFormat))")
        }
        if sizeBytes > KlingLimits.clipMaxBytes {
            problems.append("\(what) is \(megabytes(sizeBytes)) MB; Kling accepts at most 100 MB — conform it")
        }
        let side = KlingLimits.clipMinSide...KlingLimits.clipMaxSide
        if !side.contains(width) || !side.contains(height) {
            problems.append("\(what) is \(width)×\(height); each side must be 340–3850 px — conform it")
        }
        return problems
    }

    private var describeFormat: String {
        fileExtension.isEmpty ? container : "\(container), .\(fileExtension)"
    }

    private func megabytes(_ bytes: Int) -> String {
        String(format: "%.1f", Double(bytes) / 1_000_000)
    }
}
