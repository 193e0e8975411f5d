import Foundation
import Testing

/// Locks and outputs per manifest, self-repair and honest verification, through the binary.
@Suite(.serialized) struct LockPerManifestTests {
    func read(_ url: URL) throws -> String { try String(contentsOf: url, encoding: .utf8) }

    @Test func twoManifestsInOneFolderNeverTouchEachOther() throws {
        let p = try CLIProject()
        let campaign = try read(p.dir.appendingPathComponent("troupe.yaml"))
            .replacingOccurrences(of: "name: demo-mascots", with: "name: winter")
            .replacingOccurrences(of: "prompt: \"studio lighting, clean background\"", with: "prompt: \"snow falling\"")
        try campaign.write(to: p.dir.appendingPathComponent("campaign.yaml"), atomically: true, encoding: .utf8)

        #expect(try troupe(["run"], in: p.dir).status == 0)
        let troupeLock = try read(p.dir.appendingPathComponent("troupe.lock"))
        let wave = try Data(contentsOf: p.dir.appendingPathComponent("out/renders/mochi/wave.mp4"))
        let second = try troupe(["run", "campaign.yaml"], in: p.dir)
        #expect(second.status == 0, "\(second.stderr)")
        #expect(second.stderr.contains("outputs in out/campaign/ (campaign.lock updated)"), "\(second.stderr)")
        #expect(FileManager.default.fileExists(atPath: p.dir.appendingPathComponent("out/campaign/renders/mochi/wave.mp4").path))
        #expect(FileManager.default.fileExists(atPath: p.dir.appendingPathComponent("out/campaign/showreel.mp4").path))
        // The first manifest's lock and outputs are as they were, and it has nothing to do.
        #expect(try read(p.dir.appendingPathComponent("troupe.lock")) == troupeLock)
        #expect(try Data(contentsOf: p.dir.appendingPathComponent("out/renders/mochi/wave.mp4")) == wave)
        let again = try troupe(["run"], in: p.dir)
        #expect(again.stderr.contains("nothing to do"), "\(again.stderr)")
        #expect(try troupe(["verify"], in: p.dir).status == 0)
        #expect(try troupe(["verify", "campaign.yaml"], in: p.dir).status == 0)
        let campaignLock = try read(p.dir.appendingPathComponent("campaign.lock"))
        #expect(campaignLock != troupeLock)
    }

    @Test func runRestoresExportsAndLockEntriesThatVerifyNames() throws {
        let p = try CLIProject()
        #expect(try troupe(["run"], in: p.dir).status == 0)
        let lockURL = p.dir.appendingPathComponent("troupe.lock")
        let lock = try read(lockURL)
        // Damage: an export deleted, one replaced by other bytes, a stray file, a lock entry gone.
        try FileManager.default.removeItem(at: p.dir.appendingPathComponent("out/renders/pip/hop.mp4"))
        let showreel = p.dir.appendingPathComponent("out/showreel.mp4")
        let good = try Data(contentsOf: showreel)
        try FileManager.default.removeItem(at: showreel)
        try Data("not a video".utf8).write(to: showreel)
        try Data("stray".utf8).write(to: p.dir.appendingPathComponent("out/renders/old.mp4"))
        var json = try JSONSerialization.jsonObject(with: Data(lock.utf8)) as! [String: Any]
        var renders = json["renders"] as! [String: Any]
        renders["mochi/wave"] = nil
        json["renders"] = renders
        try JSONSerialization.data(withJSONObject: json).write(to: lockURL)

        let v = try troupe(["verify"], in: p.dir)
        #expect(v.status == 1)
        #expect(v.stderr.contains("mismatch: render pip/hop: out/renders/pip/hop.mp4 is missing"), "\(v.stderr)")
        #expect(v.stderr.contains("mismatch: output showreel: out/showreel.mp4 differs from the locked result"))
        #expect(v.stderr.contains("out/renders/mochi/wave.mp4 is not in the lock"))
        #expect(v.stderr.contains("mismatch: file: out/renders/old.mp4 is made by no job of this manifest"))
        #expect(v.stderr.contains("  troupe run troupe.yaml   # restores exports"))

        // The hint repairs (the stray file is the user's to delete, as the hint says).
        let repair = try troupe(["run", "troupe.yaml"], in: p.dir)
        #expect(repair.status == 0, "\(repair.stderr)")
        #expect(try Data(contentsOf: showreel) == good)
        #expect(FileManager.default.fileExists(atPath: p.dir.appendingPathComponent("out/renders/pip/hop.mp4").path))
        #expect(try read(lockURL) == lock, "the lock is whole again")
        try FileManager.default.removeItem(at: p.dir.appendingPathComponent("out/renders/old.mp4"))
        let after = try troupe(["verify"], in: p.dir)
        #expect(after.status == 0, "\(after.stderr)")
    }

    @Test func aFolderLockFromBeforeIsRenamedForItsManifest() throws {
        let p = try CLIProject()
        try FileManager.default.moveItem(at: p.dir.appendingPathComponent("troupe.yaml"), to: p.dir.appendingPathComponent("mascots.yaml"))
        #expect(try troupe(["run", "mascots.yaml"], in: p.dir).status == 0)
        // What an earlier troupe left: the folder's one troupe.lock, written for mascots.yaml.
        try FileManager.default.moveItem(at: p.dir.appendingPathComponent("mascots.lock"), to: p.dir.appendingPathComponent("troupe.lock"))
        let plan = try troupe(["plan", "mascots.yaml", "--json"], in: p.dir)
        #expect(plan.stderr.contains("troupe.lock was written for mascots.yaml by an earlier troupe"), "\(plan.stderr)")
        #expect(plan.stdout.contains("\"locked\":{\"jobs\":5"), "\(plan.stdout.prefix(600))")
        let run = try troupe(["run", "mascots.yaml"], in: p.dir)
        #expect(run.stderr.contains("renamed troupe.lock to mascots.lock"), "\(run.stderr)")
        #expect(FileManager.default.fileExists(atPath: p.dir.appendingPathComponent("mascots.lock").path))
        #expect(!FileManager.default.fileExists(atPath: p.dir.appendingPathComponent("troupe.lock").path))
        #expect(run.stderr.contains("nothing to do"))
    }
}
