import Foundation
import Testing
import TroupeTestSupport

/// The deliverables demo, cut down to one character and two platforms, through the real
/// binary on preview: files where the plan says, read back by ffprobe/ffmpeg, a second run idle.
@Suite(.serialized) struct DeliverRunTests {
    static let ffmpeg = FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg")

    @Test func aCampaignsDeliverablesRenderOnPreviewAndASecondRunDoesNothing() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-cli-deliver-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        try FileManager.default.copyItem(at: repoRoot.appendingPathComponent("manifests/demo/media"),
                                         to: dir.appendingPathComponent("media"))
        var text = try String(contentsOf: repoRoot.appendingPathComponent("manifests/demo/deliver.yaml"), encoding: .utf8)
        text = text.replacingOccurrences(of: "  mochi: {image: media/mochi.png}\n", with: "")
            .replacingOccurrences(of: "platform: [reels, youtube, square]", with: "platform: [reels, square]")
        try text.write(to: dir.appendingPathComponent("troupe.yaml"), atomically: true, encoding: .utf8)

        let plan = try troupe(["plan"], in: dir)
        #expect(plan.status == 0, "\(plan.stderr)")
        #expect(plan.stdout.contains("deliverables (local, no units):"), "\(plan.stdout)")
        #expect(plan.stdout.contains("pip-reels") && plan.stdout.contains("pip-square"))

        let run = try troupe(["run"], in: dir)
        #expect(run.status == 0, "\(run.stderr)")
        let out = dir.appendingPathComponent("out")
        for name in ["pip-reels.mp4", "pip-reels.jpg", "pip-reels.gif", "pip-square.mp4", "pip-square.jpg", "pip-square.gif"] {
            #expect(FileManager.default.fileExists(atPath: out.appendingPathComponent(name).path), "\(name)")
        }
        let again = try troupe(["run"], in: dir)
        #expect(again.status == 0 && again.stderr.contains("nothing to do"), "\(again.stderr)")

        guard Self.ffmpeg else { return }
        let reels = out.appendingPathComponent("pip-reels.mp4").path
        let probe = try tool("ffprobe", ["-v", "error", "-select_streams", "v:0", "-show_entries", "stream=width,height,profile",
                                         "-of", "csv=p=0", reels])
        #expect(probe.trimmingCharacters(in: .whitespacesAndNewlines) == "High,1080,1920")
        let meter = try tool("ffmpeg", ["-nostats", "-hide_banner", "-i", reels, "-af", "ebur128=peak=true", "-f", "null", "-"])
        let summary = meter.components(separatedBy: "Summary:").last ?? ""
        let integrated = number(after: "I:", in: summary), peak = number(after: "Peak:", in: summary)
        #expect(abs(integrated + 14) <= 0.5, "\(integrated) LUFS")
        #expect(peak <= -0.9, "\(peak) dBTP")
    }

    private func tool(_ name: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/" + name)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    private func number(after label: String, in text: String) -> Double {
        guard let r = text.range(of: label) else { return .nan }
        return Double(text[r.upperBound...].drop { $0 == " " }.prefix { "-+.0123456789".contains($0) }) ?? .nan
    }
}
