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

    /// SIGHUP (a closed terminal) and SIGTERM (a CI runner's cancel) stop a run as SIGINT does:
    /// no new creates, exit 130 with the state saved; the next run resumes and creates only what
    /// was never created: every render once.
    @Test(arguments: [SIGHUP, SIGTERM])
    func aHangupOrTerminateStopsTheRunAndTheNextRunResumes(signal: Int32) async throws {
        let p = try await SimProject.start(RemoteManifest.text(characters: 4, clips: 5, concurrency: 4, rate: "20/s"), name: "signal") {
            $0.latencyMin = 20
            $0.latencyMax = 40
            $0.concurrencyLimit = 4
        }
        defer { Task { p.close() } }
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["run", "--time-scale", "50", "--poll-interval", "1"]
        process.currentDirectoryURL = p.dir
        process.environment = ProcessInfo.processInfo.environment.merging(p.env) { $1 }
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(30)
        while await p.sim.stats().creates < 4, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        kill(process.processIdentifier, signal)
        let stopAt = Date()
        // Prompt, but measured on two cores beside the whole suite and a load: 30 s, not 10.
        while process.isRunning, Date().timeIntervalSince(stopAt) < 30 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!process.isRunning, "signal \(signal) stops the run promptly")
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 130)
        #expect(await p.sim.stats().creates < 20)

        let resumed = try await troupeAsync(["run", "--time-scale", "50", "--poll-interval", "1"], in: p.dir, environment: p.env)
        #expect(resumed.status == 0, "\(resumed.stderr)")
        let stats = await p.sim.stats()
        #expect(stats.creates == 20 && stats.createsByExternalID.values.allSatisfy { $0 == 1 }, "\(stats.createsByExternalID)")
    }

    /// The first signal waits for the jobs in flight (here an upload to a store that never
    /// answers); a second one exits 130 at once, without the summary.
    @Test func aSecondSignalExitsAtOnce() async throws {
        let hole = try BlackHole()
        defer { hole.stop() }
        let sim = try await KlingSimServer.start(SimConfiguration())
        defer { Task { await sim.stop() } }
        let p = try await offPool { try CLIProject() }
        let manifest = p.dir.appendingPathComponent("troupe.yaml")
        let text = try String(contentsOf: manifest, encoding: .utf8)
            .replacingOccurrences(of: "provider: {use: preview, model: kling-v3, mode: std}",
                                  with: "provider: {use: kling, model: kling-v3, mode: std}\nuploads: {s3: {bucket: troupe-test, endpoint: \"\(hole.endpoint)\"}}")
        try text.write(to: manifest, atomically: true, encoding: .utf8)
        let process = Process()
        process.executableURL = Self.binary
        process.arguments = ["run"]
        process.currentDirectoryURL = p.dir
        process.environment = ProcessInfo.processInfo.environment.merging(RemoteManifest.environment(simulator: sim.baseURL, s3: hole.endpoint)) { $1 }
        let err = Pipe()
        process.standardOutput = FileHandle.nullDevice
        process.standardError = err
        try process.run()
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL); process.waitUntilExit() } }
        let deadline = Date().addingTimeInterval(60)
        while hole.connections == 0, Date() < deadline { try await Task.sleep(for: .milliseconds(20)) }
        #expect(hole.connections > 0, "an upload is in flight")
        kill(process.processIdentifier, SIGTERM)
        try await Task.sleep(for: .seconds(1))
        #expect(process.isRunning, "the first signal waits for the upload in flight")
        kill(process.processIdentifier, SIGTERM)
        let secondAt = Date()
        while process.isRunning, Date().timeIntervalSince(secondAt) < 10 { try await Task.sleep(for: .milliseconds(20)) }
        #expect(!process.isRunning, "the second signal exits at once")
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        #expect(process.terminationReason == .exit && process.terminationStatus == 130)
        let stderr = String(decoding: err.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(stderr.contains("interrupted: finishing the jobs in flight"), "\(stderr)")
        #expect(!stderr.contains("job(s) done"), "\(stderr)")
    }
}

/// A TCP server on loopback that accepts connections and never answers: a request to it stays
/// in flight until its timeout.
final class BlackHole: @unchecked Sendable {
    let process = Process()
    let port: Int
    private let log: URL
    var endpoint: String { "http://127.0.0.1:\(port)" }

    init() throws {
        port = try MotoServer.freePort()
        log = FileManager.default.temporaryDirectory.appendingPathComponent("black-hole-\(port).log")
        _ = FileManager.default.createFile(atPath: log.path, contents: nil)
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", """
            import socket, sys, time
            s = socket.socket(); s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            s.bind(("127.0.0.1", int(sys.argv[1]))); s.listen(64)
            held = []
            while True:
                c, _ = s.accept(); held.append(c)
                with open(sys.argv[2], "a") as f: f.write("accepted\\n")
            """, String(port), log.path]
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    var connections: Int {
        ((try? String(contentsOf: log, encoding: .utf8)) ?? "").components(separatedBy: "accepted").count - 1
    }

    func stop() {
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        try? FileManager.default.removeItem(at: log)
    }
}
