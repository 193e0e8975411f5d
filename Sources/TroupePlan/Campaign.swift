public import TroupeManifest
import Foundation
public import TroupeSupport

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

    /// The name the state store and a team's runners know the campaign by (its timeline, its
    /// runners): the manifest's file name.
    public static func stateName(forManifest path: String) -> String { (path as NSString).lastPathComponent }

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
        // Only a file that cannot be read as a manifest at all stops here: otherwise its media
        // are probed and its prices checked too, and every problem is reported in one pass.
        guard let manifest = loaded.manifest else { return c }
        let digests = DigestCache(directory: stateDirectory(forManifest: path), stats: stats)
        let media = MediaChecker(stateDirectory: stateDirectory(forManifest: path), digests: digests)
        c.diagnostics += media.check(manifest, matrix: loaded.matrix, outputs: loaded.outputs)
        guard loaded.isValid, let matrix = loaded.matrix, !c.diagnostics.hasErrors else {
            c.diagnostics += pricingProblems(manifest, matrix: loaded.matrix, provider: provider)
            c.diagnostics = inFileOrder(c.diagnostics, manifest: manifest.path)
            return c
        }

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
        c.diagnostics = inFileOrder(c.diagnostics + diagnostics, manifest: manifest.path)
        return c
    }

    /// Renders the price table has no rate for, when the planner cannot run to say so.
    static func pricingProblems(_ m: Manifest, matrix: RenderMatrix?, provider: ProviderKind?) -> [Diagnostic] {
        let table: PriceTable
        do { table = try PriceTable.forManifest(m, provider: provider ?? m.provider.use) } catch { return [] }
        var out: [Diagnostic] = []
        let blocks: [(Mark, RenderSettings)] = matrix.map { mx in mx.blocks.enumerated().map { (m.renders[$0.offset].mark, $0.element.settings) } }
            ?? [(m.provider.mark, m.baseSettings)]
        var seen = Set<String>()
        for (mark, s) in blocks {
            let key = "\(s.model.rawValue)/\(s.mode.rawValue)"
            guard (try? table.renderRate(model: s.model, mode: s.mode)) == nil, seen.insert(key).inserted else { continue }
            out.append(Diagnostic(file: m.path, at: mark, code: "no-price", message: "provider '\(table.provider)' has no price for \(key)",
                                  hint: "add `pricing: {render: {\(key): {per_second: …}}}` or use another model"))
        }
        return out
    }

    /// The manifest's diagnostics by position, then any other file's (the lock's).
    static func inFileOrder(_ d: [Diagnostic], manifest: String) -> [Diagnostic] {
        d.enumerated().sorted { a, b in
            let x = (a.element.file != manifest ? 1 : 0, a.element.line, a.element.column, a.offset)
            let y = (b.element.file != manifest ? 1 : 0, b.element.line, b.element.column, b.offset)
            return x < y
        }.map(\.element)
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
