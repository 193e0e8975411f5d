import Foundation
import Testing
import TroupeRun
import TroupeState

/// One command that changes a campaign's state at a time; readers never wait or fail.
@Suite(.serialized) struct CampaignLockTests {
    @Test func aSecondRunExitsThreeNamingTheHolderUnlessItWaits() async throws {
        let p = try CLIProject()
        var held: CampaignLock? = try CampaignLock(stateDirectory: p.dir.appendingPathComponent(".troupe").path, command: "test holder")
        let run = try troupe(["run"], in: p.dir)
        #expect(run.status == 3)
        #expect(run.stderr.contains("(pid \(getpid()), troupe test holder)"), "\(run.stderr)")
        #expect(run.stderr.contains("--wait"))
        #expect(try troupe(["gc"], in: p.dir).status == 3)
        // Readers go on.
        #expect(try troupe(["plan"], in: p.dir).status == 0)
        #expect(try troupe(["validate"], in: p.dir).status == 0)

        // --wait queues behind the holder and runs once it lets go.
        let binary = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("troupe")
        let waiting = Process()
        waiting.executableURL = FileManager.default.isExecutableFile(atPath: binary.path) ? binary
            : Bundle.main.bundleURL.deletingLastPathComponent().appendingPathComponent("troupe")
        waiting.arguments = ["run", "--wait"]
        waiting.currentDirectoryURL = p.dir
        waiting.standardError = FileHandle.nullDevice
        waiting.standardOutput = FileHandle.nullDevice
        try waiting.run()
        try await Task.sleep(for: .milliseconds(1500))
        #expect(waiting.isRunning, "it waits while the lock is held")
        #expect(!FileManager.default.fileExists(atPath: p.dir.appendingPathComponent("out").path))
        held = nil
        let deadline = Date().addingTimeInterval(120)
        while waiting.isRunning && Date() < deadline { try await Task.sleep(for: .milliseconds(50)) }
        waiting.waitUntilExit()
        #expect(waiting.terminationStatus == 0)
        #expect(FileManager.default.fileExists(atPath: p.dir.appendingPathComponent("out/showreel.mp4").path))
        _ = held
    }

    @Test func gcDropsWhatNoLockRecordsAndSaysWhatItFreed() throws {
        let p = try CLIProject()
        let manifest = p.dir.appendingPathComponent("troupe.yaml")
        let original = try String(contentsOf: manifest, encoding: .utf8)
        #expect(try troupe(["run"], in: p.dir).status == 0)
        for prompt in ["take two", "take three"] {
            try original.replacingOccurrences(of: "studio lighting, clean background", with: prompt)
                .write(to: manifest, atomically: true, encoding: .utf8)
            #expect(try troupe(["run"], in: p.dir).status == 0)
        }
        let objects = { (try? FileManager.default.subpathsOfDirectory(atPath: p.dir.appendingPathComponent(".troupe/cache/sha256").path))?
            .filter { $0.count == 65 }.count ?? 0 }
        let before = objects()
        let dry = try troupe(["gc", "--dry-run"], in: p.dir)
        #expect(dry.status == 0)
        let listed = dry.stdout.split(separator: "\n").filter { $0.hasPrefix("would remove /") }.count
        #expect(listed > 0 && objects() == before, "\(dry.stdout)")
        #expect(dry.stdout.contains("would remove \(listed) cache object(s)"))
        let gc = try troupe(["gc"], in: p.dir)
        #expect(gc.stdout.contains("removed \(listed) cache object(s)"), "\(gc.stdout)")
        #expect(gc.stdout.contains("freed") && !gc.stdout.contains(", 0 B freed"))
        #expect(objects() == before - listed)
        // What the lock records stays: nothing to do, and verify is clean.
        let again = try troupe(["run"], in: p.dir)
        #expect(again.stderr.contains("nothing to do"), "\(again.stderr)")
        #expect(try troupe(["verify"], in: p.dir).status == 0)
    }
}
