internal import CTroupeBuildInfo

/// What `troupe --version` prints: `0.1.0 (abc1234)`.
enum TroupeVersion {
    /// The newest released version in CHANGELOG.md; before the first release, 0.1.0, the
    /// version `[Unreleased]` will ship as. `VersionTests` holds this to CHANGELOG.md.
    static let number = "0.1.0"

    /// The commit compiled in by `scripts/install.sh`; "unknown" for a plain `swift build`.
    static var commit: String { String(cString: troupe_build_commit()) }

    static var description: String { "\(number) (\(commit))" }
}
