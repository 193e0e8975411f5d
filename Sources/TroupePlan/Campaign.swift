public import TroupeManifest
import Foundation

/// A manifest with its neighbours: troupe.lock and the .troupe/ state folder beside it.
/// This is what `troupe plan` (and later `run`) start from.
public struct Campaign: Sendable {
    public var loaded: ManifestLoader.Result
    public var plan: Plan?
    /// Loader and planner diagnostics together.
    public var diagnostics: [Diagnostic]
    public var sources: [SourceText]

    public static func lockPath(forManifest path: String) -> String {
        URL(fileURLWithPath: path).deletingLastPathComponent().appendingPathComponent("troupe.lock").path
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
