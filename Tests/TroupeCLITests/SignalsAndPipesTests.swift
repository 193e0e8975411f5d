import Foundation
import Testing
import KlingSim
import TroupeTestSupport

/// Signals and pipes through the real binary: a closed events pipe never stops a run, SIGHUP
/// stops it as SIGINT does, and --events never overwrites what is not an events file.
@Suite(.serialized) struct SignalsAndPipesTests {
    static var binary: URL {
        let b = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("troupe")
        return FileManager.default.isExecutableFile(atPath: b.path) ? b : Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("troupe")
    }

    @Test func aClosedEventsPipeDoesNotStopTheRun() throws {
        let p = try CLIProject()
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["run", "--events", "-"]
        process.currentDirectoryURL = p.dir
        let out = Pipe()
        process.standardOutput = out
        process.standardError = FileHandle.nullDevice
        try process.run()
        // `| head -1`: read one line, then close the pipe.
        var first = Data()
        while !first.contains(UInt8(ascii: "\n")) {
            let chunk = out.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            first.append(chunk)
        }
        try out.fileHandleForReading.close()
        process.waitUntilExit()
        #expect(String(decoding: first, as: UTF8.self).hasPrefix("{"))
        #expect(process.terminationReason == .exit && process.terminationStatus == 0, "status \(process.terminationStatus)")
        #expect(FileManager.default.fileExists(atPath: p.dir.appendingPathComponent("out/showreel.mp4").path))
    }

    @Test func eventsNeverOverwriteTheManifestOrAnotherFile() throws {
        let p = try CLIProject()
        let manifest = try Data(contentsOf: p.dir.appendingPathComponent("troupe.yaml"))
        let onManifest = try troupe(["run", "--events", "troupe.yaml"], in: p.dir)
        #expect(onManifest.status == 2 && onManifest.stderr.contains("that is the manifest"), "\(onManifest.stderr)")
        #expect(try Data(contentsOf: p.dir.appendingPathComponent("troupe.yaml")) == manifest)
        try Data("notes I keep\n".utf8).write(to: p.dir.appendingPathComponent("notes.txt"))
        let onNotes = try troupe(["run", "--events", "notes.txt"], in: p.dir)
        #expect(onNotes.status == 2 && onNotes.stderr.contains("would be overwritten"))
        #expect(try String(contentsOf: p.dir.appendingPathComponent("notes.txt"), encoding: .utf8) == "notes I keep\n")
        // An events file is appended to, run after run.
        #expect(try troupe(["run", "--events", "events.ndjson"], in: p.dir).status == 0)
        let once = try String(contentsOf: p.dir.appendingPathComponent("events.ndjson"), encoding: .utf8)
        #expect(try troupe(["run", "--events", "events.ndjson"], in: p.dir).status == 0)
        let twice = try String(contentsOf: p.dir.appendingPathComponent("events.ndjson"), encoding: .utf8)
        #expect(twice.hasPrefix(once) && twice.count > once.count)
    }

    @Test func sighupStopsTheRunLikeSigint() async throws {
        var config = SimConfiguration()
        config.timeScale = 50
        config.latencyMin = 20
        config.latencyMax = 40
        config.concurrencyLimit = 4
        let sim = try await KlingSimServer.start(config)
        defer { Task { await sim.stop() } }
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-hup-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        try RemoteManifest.text(characters: 4, clips: 5, concurrency: 4, rate: "20/s").write(to: dir.appendingPathComponent("troupe.yaml"), atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["run", "--time-scale", "50", "--poll-interval", "1"]
        process.currentDirectoryURL = dir
        process.environment = ProcessInfo.processInfo.environment.merging(RemoteManifest.environment(simulator: sim.baseURL)) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while await sim.stats().creates < 4, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        kill(process.processIdentifier, SIGHUP)
        let stopAt = Date()
        while process.isRunning, Date().timeIntervalSince(stopAt) < 10 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!process.isRunning, "SIGHUP stops the run promptly")
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 130)
        #expect(await sim.stats().creates < 20)
    }
}
