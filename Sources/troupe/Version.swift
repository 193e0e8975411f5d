/// What `troupe --version` prints: `0.1.0 (abc1234)`.
enum TroupeVersion {
    /// The newest released version in CHANGELOG.md; before the first release, 0.1.0, the
    /// version `[Unreleased]` will ship as. `VersionTests` holds this to CHANGELOG.md.
    static let number = "0.1.0"

    /// The commit of the checkout this binary was built from (`-dirty` when its sources differed
    /// from it), written by the BuildCommit plugin at build time; "unknown" outside a git checkout.
    static var commit: String { BuildCommit.name }

    static var description: String { "\(number) (\(commit))" }
}
