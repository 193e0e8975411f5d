import Foundation
import PackagePlugin

/// Names the commit a build comes from, for `troupe --version`: writes `BuildCommit.swift`
/// (`abc1234`, `abc1234-dirty`, or `unknown` outside a git checkout) into the build folder,
/// never into the source tree. A build command, not a prebuild command: SwiftPM runs it when one
/// of its inputs changed — git's HEAD and reflog (every commit, checkout and reset writes them),
/// the index, and the package's sources (a local edit makes the build dirty) — and the script
/// rewrites the file only when its text changes, so an ordinary build recompiles nothing.
@main struct BuildCommit: BuildToolPlugin {
    func createBuildCommands(context: PluginContext, target: any Target) throws -> [Command] {
        let root = context.package.directoryURL
        let output = context.pluginWorkDirectoryURL.appending(path: "BuildCommit.swift")
        var inputs = [root.appending(path: "Package.swift")]
        let gitDirectory = Self.gitDirectory(root)
        for name in ["HEAD", "logs/HEAD", "index"] {
            let file = gitDirectory.appending(path: name)
            if FileManager.default.fileExists(atPath: file.path) { inputs.append(file) }
        }
        for case let module as any SourceModuleTarget in context.package.targets {
            inputs += module.sourceFiles.map(\.url)
        }
        return [.buildCommand(displayName: "Naming the commit troupe is built from",
                              executable: URL(fileURLWithPath: "/bin/sh"),
                              arguments: ["-c", Self.script, "build-commit", output.path, root.path],
                              inputFiles: inputs, outputFiles: [output])]
    }

    /// `.git` is a folder in a clone and a file naming the folder in a worktree.
    static func gitDirectory(_ root: URL) -> URL {
        let dotGit = root.appending(path: ".git")
        guard let text = try? String(contentsOf: dotGit, encoding: .utf8), text.hasPrefix("gitdir:") else { return dotGit }
        return URL(fileURLWithPath: text.dropFirst(7).trimmingCharacters(in: .whitespacesAndNewlines), relativeTo: root)
    }

    /// $1: the file to write, $2: the package. No network, no lock files (--no-optional-locks).
    static let script = #"""
        commit=$(git -C "$2" rev-parse --short=7 HEAD 2>/dev/null) || commit=unknown
        if [ "$commit" != unknown ] && ! git -C "$2" --no-optional-locks diff --quiet HEAD -- 2>/dev/null; then
          commit="$commit-dirty"
        fi
        text="enum BuildCommit { static let name = \"$commit\" }"
        [ "$(cat "$1" 2>/dev/null)" = "$text" ] || printf '%s\n' "$text" >"$1"
        """#
}
