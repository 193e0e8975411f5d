import Foundation
@testable import TroupeMedia

/// Synthetic reference clips whose subject path is known: a static textured background (or one
/// that pans, for the moving-camera case) and a blue rectangle whose centre is `centre(frame)`.
struct SubjectClip {
    var width = 640, height = 360, fps = 30.0, seconds = 4.0
    var subjectWidth = 64, subjectHeight = 144
    /// Background pixels shift left this much per frame (a panning camera); 0 for a still one.
    var pan = 0
    var tone = true
    /// Centre of the subject in source frame `index` (may be outside the frame).
    var centre: @Sendable (Int) -> (x: Double, y: Double)

    var frameCount: Int { Int((seconds * fps).rounded()) }

    func write(to path: String) throws {
        let rate = Rational.frameRate(fps)
        let muxer = try Muxer(path: path, width: width, height: height, frameRate: rate,
                              settings: VideoSettings(preset: "veryfast", crf: 20, gop: 30),
                              audio: tone ? (48_000, 2) : nil, cancellation: nil)
        var generator = tone ? ToneGenerator(tone: Synth.Tone(frequency: 330)) : nil
        let still = pan == 0 ? background(0) : nil
        muxer.beginSegment(frames: frameCount)
        for index in 0..<frameCount {
            let t = Double(index) / rate.value
            let frame = still?.copy() ?? background(index)
            drawSubject(index, on: frame)
            try muxer.video.feed(frame, at: t)
            if var g = generator, let audio = muxer.audio {
                while g.time < t + 1 / rate.value {
                    let (frame, start) = g.next()
                    try audio.feed(frame, at: start)
                }
                generator = g
            }
        }
        try muxer.endSegment()
        try muxer.finish()
    }

    /// Textured in brightness and colour (so a panning camera changes every pixel), no green, no orange.
    private func background(_ index: Int) -> Frame {
        let frame = Frame.video(width: width, height: height, format: .init(0))  // yuv420p
        let shift = index * pan
        frame.fillPixels(plane: 0) { x, y in UInt8(70 + ((x + shift) / 24 * 37 + y / 24 * 53) % 70) }
        frame.fillPixels(plane: 1) { x, y in UInt8(100 + ((x + shift / 2) / 12 * 7 + y / 12 * 3) % 50) }
        frame.fillPixels(plane: 2) { x, y in UInt8(100 + ((x + shift / 2) / 12 * 5 + y / 12 * 11) % 50) }
        return frame
    }

    private func drawSubject(_ index: Int, on frame: Frame) {
        let c = centre(index)
        let x = Int(c.x.rounded()) - subjectWidth / 2, y = Int(c.y.rounded()) - subjectHeight / 2
        frame.fill(plane: 0, x: x & ~1, y: y & ~1, width: subjectWidth, height: subjectHeight, value: 80)
        frame.fill(plane: 1, x: x / 2, y: y / 2, width: subjectWidth / 2, height: subjectHeight / 2, value: 190)
        frame.fill(plane: 2, x: x / 2, y: y / 2, width: subjectWidth / 2, height: subjectHeight / 2, value: 100)
    }
}

/// The character picture: an orange body, a white nose on its right (so a mirror shows), on a
/// flat green backdrop. PNG, or PAM with a transparent backdrop when `alpha`.
enum CharacterPicture {
    static let backdrop: (UInt8, UInt8, UInt8) = (0, 200, 0)

    static func write(to path: String, width: Int = 240, height: Int = 360, alpha: Bool = false) throws {
        var rgba = [UInt8](repeating: 0, count: width * height * 4)
        for y in 0..<height {
            for x in 0..<width {
                let dx = (Double(x) - Double(width) / 2) / (Double(width) * 0.4)
                let dy = (Double(y) - Double(height) / 2) / (Double(height) * 0.45)
                let nose = abs(Double(y) - Double(height) * 0.35) < Double(height) * 0.05
                    && Double(x) > Double(width) * 0.62 && Double(x) < Double(width) * 0.78
                let body = dx * dx + dy * dy < 1
                let (r, g, b): (UInt8, UInt8, UInt8) = nose ? (255, 255, 255) : body ? (255, 128, 0) : backdrop
                let i = 4 * (y * width + x)
                rgba[i] = r; rgba[i + 1] = g; rgba[i + 2] = b; rgba[i + 3] = alpha && !body ? 0 : 255
            }
        }
        if alpha {
            let header = "P7\nWIDTH \(width)\nHEIGHT \(height)\nDEPTH 4\nMAXVAL 255\nTUPLTYPE RGB_ALPHA\nENDHDR\n"
            try (Data(header.utf8) + Data(rgba)).write(to: URL(fileURLWithPath: path))
            return
        }
        let frame = Frame.video(width: width, height: height, format: .init(2))  // rgb24
        frame.fillRGB { x, y in let i = 4 * (y * width + x); return (rgba[i], rgba[i + 1], rgba[i + 2]) }
        try ImageWriter.write(frame, to: path, format: try ImageWriter.format(for: path))
    }
}

/// A preview's frames as the ffmpeg CLI decodes them (an independent meter), RGB24, reduced to
/// `width` pixels wide by point sampling (colours stay pure; positions are fractions anyway).
struct DecodedFrames {
    let width: Int, height: Int
    let frames: [[UInt8]]

    init(_ path: String, width: Int = 320) throws {
        let probe = try run(["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
                             "stream=width,height", "-of", "csv=p=0", path])
        let size = String(decoding: probe, as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines)
            .split(separator: ",").compactMap { Int($0) }
        self.width = width; height = size[1] * width / size[0] / 2 * 2
        let raw = try run(["ffmpeg", "-v", "error", "-i", path, "-vf", "scale=\(width):\(height):flags=neighbor",
                           "-f", "rawvideo", "-pix_fmt", "rgb24", "-"])
        let bytes = [UInt8](raw), frameBytes = width * height * 3
        frames = stride(from: 0, to: bytes.count - frameBytes + 1, by: frameBytes).map { Array(bytes[$0..<($0 + frameBytes)]) }
    }

    static func isOrange(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Bool { r > 170 && g > 70 && g < 190 && b < 90 }
    static func isWhite(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Bool { r > 200 && g > 200 && b > 200 }
    static func isGreen(_ r: UInt8, _ g: UInt8, _ b: UInt8) -> Bool { g > 130 && r < 90 && b < 90 }

    /// Pixels of a frame passing `test`, as (x, y).
    func pixels(_ k: Int, _ test: (UInt8, UInt8, UInt8) -> Bool) -> [(Int, Int)] {
        let f = frames[k]
        var out: [(Int, Int)] = []
        for i in 0..<(width * height) where test(f[3 * i], f[3 * i + 1], f[3 * i + 2]) { out.append((i % width, i / width)) }
        return out
    }

    /// Centre of the character's body (orange pixels), nil when none shows.
    func characterCentre(_ k: Int) -> (x: Double, y: Double, height: Int)? {
        let body = pixels(k, Self.isOrange)
        guard body.count > 20 else { return nil }
        let ys = body.map(\.1)
        return (Double(body.map(\.0).reduce(0, +)) / Double(body.count), Double(ys.reduce(0, +)) / Double(body.count),
                ys.max()! - ys.min()! + 1)
    }

    /// Backdrop-green pixels farther than `margin` from any orange or white pixel of the frame.
    func strayBackdrop(_ k: Int, margin: Int) -> Int {
        let figure = pixels(k) { Self.isOrange($0, $1, $2) || Self.isWhite($0, $1, $2) }
        var near = [Bool](repeating: false, count: width * height)
        for (x, y) in figure {
            for yy in max(0, y - margin)...min(height - 1, y + margin) {
                for xx in max(0, x - margin)...min(width - 1, x + margin) { near[yy * width + xx] = true }
            }
        }
        return pixels(k, Self.isGreen).filter { !near[$0.1 * width + $0.0] }.count
    }
}

/// Runs a tool, returning its standard output; throws when it fails.
func run(_ arguments: [String]) throws -> Data {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    struct Failed: Error { let arguments: [String] }
    guard process.terminationStatus == 0 else { throw Failed(arguments: arguments) }
    return data
}

/// The sound of a file decoded to 16-bit PCM by the ffmpeg CLI.
func decodedSound(_ path: String) throws -> Data {
    try run(["ffmpeg", "-v", "error", "-i", path, "-map", "0:a:0", "-f", "s16le", "-"])
}
