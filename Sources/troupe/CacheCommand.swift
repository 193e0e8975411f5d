import ArgumentParser
import Foundation
import TroupePlan
import TroupeRun
import TroupeCache

/// `troupe cache push|pull|ls`: a team's shared result cache in S3, by hand.
struct CacheCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "cache",
        abstract: "Share results through S3: push them, pull them, list them.",
        discussion: """
            The shared cache is named by --cache s3://BUCKET/PREFIX[?region=R&endpoint=URL] or TROUPE_CACHE_URL; \
            credentials as for uploads (AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY, or ~/.aws/credentials). \
            `troupe run --cache …` pulls and pushes by itself; these are for operators.

            Examples:
              troupe cache push campaign.yaml --cache s3://studio-renders/troupe
              troupe cache pull campaign.yaml
              troupe cache ls --cache s3://studio-renders/troupe
            """,
        subcommands: [CachePush.self, CachePull.self, CacheList.self])
}

struct SharedCacheOptions: ParsableArguments {
    @Option(name: .customLong("cache"), help: ArgumentHelp("s3://BUCKET/PREFIX[?region=R&endpoint=URL] (default: TROUPE_CACHE_URL).", valueName: "url"))
    var url: String?

    func open() throws -> SharedCache {
        do {
            guard let shared = try SharedCache.open(url: url) else {
                FileHandle.standardError.write(Data("error: no shared cache named: pass --cache s3://BUCKET/PREFIX or set TROUPE_CACHE_URL\n".utf8))
                throw ExitCode(2)
            }
            return shared
        } catch let failure as SharedCache.OpenFailure {
            FileHandle.standardError.write(Data("error: \(failure)\n".utf8))
            throw ExitCode(2)
        }
    }
}

struct CachePush: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "push", abstract: "Upload the results the manifest's lock and state store name (or every local object) to the shared cache.")

    @Argument(help: "The manifest.") var manifest: String = "troupe.yaml"
    @OptionGroup var shared: SharedCacheOptions
    @Flag(help: "Every object in the local cache, whatever manifest made it.") var all = false

    func run() async throws {
        let sharedCache = try shared.open()
        let cache = resultCache(manifest)
        let digests = all ? cache.objects().sorted() : try await campaignDigests(manifest).filter { cache.contains($0) }
        let done = await sharedCache.push(digests, from: cache)
        print("pushed \(done.moved) object(s) (\(ByteCount.format(done.bytes))) to \(sharedCache.location.description); \(done.skipped) already there")
        try reportFailures(done.failures, verb: "push", sharedCache)
    }
}

struct CachePull: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pull", abstract: "Download the results the manifest's lock and state store name from the shared cache into .troupe/cache.")

    @Argument(help: "The manifest.") var manifest: String = "troupe.yaml"
    @OptionGroup var shared: SharedCacheOptions
    @Flag(help: "When another troupe command is changing this campaign's .troupe/, wait for it instead of exiting 3.") var wait = false

    func run() async throws {
        let sharedCache = try shared.open()
        // Objects arrive in .troupe/cache: not while gc decides what is unused there.
        let campaignLock = try takeCampaignLock(Campaign.stateDirectory(forManifest: manifest), command: "cache pull", wait: wait)
        defer { withExtendedLifetime(campaignLock) {} }
        let done = await sharedCache.pull(try await campaignDigests(manifest), into: resultCache(manifest))
        var text = "pulled \(done.moved) object(s) (\(ByteCount.format(done.bytes))) from \(sharedCache.location.description); \(done.skipped) already here"
        if !done.missing.isEmpty { text += "; \(done.missing.count) not in the shared cache (`troupe run` fetches or makes them)" }
        print(text)
        try reportFailures(done.failures, verb: "pull", sharedCache)
    }
}

struct CacheList: AsyncParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ls", abstract: "List the shared cache's objects: digest and size, then the total.")

    @OptionGroup var shared: SharedCacheOptions

    func run() async throws {
        let sharedCache = try shared.open()
        let objects: [(sha256: String, bytes: Int)]
        do {
            objects = try await sharedCache.list()
        } catch {
            FileHandle.standardError.write(Data("error: cannot list \(sharedCache.location.description): \(error)\n".utf8))
            throw ExitCode(1)
        }
        var text = ""
        for o in objects { text += "\(o.sha256)  \(o.bytes)\n" }
        text += "\(objects.count) object(s), \(ByteCount.format(objects.reduce(0) { $0 + $1.bytes })) in \(sharedCache.location.description)\n"
        FileHandle.standardOutput.write(Data(text.utf8))
    }
}

/// Results a campaign names (SharedCache.digests), from its lock and, when there is one, its store.
private func campaignDigests(_ manifest: String) async throws -> [String] {
    let lock: Lockfile?
    switch Lockfile.load(Campaign.lockPath(forManifest: manifest)) {
    case .success(let l): lock = l
    case .failure(let problem):
        FileHandle.standardError.write(Data("error: \(problem)\n\(problem.hint)\n".utf8))
        throw ExitCode(2)
    }
    let database = Campaign.stateDirectory(forManifest: manifest) + "/state.sqlite"
    let records = FileManager.default.fileExists(atPath: database) ? try await openStore(manifest).0.store.records() : []
    return SharedCache.digests(lock: lock, results: records.compactMap(\.sharedResult))
}

private func reportFailures(_ failures: [(sha256: String, error: String)], verb: String, _ shared: SharedCache) throws {
    let problems = shared.log.warnings + failures.map { "could not \(verb) \($0.sha256.prefix(12))…: \($0.error)" }
    for p in problems.prefix(20) { FileHandle.standardError.write(Data("warning: \(p)\n".utf8)) }
    if problems.count > 20 { FileHandle.standardError.write(Data("warning: … and \(problems.count - 20) more\n".utf8)) }
    if !failures.isEmpty {
        FileHandle.standardError.write(Data("error: \(failures.count) object(s) could not be \(verb == "push" ? "pushed" : "pulled"); run again once S3 answers\n".utf8))
        throw ExitCode(1)
    }
}

/// The run's last lines about the shared cache: what moved, and every warning.
func sharedCacheLines(_ shared: SharedCache?) {
    guard let shared else { return }
    for w in shared.log.warnings { FileHandle.standardError.write(Data("warning: \(w)\n".utf8)) }
    let t = shared.log.totals
    if t.pulled + t.pushed > 0 {
        FileHandle.standardError.write(Data(("shared cache \(shared.location.description): pulled \(t.pulled) (\(ByteCount.format(t.pulledBytes))), "
            + "pushed \(t.pushed) (\(ByteCount.format(t.pushedBytes)))\n").utf8))
    }
}
