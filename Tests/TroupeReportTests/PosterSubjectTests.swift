import Foundation
import Testing
import TroupeCache
import TroupeManifest
@testable import TroupeMedia
import TroupePlan
import TroupeProviders
import TroupeReport
import TroupeRun
import TroupeState

/// The report of a campaign rendered on the preview provider, in headless Chromium: the cell's
/// poster shows the character standing on the clip's subject, whose path the test drew. The
/// character is orange; nothing else in the clip is.
@Suite struct PosterSubjectTests {
    @Test func thePosterShowsTheCharacterWhereTheSubjectWalks() async throws {
        let campaign = try WalkerCampaign()
        let result = try await campaign.renderAndReport()
        let cell = try #require(result.page.cells.first)
        #expect(cell.status == .done && cell.poster != nil)

        let shot = campaign.dir + "/poster-screenshot.png"
        let found = try PosterColour.find(index: result.indexPath, cell: cell.id, rgb: (255, 128, 0), tolerance: 70,
                                          png: shot)
        // The picture is 160×90 CSS pixels at two screenshot pixels each; the character is about
        // 40 % of its height, so hundreds of its pixels show.
        #expect(found.width > 200 && found.count > 300, "\(found) (screenshot: \(shot))")
        let subject = WalkerClip.walked
        #expect(found.centred(in: subject), "character centroid \(found.centroid ?? []) outside the subject's box \(subject)")
        if let b = found.box, b.count == 4 {
            let allowed = subject.widened(by: 0.06)
            #expect(allowed.contains(b[0], b[1]) && allowed.contains(b[2], b[3]),
                    "character box \(b) goes beyond the subject's \(allowed)")
        }
        // The check can fail: the other side of the picture, where nothing walks, is not found.
        let mirror = PosterColour.Box(x0: 1 - subject.x1, y0: subject.y0, x1: 1 - subject.x0, y1: subject.y1)
        #expect(!found.centred(in: mirror))
    }
}

/// A reference clip whose subject's path is known: a still textured background with no orange
/// in it and a blue upright block walking to and fro in the left third of the picture.
enum WalkerClip {
    static let width = 640, height = 360, fps = 30.0, seconds = 4.0
    static let subjectWidth = 64, subjectHeight = 160

    /// Centre of the subject in frame `k`, in pixels: x between 0.20 and 0.30 of the width.
    static func centre(_ k: Int) -> (x: Int, y: Int) {
        let phase = Double(k) / (fps * seconds) * 2 * Double.pi
        return (Int(Double(width) * (0.25 - 0.05 * cos(phase))), height / 2 + 10)
    }

    /// Every place the subject's box covers during the clip, as fractions of the frame.
    static var walked: PosterColour.Box {
        let y = Double(height / 2 + 10)
        return PosterColour.Box(x0: 0.20 - Double(subjectWidth) / 2 / Double(width), y0: (y - Double(subjectHeight) / 2) / Double(height),
                                x1: 0.30 + Double(subjectWidth) / 2 / Double(width), y1: (y + Double(subjectHeight) / 2) / Double(height))
    }

    static func write(to path: String) throws {
        let rate = Rational.frameRate(fps)
        let frames = Int(fps * seconds)
        let muxer = try Muxer(path: path, width: width, height: height, frameRate: rate,
                              settings: VideoSettings(preset: "veryfast", crf: 20, gop: 30), audio: nil, cancellation: nil)
        let background = Frame.video(width: width, height: height, format: .init(0))  // yuv420p
        background.fillPixels(plane: 0) { x, y in UInt8(70 + (x / 24 * 37 + y / 24 * 53) % 70) }
        background.fillPixels(plane: 1) { x, y in UInt8(110 + (x / 12 * 7 + y / 12 * 3) % 30) }
        background.fillPixels(plane: 2) { x, y in UInt8(110 + (x / 12 * 5 + y / 12 * 11) % 30) }
        muxer.beginSegment(frames: frames)
        for k in 0..<frames {
            let frame = background.copy()
            let (cx, cy) = centre(k)
            let x = (cx - subjectWidth / 2) & ~1, y = (cy - subjectHeight / 2) & ~1
            frame.fill(plane: 0, x: x, y: y, width: subjectWidth, height: subjectHeight, value: 60)
            frame.fill(plane: 1, x: x / 2, y: y / 2, width: subjectWidth / 2, height: subjectHeight / 2, value: 200)
            frame.fill(plane: 2, x: x / 2, y: y / 2, width: subjectWidth / 2, height: subjectHeight / 2, value: 110)
            try muxer.video.feed(frame, at: Double(k) / rate.value)
        }
        try muxer.endSegment()
        try muxer.finish()
    }
}

/// A one-cell campaign on the preview provider: an orange figure on a green backdrop over the
/// walker clip.
final class WalkerCampaign: @unchecked Sendable {
    let dir: String
    var manifest: String { dir + "/troupe.yaml" }
    var state: String { dir + "/.troupe" }

    init() throws {
        dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-poster-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: dir + "/media", withIntermediateDirectories: true)
        try WalkerClip.write(to: dir + "/media/walk.mp4")
        try Self.writeFigure(to: dir + "/media/hero.png")
        try """
        troupe: 1
        name: poster-subject
        provider: {use: preview, model: kling-v3, mode: std}
        characters:
          hero: {image: media/hero.png}
        clips:
          walk: {video: media/walk.mp4}
        renders:
          - characters: ["*"]
            clips: ["*"]

        """.write(toFile: manifest, atomically: true, encoding: .utf8)
    }

    deinit { try? FileManager.default.removeItem(atPath: dir) }

    /// Runs the campaign with the real executor and writes its report.
    func renderAndReport() async throws -> CampaignReport.Result {
        let store = try StateStore(path: state + "/state.sqlite")
        let executor = Executor(plan: try plan(), store: store, cache: ResultCache(stateDirectory: state),
                                backend: PreviewProvider(), observer: Observers([]), options: RunOptions())
        let summary = try await executor.run()
        guard summary.failed.isEmpty else { throw CampaignError(message: "\(summary.failed)") }
        let lock = try Lockfile.read(Campaign.lockPath(forManifest: manifest))
        return try await CampaignReport.write(plan: try plan(), store: store, lock: lock, stateDirectory: state,
                                              to: dir + "/out/report", now: Date())
    }

    private func plan() throws -> Plan {
        let c = Campaign.open(manifest: manifest)
        guard let p = c.plan else { throw CampaignError(message: c.diagnostics.map(\.message).joined(separator: "\n")) }
        return p
    }

    /// An orange upright figure on a flat green backdrop (cut away by the preview), 400×600.
    static func writeFigure(to path: String) throws {
        let width = 400, height = 600
        let frame = Frame.video(width: width, height: height, format: .init(2))  // rgb24
        frame.fillRGB { x, y in
            let dx = (Double(x) - Double(width) / 2) / (Double(width) * 0.3)
            let dy = (Double(y) - Double(height) / 2) / (Double(height) * 0.45)
            return dx * dx + dy * dy < 1 ? (255, 128, 0) : (0, 200, 0)
        }
        try ImageWriter.write(frame, to: path, format: try ImageWriter.format(for: path))
    }
}
