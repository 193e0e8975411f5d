public import TroupeManifest
import Foundation

/// A manifest with its neighbours: its lock and the .troupe/ state folder beside it.
/// This is what `troupe plan` (and later `run`) start from.
public struct Campaign: Sendable {
    public var loaded: ManifestLoader.Result
    public var plan: Plan?
    /// Loader and planner diagnostics together.
    public var diagnostics: [Diagnostic]
    public var sources: [SourceText]

    /// Each manifest has its own lock beside it, named after it: `troupe.yaml` → `troupe.lock`,
    /// `campaign.yaml` → `campaign.lock`, so manifests sharing a folder never touch each other's.
    public static func lockPath(forManifest path: String) -> String {
        let url = URL(fileURLWithPath: path)
        return url.deletingLastPathComponent().appendingPathComponent(stem(of: path) + ".lock").path
    }

    /// Where a manifest's exports go, relative to its folder: `out` for `troupe.yaml` (the
    /// default manifest), `out/NAME` for `NAME.yaml`, so manifests sharing a folder never
    /// write each other's outputs.
    public static func outputFolder(forManifest path: String) -> String {
        let stem = stem(of: path)
        return stem == "troupe" ? "out" : "out/" + stem
    }

    static func stem(of path: String) -> String {
        let name = (path as NSString).lastPathComponent
        let stem = (name as NSString).deletingPathExtension
        return stem.isEmpty ? name : stem
    }

    /// A `troupe.lock` that an earlier troupe (one lock per folder) wrote for this manifest:
    /// there when this manifest is not `troupe.yaml`, has no lock of its own, and no
    /// `troupe.yaml` beside it claims that lock. `run` renames it; `plan` reads it.
    public static func legacyLock(forManifest path: String) -> String? {
        guard stem(of: path) != "troupe" else { return nil }
        let dir = URL(fileURLWithPath: path).deletingLastPathComponent()
        let legacy = dir.appendingPathComponent("troupe.lock").path
        let fm = FileManager.default
        guard !fm.fileExists(atPath: lockPath(forManifest: path)), fm.fileExists(atPath: legacy),
              !fm.fileExists(atPath: dir.appendingPathComponent("troupe.yaml").path),
              !fm.fileExists(atPath: dir.appendingPathComponent("troupe.yml").path) else { return nil }
        return legacy
    }

    public static func stateDirectory(forManifest path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent(".troupe").path
    }

    /// A campaign that cannot be planned for a reason outside its manifest (a damaged lock).
    public static func failed(manifest path: String, _ problem: LockProblem) -> Campaign {
        let loaded = ManifestLoader().load(path: path)
        return Campaign(loaded: loaded, plan: nil, diagnostics: loaded.diagnostics + [problem.diagnostic],
                        sources: [loaded.source, problem.source])
    }

    /// Loads and validates, media checks included, then plans without the lock: what `troupe
    /// validate` reports (the planner adds pricing problems and notes on identical inputs).
    public static func validate(manifest path: String) -> Campaign {
        open(manifest: path, status: LockStatus(nil))
    }

    /// Loads, validates and plans. `status` defaults to what troupe.lock records.
    public static func open(manifest path: String, provider: ProviderKind? = nil,
                            probeDuration: (@Sendable (String) throws -> Double)? = nil,
                            status: (any JobStatusSource)? = nil) -> Campaign {
        let stats = FileStats()
        let loaded = ManifestLoader(stats: stats).load(path: path)
        return open(loaded: loaded, manifest: path, stats: stats, provider: provider, probeDuration: probeDuration, status: status)
    }

    /// Plans a manifest already loaded (from git, for `plan --diff`); `path` names its state
    /// folder and lock.
    public static func open(loaded: ManifestLoader.Result, manifest path: String, stats: FileStats = FileStats(),
                            provider: ProviderKind? = nil, probeDuration: (@Sendable (String) throws -> Double)? = nil,
                            status: (any JobStatusSource)? = nil) -> Campaign {
        var c = Campaign(loaded: loaded, plan: nil, diagnostics: loaded.diagnostics, sources: [loaded.source])
        guard loaded.isValid, let manifest = loaded.manifest, let matrix = loaded.matrix else { return c }
        let digests = DigestCache(directory: stateDirectory(forManifest: path), stats: stats)
        let media = MediaChecker(stateDirectory: stateDirectory(forManifest: path), digests: digests)
        c.diagnostics += media.check(manifest, matrix: matrix)
        guard !c.diagnostics.hasErrors else { return c }

        var source = status
        if source == nil {
            switch Lockfile.load(lockPath(forManifest: path)) {
            case .success(let lock): source = LockStatus(lock)
            case .failure(let problem):
                c.diagnostics.append(problem.diagnostic)
                c.sources.append(problem.source)
                return c
            }
        }
        var options = PlanOptions(provider: provider, stateDirectory: stateDirectory(forManifest: path),
                                  probeDuration: probeDuration ?? media.probeDuration, status: source!)
        options.outputFolder = outputFolder(forManifest: path)
        options.digests = digests
        options.knownDigests = media.digestsByPath
        var planner = Planner(manifest: manifest, matrix: matrix, outputs: loaded.outputs, options: options)
        let (plan, diagnostics) = planner.plan()
        c.plan = plan
        c.diagnostics += diagnostics
        return c
    }
}

extension LockProblem {
    public var diagnostic: Diagnostic {
        Diagnostic(file: path, at: Mark(line: line, column: column), code: "bad-lock",
                   message: "\((path as NSString).lastPathComponent) \(message)",
                   hint: hint.replacingOccurrences(of: "FILE", with: (path as NSString).lastPathComponent))
    }

    /// The lock's text, so the diagnostic shows the line.
    public var source: SourceText {
        SourceText(path: path, bytes: [UInt8](FileManager.default.contents(atPath: path) ?? Data()))
    }
}
