import Foundation
@testable import TroupeMedia

/// Independent meters for deliverables: the ffmpeg/ffprobe CLI reading the file back, never
/// the code that made it. Tests that need them are skipped where the CLI is not installed.
enum CLIMeter {
    static let available = FileManager.default.isExecutableFile(atPath: "/usr/bin/ffmpeg")
        && FileManager.default.isExecutableFile(atPath: "/usr/bin/ffprobe")

    /// Runs a program, returning stdout and stderr together.
    static func run(_ tool: String, _ arguments: [String]) throws -> String {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/" + tool)
        process.arguments = arguments
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = pipe
        try process.run()
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return String(decoding: data, as: UTF8.self)
    }

    /// Integrated loudness (LUFS) and true peak (dBTP) from ebur128's summary.
    static func loudness(_ path: String) throws -> (integrated: Double, truePeak: Double) {
        let text = try run("ffmpeg", ["-nostats", "-hide_banner", "-i", path, "-af", "ebur128=peak=true", "-f", "null", "-"])
        guard let summary = text.range(of: "Summary:") else { return (.nan, .nan) }
        let tail = String(text[summary.upperBound...])
        return (value(after: "I:", in: tail) ?? .nan, value(after: "Peak:", in: tail) ?? .nan)
    }

    /// One stream's fields as ffprobe says them (`codec_name`, `profile`, `width`, …).
    static func stream(_ path: String, _ selector: String) throws -> [String: String] {
        let text = try run("ffprobe", ["-v", "error", "-select_streams", selector, "-show_streams", "-of", "flat=s=_", path])
        var fields: [String: String] = [:]
        for line in text.split(separator: "\n") {
            guard let eq = line.firstIndex(of: "=") else { continue }
            let key = line[..<eq].split(separator: "_", maxSplits: 3).last.map(String.init) ?? ""
            fields[key] = String(line[line.index(after: eq)...]).trimmingCharacters(in: CharacterSet(charactersIn: "\""))
        }
        return fields
    }

    /// Times (s) of the video frames whose average luma is above `luma` (the synth's white tick frames).
    static func brightFrames(_ path: String, luma: Double = 200) throws -> [Double] {
        let text = try run("ffmpeg", ["-nostats", "-hide_banner", "-i", path, "-vf",
                                      "signalstats,metadata=print:key=lavfi.signalstats.YAVG", "-an", "-f", "null", "-"])
        var times: [Double] = []
        var current: Double?
        for line in text.split(separator: "\n") {
            if let t = value(after: "pts_time:", in: String(line)) { current = t }
            if let y = value(after: "YAVG=", in: String(line)), y > luma, let current { times.append(current) }
        }
        return times
    }

    /// Times (s) before `end` where sound starts after at least 0.2 s of quieter sound: the
    /// synth's clicks over its tone 19 dB lower (at −14 LUFS the clicks meet the limiter's
    /// ceiling and the tone peaks near −11 dBFS: −6 dB lies between them).
    static func soundOnsets(_ path: String, before end: Double) throws -> [Double] {
        let text = try run("ffmpeg", ["-nostats", "-hide_banner", "-i", path, "-af", "silencedetect=n=-6dB:d=0.2",
                                      "-vn", "-f", "null", "-"])
        // silencedetect also ends a silence at the end of the file: not an onset.
        return text.split(separator: "\n").compactMap { value(after: "silence_end:", in: String($0)) }.filter { $0 < end }
    }

    private static func value(after label: String, in text: String) -> Double? {
        guard let r = text.range(of: label) else { return nil }
        let rest = text[r.upperBound...].drop { $0 == " " }
        return Double(rest.prefix { "-+.0123456789".contains($0) })
    }
}

extension TempDir {
    /// A clip whose sound and picture carry the same ticks (white frame, loud click) each second.
    func tickClip(_ name: String = "ticks.mp4", width: Int = 320, height: Int = 240, seconds: Double = 5) throws -> String {
        try clip(name, width: width, height: height, seconds: seconds, tone: .init(ticks: true))
    }

    /// Where `needle` first occurs in a file's bytes (box names for the faststart check).
    func offset(of needle: String, in path: String) -> Int? {
        let data = fileBytes(path)
        return data.range(of: Data(needle.utf8)).map { $0.lowerBound }
    }
}
