import Foundation
import Testing
@testable import TroupeMedia

/// Damaged inputs must give a `MediaError` naming the file — never a crash, never partial output.
@Suite struct BadMediaTests {
    /// Writes `bytes` to `name` in `dir` and returns the path.
    func write(_ bytes: Data, _ name: String, in dir: TempDir) -> String {
        let p = dir.path(name)
        _ = FileManager.default.createFile(atPath: p, contents: bytes)
        return p
    }

    func expectMediaError(_ path: String, _ body: () throws -> Void) {
        do {
            try body()
            Issue.record("\(path): expected a MediaError")
        } catch let error as MediaError {
            #expect(error.description.contains(path), "the message names the file: \(error)")
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test func missingAndEmptyFiles() throws {
        let dir = TempDir()
        #expect(throws: MediaError.notFound(path: dir.path("nope.mp4"))) { try MediaProbe.probe(dir.path("nope.mp4")) }
        let empty = write(Data(), "empty.mp4", in: dir)
        #expect(throws: MediaError.emptyFile(path: empty)) { try MediaProbe.probe(empty) }
        // A folder is there, but is not a file: said so, not "no such file".
        #expect(throws: MediaError.notRegularFile(path: dir.url.path, kind: "a folder")) { try MediaProbe.probe(dir.url.path) }
    }

    @Test(arguments: [0.1, 0.5, 0.9])
    func truncatedVideo(fraction: Double) throws {
        let dir = TempDir()
        let whole = fileBytes(try dir.clip(seconds: 2))
        let cut = write(whole.prefix(Int(Double(whole.count) * fraction)), "cut.mp4", in: dir)
        expectMediaError(cut) { _ = try MediaProbe.probe(cut) }
        expectMediaError(cut) { try MediaEditor.trim(cut, to: dir.path("t.mp4"), start: 0.5, end: 1) }
        #expect(!FileManager.default.fileExists(atPath: dir.path("t.mp4")))
    }

    @Test(arguments: ["png", "jpg"])
    func truncatedImage(ext: String) throws {
        let dir = TempDir()
        let image = dir.path("whole.\(ext)")
        try Synth.image(to: image, width: 320, height: 320)
        let cut = write(fileBytes(image).prefix(fileBytes(image).count / 3), "cut.\(ext)", in: dir)
        expectMediaError(cut) { _ = try MediaProbe.probe(cut) }
    }

    @Test func wrongExtensions() throws {
        let dir = TempDir()
        let image = dir.path("char.png")
        try Synth.image(to: image, width: 320, height: 320)
        let fakeVideo = write(fileBytes(image), "fake.mp4", in: dir)
        #expect(throws: MediaError.wrongExtension(path: fakeVideo, expected: "MP4", actual: "PNG")) {
            try MediaProbe.probe(fakeVideo)
        }
        let fakeImage = write(fileBytes(try dir.clip(seconds: 1)), "fake.jpg", in: dir)
        expectMediaError(fakeImage) { _ = try MediaProbe.probe(fakeImage) }
        let fakeJPEG = write(fileBytes(image), "fake.jpeg", in: dir)
        expectMediaError(fakeJPEG) { _ = try MediaProbe.probe(fakeJPEG) }
    }

    @Test func corruptHeaderAndGarbage() throws {
        let dir = TempDir()
        var bytes = fileBytes(try dir.clip(seconds: 1))
        for i in 0..<64 { bytes[i] = UInt8((i * 37) & 0xFF) }
        let corrupt = write(bytes, "corrupt.mp4", in: dir)
        expectMediaError(corrupt) { _ = try MediaProbe.probe(corrupt) }
        let text = write(Data("hello, not a video\n".utf8), "notes.mp4", in: dir)
        expectMediaError(text) { _ = try MediaProbe.probe(text) }
        var rng = SystemRandomNumberGenerator()
        let noise = write(Data((0..<50_000).map { _ in UInt8.random(in: 0...255, using: &rng) }), "noise.mov", in: dir)
        expectMediaError(noise) { _ = try MediaProbe.probe(noise) }
    }

    /// A provider's result is read as MP4 only: a real clip probes as usual, anything else
    /// (a PNG, text, an empty file) is an error rather than whatever FFmpeg guesses.
    @Test func resultsAreProbedAsMP4Only() throws {
        let dir = TempDir()
        let clip = try dir.clip(seconds: 2)
        let info = try MediaProbe.probeMP4(clip)
        #expect(info == (try MediaProbe.probe(clip)))
        #expect(abs(info.durationSeconds - 2) < 0.1)
        let png = dir.path("still.png")
        try Synth.image(to: png, width: 64, height: 64)
        let pngAsResult = write(fileBytes(png), "result.mp4", in: dir)
        expectMediaError(pngAsResult) { _ = try MediaProbe.probeMP4(pngAsResult) }
        let text = write(Data("troupe-sim placeholder result\n".utf8), "placeholder.mp4", in: dir)
        expectMediaError(text) { _ = try MediaProbe.probeMP4(text) }
        let empty = write(Data(), "empty.mp4", in: dir)
        #expect(throws: MediaError.emptyFile(path: empty)) { try MediaProbe.probeMP4(empty) }
    }

    @Test func absurdImageDimensions() throws {
        let dir = TempDir()
        let image = dir.path("char.png")
        try Synth.image(to: image, width: 320, height: 320)
        var bytes = fileBytes(image)
        // IHDR width/height live at bytes 16–23.
        for (i, b) in [0x00, 0x01, 0x86, 0xA0, 0x00, 0x01, 0x86, 0xA0].enumerated() { bytes[16 + i] = UInt8(b) }
        let huge = write(bytes, "huge.png", in: dir)
        expectMediaError(huge) { _ = try MediaProbe.probe(huge) }
    }

    @Test func damagedPayloadDoesNotCrashEdits() throws {
        let dir = TempDir()
        var bytes = fileBytes(try dir.clip(seconds: 2))
        let mid = bytes.count / 2
        for i in mid..<(mid + 2000) { bytes[i] = 0xFF }
        let damaged = write(bytes, "damaged.mp4", in: dir)
        let out = dir.path("t.mp4")
        let result = Result { () throws(MediaError) in try MediaEditor.trim(damaged, to: out, start: 0.2, end: 1.8) }
        switch result {
        case .success: #expect(try MediaProbe.probe(out).durationSeconds > 1)
        case .failure(let error): #expect(error.description.contains(damaged))
        }
        try MediaStills.contactSheet([damaged], to: dir.path("s.png"), cellWidth: 64)
    }

    @Test func audioOnlyFileHasNoVideoStream() throws {
        let dir = TempDir()
        let path = dir.path("tone.m4a")
        let output = try OutputFile(path: path, format: "mp4")
        let sink = try AudioSink(output: output, sampleRate: 48_000, channels: 2)
        try output.writeHeader()
        sink.beginSegment(samples: 48_000)
        var tone = ToneGenerator(tone: .init())
        while tone.time < 1 { let (f, t) = tone.next(); try sink.feed(f, at: t) }
        try sink.endSegment()
        try sink.finish()
        try output.finish()
        #expect(throws: MediaError.noVideoStream(path: path)) { try MediaProbe.probe(path) }
        #expect(throws: MediaError.noVideoStream(path: path)) {
            try MediaEditor.concat([path], to: dir.path("out.mp4"))
        }
    }

    @Test func errorsSayWhatToDo() {
        let error = MediaError.invalidRange(path: "a.mp4", start: 2, end: 1.5, duration: 4)
        #expect(error.description == "a.mp4: trim [2, 1.5] is not inside the clip (0–4 s); choose 0 ≤ start < end ≤ duration")
    }

    @Test func unwritableOutputFolder() throws {
        let dir = TempDir()
        let clip = try dir.clip(seconds: 1)
        let out = dir.path("missing/out.mp4")
        #expect(throws: MediaError.self) { try MediaEditor.trim(clip, to: out, start: 0, end: 0.5) }
    }

    @Test func cancellationStopsAndCleansUp() throws {
        let dir = TempDir()
        let clip = try dir.clip(seconds: 2)
        let token = MediaCancellation()
        token.cancel()
        #expect(throws: MediaError.self) {
            try MediaEditor.trim(clip, to: dir.path("t.mp4"), start: 0.5, end: 1.5, cancellation: token)
        }
        #expect(dir.contents == ["clip.mp4"])
    }
}

/// Seeded byte corruption of a real clip: every operation either works or throws a MediaError.
@Suite struct CorruptionTests {
    struct LCG: RandomNumberGenerator {
        var state: UInt64
        mutating func next() -> UInt64 {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            return state
        }
    }

    @Test func seededCorruptionNeverCrashes() throws {
        let dir = TempDir()
        let clean = fileBytes(try dir.clip(seconds: 1.5))
        var rng = LCG(state: 42)
        for round in 0..<16 {
            var bytes = clean
            let flips = Int.random(in: 1...40, using: &rng)
            for _ in 0..<flips { bytes[Int.random(in: 0..<bytes.count, using: &rng)] = UInt8.random(in: 0...255, using: &rng) }
            let path = dir.path("r\(round).mp4")
            _ = FileManager.default.createFile(atPath: path, contents: bytes)
            let ops: [() throws -> Void] = [
                { _ = try MediaProbe.probe(path) },
                { try MediaEditor.trim(path, to: dir.path("t\(round).mp4"), start: 0.3, end: 1.2) },
                { try MediaEditor.concat([path, path], to: dir.path("c\(round).mp4"), allowStreamCopy: false) },
                { try MediaStills.thumbnail(path, at: 0.7, to: dir.path("p\(round).png")) },
            ]
            for op in ops {
                do { try op() } catch {
                    let media = error as? MediaError
                    #expect(media?.description.contains(dir.url.path) == true, "round \(round): \(error)")
                }
            }
        }
        #expect(!dir.contents.contains { $0.hasPrefix(".") }, "no temp files left behind")
    }
}
