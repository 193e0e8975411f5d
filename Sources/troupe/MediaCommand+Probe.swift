import ArgumentParser
import Foundation
import TroupeMedia

struct MediaProbeCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "probe", abstract: "Describe media files and check them against Kling's input limits.")

    @Argument(help: "Files to probe.") var files: [String]
    @Flag(help: "Print JSON (one array, one object per file).") var json = false
    @Option(help: "Check the clip duration after this trim, as START,END seconds.") var trim: String?

    func validate() throws {
        if files.isEmpty { throw ValidationError("Give at least one file.") }
        if trim != nil, parseTrim() == nil { throw ValidationError("--trim takes START,END in seconds, e.g. 1,6.5") }
    }

    private func parseTrim() -> ClosedRange<Double>? {
        guard let trim else { return nil }
        let parts = trim.split(separator: ",").compactMap { Double($0.trimmingCharacters(in: .whitespaces)) }
        guard parts.count == 2, parts[0] < parts[1] else { return nil }
        return parts[0]...parts[1]
    }

    func run() async throws {
        let (files, range, json) = (files, parseTrim(), json)
        let results = try await runMedia { token in MediaProbe.probeAll(files, cancellation: token) }
        // Integrated loudness and true peak of every file with sound (ebur128, a pass over the sound).
        let loudness = try await runMedia { token in
            zip(files, results).map { file, result -> LoudnessReading? in
                guard case .success(let info) = result, info.hasAudio else { return nil }
                return (try? Loudness.measure(file, cancellation: token)) ?? nil
            }
        }
        var reports = zip(files, results).map { ProbeReport(path: $0, result: $1, trim: range) }
        for i in reports.indices { reports[i].loudness = loudness[i] }
        if json {
            let encoder = JSONEncoder()
            encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
            FileHandle.standardOutput.write(try encoder.encode(reports) + Data("\n".utf8))
        } else {
            print(reports.map(\.text).joined(separator: "\n"))
        }
        if reports.contains(where: { $0.error != nil }) { throw ExitCode(1) }
    }
}

/// One file's probe result as printed.
struct ProbeReport: Encodable {
    struct Check: Encodable {
        var ok: Bool
        var violations: [String]
    }

    var path: String
    var info: MediaInfo?
    var error: String?
    /// Per use: "character" for images; "orientation-image" / "orientation-video" (and
    /// "element" for 3–8 s) for clips.
    var kling: [String: Check]?
    /// The sound's integrated loudness (LUFS) and true peak (dBTP), for files with sound.
    var loudness: LoudnessReading?

    init(path: String, result: Result<MediaInfo, MediaError>, trim: ClosedRange<Double>?) {
        self.path = path
        switch result {
        case .failure(let error):
            self.error = error.description
        case .success(let info):
            self.info = info
            func check(_ v: [String]) -> Check { Check(ok: v.isEmpty, violations: v) }
            if info.isImage {
                kling = ["character": check(info.klingImageViolations())]
            } else {
                kling = [
                    "orientation-image": check(info.klingClipViolations(orientation: .image, trim: trim)),
                    "orientation-video": check(info.klingClipViolations(orientation: .video, trim: trim)),
                    "element": check(info.klingElementViolations()),
                ]
            }
        }
    }

    var text: String {
        guard let info, let kling else { return "error: \(error ?? "")" }
        let size = String(format: "%.1f MB", Double(info.sizeBytes) / 1_000_000)
        var head = "\(path): \(info.container) \(info.width)×\(info.height)"
        if info.isImage {
            head += ", \(size)"
        } else {
            head += String(format: ", %.3g fps, %.2f s, %@", info.fps, info.durationSeconds,
                           info.videoCodec + (info.audioCodec.map { "/" + $0 } ?? " (no audio)"))
            head += ", \(size)"
            if info.rotation != 0 { head += ", rotated \(info.rotation)°" }
        }
        var lines = kling.sorted { $0.key < $1.key }.map { key, check in
            "  kling \(key): " + (check.ok ? "ok" : check.violations.joined(separator: "; "))
        }
        if let loudness {
            lines.append(String(format: "  loudness: %.1f LUFS integrated, true peak %.1f dBTP", loudness.integrated, loudness.truePeak))
        }
        return ([head] + lines).joined(separator: "\n")
    }
}
