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

    @Test func versionIsTheChangelogsAndACommit() throws {
        let r = try troupe(["--version"])
        #expect(r.status == 0, "\(r.stderr)")
        let printed = r.stdout.trimmingCharacters(in: .whitespacesAndNewlines)
        // A test build is a plain `swift build`: the commit is "unknown" unless install.sh built it.
        let expected = try /^(\S+) \((unknown|[0-9a-f]{7,40}(-dirty)?)\)$/.wholeMatch(in: printed)
        #expect(expected != nil, "troupe --version printed '\(printed)'")
        #expect(try expected.map { String($0.1) } == Self.changelogVersion())
    }
}
