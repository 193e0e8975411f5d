import ArgumentParser
import Foundation
import TroupeManifest
import TroupePlan
import TroupeRun

/// Opens the state store beside a manifest, or explains why not.
func openStore(_ manifest: String) throws -> (StateStore, ResultCache) {
    let dir = Campaign.stateDirectory(forManifest: manifest)
    do {
        return (try StateStore(path: dir + "/state.sqlite"), ResultCache(stateDirectory: dir))
    } catch {
        FileHandle.standardError.write(Data("error: cannot open \(dir)/state.sqlite: \(error)\n".utf8))
        throw ExitCode(2)
    }
}

/// Plans a manifest with status from its lock and state store, as run and status need.
func openCampaign(_ manifest: String, provider: ProviderKind? = nil) throws -> (Campaign, StateStore, ResultCache) {
    let (store, cache) = try openStore(manifest)
    return (try plannedCampaign(manifest, provider: provider, store: store, cache: cache), store, cache)
}

/// The campaign planned with the status `run` would see. `store` nil: no state store yet
/// (plan creates none). A lock that cannot be read is a located error, never taken as missing.
func plannedCampaign(_ manifest: String, provider: ProviderKind?, store: StateStore?, cache: ResultCache) throws -> Campaign {
    let lockPath = Campaign.lockPath(forManifest: manifest)
    let lock: Lockfile?
    switch Lockfile.load(lockPath) {
    case .success(let l): lock = l
    case .failure(let problem): return Campaign.failed(manifest: manifest, problem)
    }
    let status = try StoreStatus(lock: lock, store: store, cache: cache)
    return Campaign.open(manifest: manifest, provider: provider, status: status)
}

/// The state store beside a manifest if there is one, for commands that only read it.
func existingStore(_ manifest: String) throws -> (StateStore?, ResultCache) {
    let dir = Campaign.stateDirectory(forManifest: manifest)
    guard FileManager.default.fileExists(atPath: dir + "/state.sqlite") else { return (nil, ResultCache(stateDirectory: dir)) }
    let (store, cache) = try openStore(manifest)
    return (store, cache)
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "What the state store knows: job states, provider tasks in flight, units spent.",
        discussion: "Example:\n  troupe status campaign.yaml")

    @Argument(help: "The manifest.") var manifest: String = "troupe.yaml"

    func run() async throws {
        let (campaign, store, _) = try openCampaign(manifest)
        report(campaign.diagnostics, sources: campaign.sources, format: .text)
        guard let plan = campaign.plan else { throw ExitCode(2) }
        let s = try Maintenance.status(of: plan, store: store)
        print("\(manifest): \(s.planned) jobs planned")
        print("  never started: \(s.unknown)")
        for state in JobState.allCases { if let n = s.byState[state] { print("  \(state.rawValue): \(n)") } }
        print("  units spent: \(Units.format(s.unitsSpent)) \(plan.table.unit)")
        for r in s.inFlight { print("  in flight: \(r.id) \(r.state.rawValue) task \(r.taskId ?? "?") (\(r.externalTaskId ?? ""))") }
        for r in s.failed { print("  \(r.state.rawValue): \(r.id): \(r.lastError ?? "")") }
    }
}

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hash cache objects and exported outputs against troupe.lock.",
        discussion: "Exit status: 0 all match, 1 a mismatch.\n\nExample:\n  troupe verify")

    @Argument(help: "The manifest.") var manifest: String = "troupe.yaml"

    func run() async throws {
        let lockPath = Campaign.lockPath(forManifest: manifest)
        guard let lock = try Lockfile.read(lockPath) else {
            FileHandle.standardError.write(Data("error: no troupe.lock beside \(manifest); run troupe run first\n".utf8))
            throw ExitCode(1)
        }
        let dir = Campaign.stateDirectory(forManifest: manifest)
        let base = URL(fileURLWithPath: manifest).deletingLastPathComponent().path
        let problems = Maintenance.verify(lock: lock, cache: ResultCache(stateDirectory: dir), baseDirectory: base)
        for p in problems { FileHandle.standardError.write(Data("mismatch: \(p)\n".utf8)) }
        guard problems.isEmpty else {
            FileHandle.standardError.write(Data("\(problems.count) mismatch(es); run troupe gc and troupe run to rebuild what is missing\n".utf8))
            throw ExitCode(1)
        }
        print("ok: \(lock.renders.count) renders and \(lock.outputs.count) outputs match troupe.lock")
    }
}

struct GCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Drop cache objects that neither troupe.lock nor the state store references.",
        discussion: "Example:\n  troupe gc")

    @Argument(help: "The manifest whose .troupe/ folder to clean.") var manifest: String = "troupe.yaml"

    func run() async throws {
        let (store, cache) = try openStore(manifest)
        let lock = try Lockfile.read(Campaign.lockPath(forManifest: manifest))
        let (n, bytes) = try Maintenance.gc(lock: lock, store: store, cache: cache)
        print("removed \(n) cache object(s), \(bytes / 1024) KiB")
    }
}
