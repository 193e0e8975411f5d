import ArgumentParser
import Foundation
import TroupeSupport
import TroupeManifest
import TroupePlan
import TroupeRun
import TroupeCache
import TroupeState
import TroupeStatePostgres

/// Where state lives: `--state`, else TROUPE_STATE_URL, else nil (SQLite in `.troupe/`).
func stateURL(_ option: String?) -> String? {
    let url = option ?? ProcessInfo.processInfo.environment["TROUPE_STATE_URL"]
    return url?.isEmpty == false ? url : nil
}

/// The shared PostgreSQL store the URL names, or a located message and exit 2.
func openPostgres(_ url: String, migrate: Bool = true) async throws -> PostgresStateStore {
    do {
        return try await PostgresStateStore(location: try PostgresLocation(url: url), migrate: migrate)
    } catch {
        FileHandle.standardError.write(Data("error: \(error)\n".utf8))
        throw ExitCode(2)
    }
}

/// Opens the state store beside a manifest (or the shared one `state` names), or explains why
/// not. `recover` (run, under the campaign lock): a damaged database is moved aside and a
/// fresh one made, with a message.
func openStore(_ manifest: String, recover: Bool = false, state: String? = nil) async throws -> (OpenedStore, ResultCache) {
    let dir = Campaign.stateDirectory(forManifest: manifest)
    if let state {
        do { try ResultCache.checkStateFolder(dir) } catch let refused as ProjectFolder.Refused {
            FileHandle.standardError.write(Data("error: \(refused)\n".utf8))
            throw ExitCode(2)
        }
        return (.shared(try await openPostgres(state)), ResultCache(stateDirectory: dir))
    }
    do {
        try ResultCache.checkStateFolder(dir)
        if recover {
            let (store, recovered) = try StateStore.openRecovering(path: dir + "/state.sqlite")
            if let recovered { FileHandle.standardError.write(Data("warning: \(recovered)\n".utf8)) }
            return (.local(store), ResultCache(stateDirectory: dir))
        }
        return (.local(try StateStore(path: dir + "/state.sqlite")), ResultCache(stateDirectory: dir))
    } catch let refused as ProjectFolder.Refused {
        FileHandle.standardError.write(Data("error: \(refused)\n".utf8))
        throw ExitCode(2)
    } catch {
        let hint = "\(error)".contains("not a database") || "\(error)".contains("malformed")
            ? "\n`troupe run` moves a damaged state database aside and rebuilds it from the lock, the cache and the provider (nothing is paid again)" : ""
        FileHandle.standardError.write(Data("error: cannot open \(dir)/state.sqlite: \(FileErrors.plain(error))\(hint)\n".utf8))
        throw ExitCode(2)
    }
}

/// Plans a manifest with status from its lock and state store, as run and status need.
func openCampaign(_ manifest: String, provider: ProviderKind? = nil, migrateLock: Bool = false,
                  loaded: ManifestLoader.Result? = nil, recover: Bool = false,
                  state: String? = nil) async throws -> (Campaign, OpenedStore, ResultCache) {
    let (opened, cache) = try await openStore(manifest, recover: recover, state: state)
    return (try await plannedCampaign(manifest, provider: provider, store: opened.store, cache: cache, migrateLock: migrateLock, loaded: loaded),
            opened, cache)
}

/// `--fetch-remote`: the manifest loaded with URL media measured by downloading them (nil
/// without the flag: the campaign loads the manifest itself).
func fetchedManifest(_ manifest: String, fetchRemote: Bool) async -> ManifestLoader.Result? {
    guard fetchRemote else { return nil }
    var loader = ManifestLoader()
    loader.fetchRemote = true
    var loaded = loader.load(path: manifest)
    _ = await RemoteMedia(stateDirectory: Campaign.stateDirectory(forManifest: manifest)).measure(&loaded)
    return loaded
}

/// The campaign planned with the status `run` would see. `store` nil: no state store yet
/// (plan creates none). A lock that cannot be read is a located error, never taken as missing.
/// `migrateLock` (run): a `troupe.lock` an earlier troupe wrote for this manifest becomes its
/// own lock; otherwise (plan, status) it is only read.
func plannedCampaign(_ manifest: String, provider: ProviderKind?, store: (any StateStoring)?, cache: ResultCache,
                     migrateLock: Bool = false, loaded: ManifestLoader.Result? = nil) async throws -> Campaign {
    let lockPath = Campaign.lockPath(forManifest: manifest)
    let legacy = Campaign.legacyLock(forManifest: manifest)
    let lock: Lockfile?
    switch Lockfile.load(legacy ?? lockPath) {
    case .success(let l): lock = l
    case .failure(let problem): return Campaign.failed(manifest: manifest, problem)
    }
    // Without a store open (plan, verify), its file is read as it is, read-only.
    // As the last run left it (.troupe/status), unless the store has changed since.
    let stateDirectory = Campaign.stateDirectory(forManifest: manifest), stateFile = stateDirectory + "/state.sqlite"
    let status: StoreStatus
    if let store {
        status = StoreStatus(lock: lock, rows: try await store.states(), cache: cache)
    } else if let url = stateURL(nil) {
        // Shared state (TROUPE_STATE_URL): read as it is, never migrated by a plan.
        let shared = try await openPostgres(url, migrate: false)
        let rows = try await closing(shared) { try await shared.states() }
        status = StoreStatus(lock: lock, rows: rows, cache: cache)
    } else if let rows = StatusSnapshot.load(stateDirectory: stateDirectory, databasePath: stateFile) {
        status = StoreStatus(lock: lock, rows: rows)
    } else {
        let rows = FileManager.default.fileExists(atPath: stateFile) ? try StateStore.states(path: stateFile) : []
        status = StoreStatus(lock: lock, rows: rows, cache: cache)
    }
    let campaign = loaded.map { Campaign.open(loaded: $0, manifest: manifest, provider: provider, status: status) }
        ?? Campaign.open(manifest: manifest, provider: provider, status: status)
    if let legacy, let lock, let plan = campaign.plan {
        adoptLegacyLock(legacy, lock, for: manifest, plan: plan, rename: migrateLock, to: lockPath)
    }
    return campaign
}

/// Locks are per manifest now: a `troupe.lock` that records this manifest's jobs is renamed
/// to the manifest's lock (by run) or read as it (by plan), with a message either way.
func adoptLegacyLock(_ legacy: String, _ lock: Lockfile, for manifest: String, plan: Plan, rename: Bool, to lockPath: String) {
    let name = (lockPath as NSString).lastPathComponent, manifestName = (manifest as NSString).lastPathComponent
    let ours = plan.jobs.contains { lock.keys.contains($0.key) } || lock.keys.isEmpty
    let say = { (text: String) in FileHandle.standardError.write(Data(("note: " + text + "\n").utf8)) }
    guard ours else {
        say("troupe.lock beside \(manifestName) records none of its jobs (it belongs to another manifest); left as it is, and \(name) will be written")
        return
    }
    guard rename else {
        say("troupe.lock was written for \(manifestName) by an earlier troupe (one lock per folder); `troupe run` renames it to \(name)")
        return
    }
    do {
        try FileManager.default.moveItem(atPath: legacy, toPath: lockPath)
        say("locks are per manifest now: renamed troupe.lock to \(name) (commit it: git mv troupe.lock \(name)); \(manifestName)'s outputs go to \(Campaign.outputFolder(forManifest: manifest))/")
    } catch {
        say("could not rename troupe.lock to \(name): \(FileErrors.plain(error)); \(name) will be written beside it")
    }
}

/// The result cache beside a manifest, for commands that only read: they open no state store
/// (plannedCampaign reads its file, if any, read-only) and create none.
func resultCache(_ manifest: String) -> ResultCache {
    ResultCache(stateDirectory: Campaign.stateDirectory(forManifest: manifest))
}

struct StatusCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "status",
        abstract: "What the state store knows: job states, provider tasks in flight, units spent.",
        discussion: "Example:\n  troupe status campaign.yaml")

    @Argument(help: "The manifest.") var manifest: String = "troupe.yaml"
    @Option(help: "Shared state: postgres://USER@HOST:PORT/DB (default: TROUPE_STATE_URL, else .troupe/state.sqlite).")
    var state: String?
    @Flag(help: "Also list the Kling account's resource packs: name, units left, expiry (needs KLING_ACCESS_KEY and KLING_SECRET_KEY).")
    var account = false
    @Flag(help: "Also show where the last run's time went: waiting for a slot, at the provider, downloading, post-steps; and its slowest jobs.")
    var timeline = false
    @Flag(help: "With --timeline: print only the timeline, as JSON (schemas/timeline.schema.json).")
    var json = false

    func run() async throws {
        if json {
            guard timeline else {
                FileHandle.standardError.write(Data("error: --json goes with --timeline (troupe status --timeline --json)\n".utf8))
                throw ExitCode(2)
            }
            let (opened, _) = try await openStore(manifest, state: stateURL(state))
            try await closing(opened.shared) { try await printTimelineJSON(opened.store) }
            return
        }
        let (campaign, opened, _) = try await openCampaign(manifest, state: stateURL(state))
        try await closing(opened.shared) {
            try await status(campaign, opened)
            if timeline { try await printTimeline(opened.store) }
        }
        if account, let plan = campaign.plan { try await printResourcePacks(plan) }
    }

    private func status(_ campaign: Campaign, _ opened: OpenedStore) async throws {
        let store = opened.store
        report(campaign.diagnostics, sources: campaign.sources, format: .text)
        guard let plan = campaign.plan else { throw ExitCode(2) }
        let s = try await Maintenance.status(of: plan, store: store)
        print("\(manifest): \(s.planned) jobs planned")
        print("  never started: \(s.unknown)")
        for state in JobState.allCases { if let n = s.byState[state] { print("  \(state.rawValue): \(n)") } }
        print("  units spent: \(Units.format(s.unitsSpent)) \(plan.table.unit) (this manifest's jobs, re-rolls included)")
        if abs(s.unitsSpentInStore - s.unitsSpent) > 1e-9 {
            print("  units spent by every job in .troupe/ (earlier versions and other manifests too): \(Units.format(s.unitsSpentInStore)) \(plan.table.unit)")
        }
        for r in s.inFlight { print("  in flight: \(r.id) \(r.state.rawValue) task \(r.taskId ?? "?") (\(r.externalTaskId ?? ""))") }
        for r in s.failed { print("  \(r.state.rawValue): \(r.id): \(r.lastError ?? "")") }
        for r in s.inDoubt {
            // `updatedAt` of a row in doubt is when its submit was sent (RemoteJob keeps it).
            print("  in doubt: \(r.id) submitted \(UTCStamp.isoSeconds(r.updatedAt)), answer lost; may have cost \(Units.format(r.units)) \(plan.table.unit)")
        }
        if !s.inDoubt.isEmpty {
            print("  (not sent again: check fal's dashboard, then `troupe run --retry-in-doubt [--only CELL]` to send them again, paying again if the first was queued)")
        }
        await ExpiryWarning.print(lock: try? Lockfile.read(Campaign.lockPath(forManifest: manifest)))
        switch opened {
        case .local(let local):
            for r in (try? local.recoveries()) ?? [] { print("  recovered \(r.at) UTC: \(r.detail)") }
        case .shared(let team):
            try await printTeam(team, campaign: Campaign.stateName(forManifest: manifest))
        }
    }
}

struct VerifyCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "verify",
        abstract: "Re-hash cache objects and exports against the manifest's lock; list what the manifest implies and is not there.",
        discussion: """
            Names every cache object missing or corrupt, every export missing, altered, not yet
            made, or made by no job of the manifest, each with the command that repairs it.
            Exit status: 0 all match, 1 a mismatch, 2 the manifest or lock cannot be read.

            Example:
              troupe verify campaign.yaml
            """)

    @Argument(help: "The manifest.") var manifest: String = "troupe.yaml"

    func run() async throws {
        let lockPath = Campaign.lockPath(forManifest: manifest), lockName = (lockPath as NSString).lastPathComponent
        let cache = resultCache(manifest)
        let campaign = try await plannedCampaign(manifest, provider: nil, store: nil, cache: cache)
        report(campaign.diagnostics.filter { $0.severity != .note }, sources: campaign.sources, format: .text)
        guard let plan = campaign.plan, !campaign.diagnostics.hasErrors else { throw ExitCode(2) }
        guard let lock = try Lockfile.read(Campaign.legacyLock(forManifest: manifest) ?? lockPath) else {
            FileHandle.standardError.write(Data("error: no \(lockName) beside \(manifest); run `troupe run \(manifest)` first\n".utf8))
            throw ExitCode(1)
        }
        await ExpiryWarning.print(lock: lock)
        let base = plan.manifest.baseDirectory
        let problems = Maintenance.verify(lock: lock, cache: cache, baseDirectory: base, outputFolder: plan.outputFolder, plan: plan)
        guard !problems.isEmpty else {
            print("ok: \(lock.renders.count) renders and \(lock.outputs.count) outputs match \(lockName)")
            return
        }
        var text = ""
        for p in problems { text += "mismatch: \(p)\n" }
        text += "\(problems.count) mismatch(es); to repair:\n"
        let run = "troupe run \(manifest)"
        let corrupt = problems.filter { $0.kind == .corruptObject }.map { base + "/" + $0.path }
        if !corrupt.isEmpty {
            text += "  rm -f \(Set(corrupt).sorted().joined(separator: " ")) && \(run)   # drops the damaged objects, then fetches or makes them again\n"
        } else if problems.contains(where: { [.missingObject, .missingExport, .alteredExport].contains($0.kind) }) {
            text += "  \(run)   # restores exports and results from the cache or the provider; nothing is paid again\n"
        }
        if problems.contains(where: { $0.kind == .notLocked }) {
            text += "  troupe plan \(manifest) && \(run)   # makes what was never made (plan shows what it costs)\n"
        }
        let unlisted = problems.filter { $0.kind == .unlisted }.map { base + "/" + $0.path }
        if !unlisted.isEmpty {
            text += "  rm \(unlisted.prefix(10).joined(separator: " "))\(unlisted.count > 10 ? " …" : "")   # no job of the manifest makes them\n"
        }
        FileHandle.standardError.write(Data(text.utf8))
        throw ExitCode(1)
    }
}

struct GCCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gc",
        abstract: "Drop cache objects that no lock in the manifest's folder references, and leftover temp files.",
        discussion: """
            Results a lock records stay; earlier versions, prepared clips and the like go (a run
            that needs one again fetches or makes it, without paying). Waits for nothing: exits 3
            at once while another troupe command changes the same .troupe/ folder.

            Examples:
              troupe gc --dry-run
              troupe gc campaign.yaml
            """)

    @Argument(help: "A manifest in the folder whose .troupe/ to clean.") var manifest: String = "troupe.yaml"
    @Flag(help: "List what would be removed, with sizes; remove nothing.") var dryRun = false

    func run() async throws {
        let dir = Campaign.stateDirectory(forManifest: manifest)
        let campaignLock = try takeCampaignLock(dir, command: "gc", wait: false)
        defer { withExtendedLifetime(campaignLock) {} }
        let folder = (dir as NSString).deletingLastPathComponent
        let locks: [Lockfile]
        do { locks = try Maintenance.locks(inFolder: folder) } catch {
            FileHandle.standardError.write(Data("error: \(FileErrors.plain(error))\ngc keeps everything while a lock cannot be read\n".utf8))
            throw ExitCode(2)
        }
        let cache = ResultCache(stateDirectory: dir)
        let collected: Maintenance.Collected
        do { collected = try Maintenance.gc(locks: locks, cache: cache, dryRun: dryRun) } catch {
            FileHandle.standardError.write(Data("error: \(FileErrors.plain(error))\n".utf8))
            throw ExitCode(1)
        }
        // The snapshot says which results are in the cache; some no longer are.
        if !dryRun { unlink(StatusSnapshot.path(stateDirectory: dir)) }
        let verb = dryRun ? "would remove" : "removed"
        if dryRun {
            for o in collected.objects { print("\(verb) \(cache.path(of: o.sha256))  \(ByteCount.format(o.bytes))") }
        }
        var text = "\(verb) \(collected.objects.count) cache object(s)"
        if collected.temporaryFiles > 0 { text += " and \(collected.temporaryFiles) temp file(s)" }
        text += ", \(ByteCount.format(collected.bytes)) \(dryRun ? "to free" : "freed"); kept what \(locks.count) lock(s) in the folder record"
        print(text)
    }
}

/// Takes the campaign's lock, or explains who holds it (exit 3).
func takeCampaignLock(_ stateDirectory: String, command: String, wait: Bool) throws -> CampaignLock {
    do {
        // Never through a symlinked .troupe: the lock file would be made wherever it points.
        try ResultCache.checkStateFolder(stateDirectory)
        return try CampaignLock(stateDirectory: stateDirectory, command: command, wait: wait)
    } catch let busy as CampaignLock.Busy {
        FileHandle.standardError.write(Data("error: \(busy)\nwait for it to finish, or pass --wait to queue behind it\n".utf8))
        throw ExitCode(3)
    } catch {
        FileHandle.standardError.write(Data("error: \(FileErrors.plain(error))\n".utf8))
        throw ExitCode(2)
    }
}

/// Sizes as people read them: 512 B, 3.4 KB, 41 MB (powers of 1,000).
enum ByteCount {
    static func format(_ bytes: Int) -> String {
        let units = ["B", "KB", "MB", "GB", "TB"]
        var v = Double(bytes), i = 0
        while v >= 1000, i < units.count - 1 { v /= 1000; i += 1 }
        return i == 0 ? "\(bytes) B" : "\(Units.format((v * 10).rounded() / 10)) \(units[i])"
    }
}
