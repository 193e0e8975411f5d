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
}
