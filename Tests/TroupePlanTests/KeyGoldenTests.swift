import Foundation
import Testing
@testable import TroupePlan

/// Pins the content key of every job of every example manifest, and of a manifest whose
/// strings need escaping: a key that changes means paid renders are made again, so no
/// refactor may change one unnoticed. TROUPE_RECORD_GOLDEN=1 re-records (only when the
/// encoding's version in docs/keys.md changes on purpose).
@Suite struct KeyGoldenTests {
    static let goldenDir = repoRoot.appendingPathComponent("Tests/TroupePlanTests/Golden/keys")

    /// Golden name → manifest, relative to the repository.
    static let manifests: [(golden: String, manifest: String)] = [
        ("campaign", "manifests/campaign.yaml"),
        ("mascot", "manifests/mascot.yaml"),
        ("remote", "manifests/remote.yaml"),
        ("demo", "manifests/demo/troupe.yaml"),
        ("deliver", "manifests/demo/deliver.yaml"),
        ("escaping", "Tests/TroupePlanTests/Golden/keys/escaping.yaml"),
    ]

    /// `id key` per job, in plan order: what `troupe plan --json` prints as each job's key.
    static func keys(ofManifest path: String) throws -> String {
        let campaign = Campaign.open(manifest: repoRoot.appendingPathComponent(path).path, status: LockStatus(nil))
        let plan = try #require(campaign.plan, "\(campaign.diagnostics.map(\.message))")
        return plan.jobs.map { "\($0.id) \($0.key)\n" }.joined()
    }

    @Test(arguments: manifests.map(\.golden))
    func keysMatchGolden(_ name: String) throws {
        let manifest = try #require(Self.manifests.first { $0.golden == name }).manifest
        let text = try Self.keys(ofManifest: manifest)
        let golden = Self.goldenDir.appendingPathComponent("\(name).keys")
        if ProcessInfo.processInfo.environment["TROUPE_RECORD_GOLDEN"] != nil {
            try text.write(to: golden, atomically: true, encoding: .utf8)
        }
        #expect(text == (try String(contentsOf: golden, encoding: .utf8)))
    }

    /// The escaping rules of docs/keys.md, byte for byte: `"` `\` and the three named controls
    /// get their short escape, other controls below 0x20 `\u00xx` (lowercase), everything else
    /// (DEL, U+2028, non-ASCII) is copied as UTF-8.
    @Test func stringsAreEscapedAsDocumented() {
        var key = ContentKey(kind: "render")
        key.add("prompt", "q\"b\\s\tt\nn\rr\u{01}\u{1f}\u{7f}é日🎬\u{2028}")
        key.add("plain", "slow, graceful")
        key.add("number", 7.35)
        key.add("whole", 6.0)
        let expected = "troupe-key/1\nkind=render\nnumber=7.35\nplain=\"slow, graceful\"\n"
            + #"prompt="q\"b\\s\tt\nn\rr\u0001\u001f"# + "\u{7f}é日🎬\u{2028}\"\nwhole=6\n"
        #expect(key.canonicalText == expected)
        #expect(key.hex == "1f33932604004dbdc2c9e469095e00c2007b340c5f5dac94de9d667ab9f6c9a2")
    }

    /// Every manifest under manifests/ that plans is pinned here, so a new example is not forgotten.
    @Test func everyValidExampleIsPinned() throws {
        let root = repoRoot.appendingPathComponent("manifests").path
        let files = try #require(FileManager.default.enumerator(atPath: root)).compactMap { $0 as? String }
            .filter { ($0.hasSuffix(".yaml") || $0.hasSuffix(".yml")) && !$0.hasPrefix("invalid/") }
        let pinned = Set(Self.manifests.map(\.manifest))
        for file in files { #expect(pinned.contains("manifests/" + file), "manifests/\(file) has no key golden") }
    }
}
