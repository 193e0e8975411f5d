import Foundation
import Testing

/// `troupe --version` names the release (from CHANGELOG.md) and the commit it was built from.
@Suite struct VersionTests {
    /// The newest `## [X.Y.Z]` heading; before the first release there is none and the version
    /// is 0.1.0, the one `[Unreleased]` will ship as (CHANGELOG.md's introduction says so).
    static func changelogVersion() throws -> String {
        let text = try String(contentsOf: repoRoot.appendingPathComponent("CHANGELOG.md"), encoding: .utf8)
        let heading = /^## \[(\d+\.\d+\.\d+)\]/.anchorsMatchLineEndings()
        return try heading.firstMatch(in: text).map { String($0.1) } ?? "0.1.0"
    }

    /// A plain `swift build` from a git checkout (as the tests are built) names a commit of this
    /// repository, and the name is made in the build folder, not in the source tree.
    @Test func versionIsTheChangelogsAndACommit() throws {
        let r = try troupe(["--version"])
        #expect(r.status == 0, "\(r.stderr)")
        let printed = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        let expected = try /^(\S+) \(([0-9a-f]{7,40})(-dirty)?\)$/.wholeMatch(in: printed)
        #expect(expected != nil, "troupe --version printed '\(printed)'")
        #expect(try expected.map { String($0.1) } == Self.changelogVersion())
        if let commit = expected.map({ String($0.2) }) {
            let (known, _, err) = try CIRecipeTests.shell(["git", "cat-file", "-e", commit + "^{commit}"], in: repoRoot)
            #expect(known == 0, "\(commit) is not a commit of this checkout: \(err)")
        }
        let (_, untracked, _) = try CIRecipeTests.shell(["git", "status", "--porcelain", "--ignored", "--", "Sources", "Plugins"], in: repoRoot)
        #expect(!untracked.contains("BuildCommit"), "\(untracked)")
    }

    /// libavfilter (and the thirty libraries it needs) is opened by the first filter graph, not
    /// by every command: the dynamic loader's own account of what it opened says so.
    @Test func libavfilterIsOpenedOnlyByAFilterGraph() throws {
        let dir = FileManager.default.temporaryDirectory.appendingPathComponent("troupe-lazy-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: dir, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: dir) }
        /// What the loader opened for one command (LD_DEBUG_OUTPUT: a file, not the pipe).
        func opened(_ arguments: [String], _ name: String) throws -> String {
            let log = dir.appendingPathComponent(name).path
            let r = try troupe(arguments, environment: ["LD_DEBUG": "files", "LD_DEBUG_OUTPUT": log])
            #expect(r.status == 0, "\(arguments): \(r.stderr)")
            let files = try FileManager.default.contentsOfDirectory(atPath: dir.path).filter { $0.hasPrefix(name + ".") }
            return try files.map { try String(contentsOfFile: dir.appendingPathComponent($0).path, encoding: .utf8) }.joined()
        }
        let plain = try opened(["--version"], "version")
        #expect(plain.contains("libavformat"), "the loader's log names what it opened")
        #expect(!plain.contains("libavfilter"), "troupe --version loaded libavfilter")
        let clip = dir.appendingPathComponent("in.mp4").path, out = dir.appendingPathComponent("out.mp4").path
        #expect(try troupe(["media", "synth", clip, "--seconds", "1"]).status == 0)
        let graph = try opened(["media", "loudness", clip, "-o", out, "--loudness=-16"], "graph")
        #expect(graph.contains("libavfilter.so"), "a filter graph was built without libavfilter?")
    }
}
