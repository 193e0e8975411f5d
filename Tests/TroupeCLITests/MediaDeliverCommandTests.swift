import Foundation
import Testing
import TroupeTestSupport

/// `troupe media fit|loudness|gif` and `probe`'s loudness through the real binary.
@Suite(.serialized) struct MediaDeliverCommandTests {
    @Test func oneFilesStepsAndItsLoudnessFromTheCommandLine() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-cli-media-\(UUID().uuidString)")
        defer { try? FileManager.default.removeItem(at: dir) }
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        #expect(try troupe(["media", "synth", "in.mp4", "--width", "320", "--height", "240", "--seconds", "4"], in: dir).status == 0)

        let fit = try troupe(["media", "fit", "in.mp4", "-o", "fit.mp4", "--size", "240x320", "--fit", "pad"], in: dir)
        #expect(fit.status == 0, "\(fit.stderr)")
        #expect(fit.stdout.contains("fit.mp4: 240x320, 4 s"), "\(fit.stdout)")
        let loud = try troupe(["media", "loudness", "in.mp4", "-o", "loud.mp4", "--loudness=-23"], in: dir)
        #expect(loud.status == 0, "\(loud.stderr)")
        let probe = try troupe(["media", "probe", "loud.mp4"], in: dir)
        #expect(probe.status == 0)
        let line = try #require(probe.stdout.split(separator: "\n").first { $0.contains("loudness:") })
        let lufs = Double(line.split(separator: " ")[1]) ?? 0
        #expect(abs(lufs + 23) <= 0.5, "\(line)")
        #expect(try troupe(["media", "gif", "in.mp4", "-o", "in.gif", "--width", "160", "--to", "1"], in: dir).status == 0)
        #expect(FileManager.default.fileExists(atPath: dir.appendingPathComponent("in.gif").path))

        let bad = try troupe(["media", "fit", "in.mp4", "-o", "x.mp4", "--fit", "sideways"], in: dir)
        #expect(bad.status != 0 && bad.stderr.contains("--fit takes crop, pad or blur"), "\(bad.stderr)")
        let unknown = try troupe(["media", "fit", "in.mp4", "-o", "x.mp4", "--platform", "reel"], in: dir)
        #expect(unknown.status != 0 && unknown.stderr.contains("unknown platform 'reel'"), "\(unknown.stderr)")
    }
}
