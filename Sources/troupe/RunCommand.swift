import ArgumentParser
import Foundation
import TroupeProviders
import TroupeManifest
import TroupePlan
import TroupeRun
import TroupeSupport
import TroupeCache
import TroupeState

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Plan, then execute: render every cell, run the post-steps, export to out/, write the manifest's lock.",
        discussion: """
            Jobs finished by an earlier run are not run again: a second `troupe run` does nothing.
            Exit status: 0 all done, 1 some jobs failed, 2 invalid manifest, 3 budget or lock refused,
            130 interrupted (run again to resume).

            Examples:
              troupe run
              troupe run --only 'mochi/*' --events events.ndjson
              troupe run --locked          # CI: rebuild from the cache, never spend
              troupe run --notify "$SLACK_WEBHOOK_URL"   # a message when it ends
            """)

    @Argument(help: "The manifest.") var manifest: String = "troupe.yaml"
    @Option(help: "Jobs to run at once (default: the machine's cores for local work).") var concurrency: Int?
    @Option(help: "Use this provider instead of the manifest's: kling, fal or preview.") var provider: ProviderKind?
    @Option(help: "Run only renders or outputs whose id matches (repeatable), with what they need.") var only: [String] = []
    @Flag(help: "Never create a paid task: adopt locked tasks or take results from the cache, else refuse (exit 3).") var locked = false
    @Option(help: "Refuse (exit 3) when the plan costs more; overrides budget.max_units.") var maxUnits: Double?
    @Option(help: "Write NDJSON events to this file ('-' for stdout).") var events: String?
    @Flag(help: "Plan only (same as troupe plan).") var dryRun = false
    @Option(help: "How to print diagnostics: text (stderr) or json (stdout).") var format: DiagnosticRenderer.Format = .text
    @Option(help: "Render these again and pay again (render ids or globs, repeatable): a new external_task_id, then fresh post-steps.")
    var reroll: [String] = []
    @Flag(help: "Send again the renders in doubt (fal: a submit whose answer was lost and no request found), or only those --only selects; each may be paid twice.")
    var retryInDoubt = false
    @Option(help: "Provider seconds per real second: match a time-compressed troupe-sim (testing).") var timeScale: Double = 1
    @Flag(help: "Download URL media given without sha256 (or duration) to measure them; remembered by URL and ETag.")
    var fetchRemote = false
    @Flag(help: "When another troupe command is changing this campaign's .troupe/, wait for it instead of exiting 3.") var wait = false
    @Flag(help: "Run even when the account's resource packs hold fewer units than the run would spend.") var ignoreBalance = false
    @Option(help: "Seconds between polls of tasks that may be done (default 2); a task is first asked for when the fastest task so far would have finished.") var pollInterval: Double?
    @Flag(name: .customLong("report"), help: "Write the campaign's page (report/ beside the outputs) at the end; an existing one is refreshed anyway.")
    var writesReport = false
    @Option(help: "Shared state for many runners: postgres://USER@HOST:PORT/DB (default: TROUPE_STATE_URL, else .troupe/state.sqlite). The password comes from PGPASSWORD or ~/.pgpass.")
    var state: String?
    @Option(name: .customLong("cache"), help: ArgumentHelp("A team's shared result cache, s3://BUCKET/PREFIX[?region=R&endpoint=URL] (or TROUPE_CACHE_URL): results are pulled from it before the run and pushed as they are made.", valueName: "url"))
    var sharedCacheURL: String?
    @Flag(help: "Let out/ be a symlink (a studio's shared drive); nothing else on the way to a file troupe writes may be one.")
    var allowSymlinkedOut = false
    @Option(help: ArgumentHelp("POST a JSON summary here when the run finishes, fails or is stopped by a budget (or TROUPE_NOTIFY_URL, or the manifest's notify:); Slack-compatible.", valueName: "url"))
    var notify: String?

    func run() async throws {
        let ending = RunEnding()
        do {
            try await execute(ending)
        } catch let exit as ExitCode {
            await sendNotice(ending, exitCode: exit.rawValue)
            throw exit
        } catch {
            await sendNotice(ending, exitCode: 1)
            throw error
        }
        await sendNotice(ending, exitCode: 0)
    }

    private func execute(_ ending: RunEnding) async throws {
        signal(SIGPIPE, SIG_IGN)
        // One run (or gc) per state folder at a time; the store is created and migrated under it.
        let campaignLock = dryRun ? nil : try takeCampaignLock(Campaign.stateDirectory(forManifest: manifest),
                                                               command: "run \((manifest as NSString).lastPathComponent)", wait: wait)
        defer { withExtendedLifetime(campaignLock) {} }
        var (campaign, opened, cache) = try await openCampaign(manifest, provider: provider, migrateLock: !dryRun,
                                                        loaded: await fetchedManifest(manifest, fetchRemote: fetchRemote),
                                                        recover: !dryRun, state: stateURL(state))
        if allowSymlinkedOut { cache.project.symlinkAllowed = "out" }
        // Last, the lock still held: what `plan` reads instead of the store (StatusSnapshot).
        let finalCache = cache
        let store = opened.store
        defer {
            if case .local(let local) = opened, !dryRun {
                StatusSnapshot.save(closing: local, cache: finalCache, stateDirectory: Campaign.stateDirectory(forManifest: manifest))
            }
        }
        // plan prices local media without `uploads:` (a warning); run cannot send them, so it refuses.
        campaign.diagnostics = uploadsChecked(campaign.diagnostics, plan: campaign.plan, severity: dryRun ? .warning : .error)
        // Notes (identical inputs, say) are for validate and plan; a run would repeat them every time.
        report(campaign.diagnostics.filter { $0.severity != .note }, sources: campaign.sources, format: format)
        guard let plan = campaign.plan, !campaign.diagnostics.hasErrors else { throw ExitCode(2) }

        let totals = plan.totals
        let limit = maxUnits ?? plan.manifest.budget?.maxUnits
        if dryRun {
            print(PlanTable.render(plan, totals: totals, manifestPath: manifest, maxUnits: limit), terminator: "")
            return
        }
        ending.target = try NotifyTarget.resolve(flag: notify, environment: ProcessInfo.processInfo.environment, manifest: plan.manifest)
        ending.plan = plan
        if let problem = policyDenial(Policies.evaluate(plan, totals: totals, maxUnits: maxUnits), plan: plan, totals: totals, maxUnits: limit) {
            ending.stop = (.budget, problem)
            throw ExitCode(3)
        }
        // Before any credential is read: a locked run that would have to create renders says which.
        if locked {
            let refused = LockedPreflight.refusals(plan, only: only, reroll: reroll,
                                                   lockName: (Campaign.lockPath(forManifest: manifest) as NSString).lastPathComponent)
            if !refused.isEmpty {
                lockedRefusal(refused, plan: plan, before: true)
                ending.stop = (.failed, "--locked: \(refused.count) render(s) would have to be created")
                throw ExitCode(3)
            }
        }
        let remote: RemoteBackend?
        do {
            remote = try RemoteBackend.make(for: plan, timeScale: timeScale, pollInterval: pollInterval)
        } catch {
            FileHandle.standardError.write(Data("error: \(FileErrors.plain(error))\n".utf8))
            throw ExitCode(2)
        }
        if let remote, !locked, !ignoreBalance,
           BalanceCheck.report(await BalanceCheck.verdict(needed: totals.units, provider: remote.provider), unit: plan.table.unit) {
            throw ExitCode(3)
        }

        do {
            cache.shared = try SharedCache.open(url: sharedCacheURL, http: remote?.http)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }

        var observers: [any RunObserver] = []
        if let events {
            if events == "-" {
                observers.append(NDJSONObserver(handle: .standardOutput))
            } else {
                observers.append(NDJSONObserver(handle: try eventsFile(events)))
            }
        }
        if LiveDisplay.isTerminal(.standardError) {
            let planned = plan.jobs.filter { $0.status == .new }.reduce(0) { $0 + $1.units }
            observers.append(LiveDisplay(handle: .standardError, unitsPlanned: planned, unit: plan.table.unit))
        } else {
            observers.append(PlainProgress(handle: .standardError, total: plan.jobs.count))
        }
        var options = RunOptions()
        options.only = only
        options.locked = locked
        options.maxUnits = limit
        options.reroll = reroll
        if retryInDoubt {
            options.retryInDoubt = only
            await announceRetries(plan: plan, store: store)
        }
        if let concurrency { options.localConcurrency = max(1, concurrency) }
        let observer = Observers(observers)
        let executor = Executor(plan: plan, store: store, cache: cache, backend: PreviewProvider(), remote: remote,
                                observer: observer, options: options)
        let signals = SignalHandler { count in
            if count == 1 {
                FileHandle.standardError.write(Data("\ninterrupted: finishing the jobs in flight, then stopping (again to quit at once)\n".utf8))
                executor.requestStop()
            } else {
                observer.flush()
                Foundation.exit(130)
            }
        }
        // Progress lines and events are written in batches: whatever is held back goes out
        // before anything else is printed, whichever way the run ends.
        let summary: RunSummary
        let lockPath = Campaign.lockPath(forManifest: manifest)
        let lockBefore = try? Data(contentsOf: URL(fileURLWithPath: lockPath))
        do {
            defer { observer.flush() }
            // Shared state: leases and slots go back as the run ends (others need not wait them out).
            summary = try await closing(opened.shared) { try await executor.run() }
        } catch let unmatched as UnmatchedPatterns {
            FileHandle.standardError.write(Data(("error: " + unmatched.description.replacingOccurrences(of: "\n", with: "\nerror: ")
                + "\nrender ids are character/clip (`troupe plan --all` lists them); globs: 'mochi/*', '*/wave'\n").utf8))
            throw ExitCode(2)
        } catch let refused as LockedRunRefused {
            lockedRefusal(refused.jobs, plan: plan, before: true)
            ending.stop = (.failed, "--locked: \(refused.jobs.count) render(s) would have to be created")
            throw ExitCode(3)
        }
        signals.cancel()
        ending.summary = summary

        let out = FileHandle.standardError
        for q in cache.quarantined.entries {
            out.write(Data("warning: \(q.job): its cache object \(q.sha256.prefix(12))… was damaged (it no longer matches its hash); moved to \(q.movedTo) and fetched or made again\n".utf8))
        }
        sharedCacheLines(cache.shared)
        if summary.done == 0 && summary.failed.isEmpty && summary.inDoubt.isEmpty && !summary.interrupted {
            out.write(Data("nothing to do: all \(summary.alreadyDone) jobs are done (outputs in \(outDirectory))\n".utf8))
        } else {
            var text = "\(summary.done) job(s) done"
            if summary.alreadyDone > 0 { text += ", \(summary.alreadyDone) already done" }
            text += "; spent \(Units.format(summary.unitsSpent)) \(plan.table.unit)"
            if !summary.failed.isEmpty { text += "; \(summary.failed.count) failed" }
            if !summary.inDoubt.isEmpty { text += "; \(summary.inDoubt.count) in doubt" }
            if summary.notRun > 0 { text += "; \(summary.notRun) not run" }
            out.write(Data((text + "\n").utf8))
            for f in summary.failed { out.write(Data("  failed \(f.id): \(f.error)\n".utf8)) }
            inDoubtLines(summary.inDoubt, unit: plan.table.unit)
            if !summary.rerolled.isEmpty { out.write(Data("re-rolled: \(summary.rerolled.joined(separator: ", "))\n".utf8)) }
            if !summary.exported.isEmpty {
                // Said as it is: a fresh clone's locked run writes back the lock it was given.
                let changed = (try? Data(contentsOf: URL(fileURLWithPath: lockPath))) != lockBefore
                out.write(Data("outputs in \(outDirectory) (\((lockPath as NSString).lastPathComponent) \(changed ? "updated" : "unchanged"))\n".utf8))
            }
        }
        if !summary.lockedRefused.isEmpty {
            lockedRefusal(summary.lockedRefused, plan: plan, before: false)
            ending.stop = (.failed, "--locked: \(summary.lockedRefused.count) render(s) would have to be created")
            throw ExitCode(3)
        }
        if !summary.interrupted { await refreshReport(after: plan) }
        if let reason = summary.stopReason {
            out.write(Data("error: the run stopped: \(reason)\nfinished jobs are kept; run again once it is fixed\n".utf8))
            throw ExitCode(1)
        }
        if summary.interrupted { throw ExitCode(130) }
        if let stop = summary.accountStop {
            out.write(Data(("error: Kling stopped new renders (\(stop.code)): \(stop.message)\n"
                + "no create was sent after it; the tasks accepted before it were followed to their end and kept\n").utf8))
            throw ExitCode(3)
        }
        if let refused = summary.budgetRefused {
            out.write(Data("error: \(refused)\nraise budget.max_units (or --max-units) to go on; finished jobs are kept\n".utf8))
            throw ExitCode(3)
        }
        if !summary.failed.isEmpty || !summary.inDoubt.isEmpty { throw ExitCode(1) }
    }

    /// `--events FILE`: appended to when it is NDJSON already (or empty, or new); never the
    /// manifest, a lock, or any other file it would overwrite.
    private func eventsFile(_ path: String) throws -> FileHandle {
        let refuse = { (why: String) -> ExitCode in
            FileHandle.standardError.write(Data("error: --events \(path): \(why)\nname a new file (events.ndjson) or an NDJSON file to append to\n".utf8))
            return ExitCode(2)
        }
        let target = URL(fileURLWithPath: path).standardizedFileURL.resolvingSymlinksInPath().path
        let manifestPath = URL(fileURLWithPath: manifest).standardizedFileURL.resolvingSymlinksInPath().path
        if target == manifestPath { throw refuse("that is the manifest") }
        if target.hasSuffix(".lock") || target.hasSuffix(".yaml") || target.hasSuffix(".yml") { throw refuse("that is a lock or a manifest") }
        if let existing = FileStats.statNow(path) {
            guard existing.isRegularFile else { throw refuse("not a regular file") }
            if existing.size > 0 {
                let head = (try? FileHandle(forReadingFrom: URL(fileURLWithPath: path)).read(upToCount: 4096)) ?? nil
                let firstLine = head.map { String(decoding: $0.prefix { $0 != UInt8(ascii: "\n") }, as: UTF8.self) } ?? ""
                let isNDJSON = (try? JSONSerialization.jsonObject(with: Data(firstLine.utf8))) is [String: Any]
                if !isNDJSON { throw refuse("it holds something else than NDJSON events, and would be overwritten") }
            }
        } else {
            _ = FileManager.default.createFile(atPath: path, contents: nil)
        }
        guard let h = FileHandle(forWritingAtPath: path) else { throw refuse("cannot be written") }
        _ = try? h.seekToEnd()
        return h
    }

    /// What `--locked` would not create, what it would cost, and how to go on.
    private func lockedRefusal(_ jobs: [LockedRefusal], plan: Plan, before: Bool) {
        let units = jobs.reduce(0) { $0 + $1.units }
        var text = "error: --locked creates no paid task, and \(jobs.count) would have to be created"
        text += before ? " (nothing was run):\n" : " (nothing was created for them):\n"
        for j in jobs.prefix(20) { text += "  \(j.job) (\(Units.format(j.units)) \(plan.table.unit)): \(j.reason)\n" }
        if jobs.count > 20 { text += "  … and \(jobs.count - 20) more\n" }
        text += "they would cost \(Units.format(units)) \(plan.table.unit); run without --locked to render them (and commit the lock), or restore the cache they were made in\n"
        FileHandle.standardError.write(Data(text.utf8))
    }

    private var outDirectory: String {
        let dir = (manifest as NSString).deletingLastPathComponent, out = Campaign.outputFolder(forManifest: manifest) + "/"
        return dir.isEmpty ? out : dir + "/" + out
    }
}

/// SIGINT, SIGTERM and SIGHUP: the handler learns how many signals have arrived, each one
/// counted even when several arrive before the handler runs (dispatch coalesces them).
final class SignalHandler: @unchecked Sendable {
    private var sources: [any DispatchSourceSignal] = []
    private var count = 0
    private let lock = NSLock()

    init(_ handler: @escaping @Sendable (Int) -> Void) {
        // A closed output pipe must never stop a run: writes fail with EPIPE instead.
        signal(SIGPIPE, SIG_IGN)
        for sig in [SIGINT, SIGTERM, SIGHUP] {
            signal(sig, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: sig, queue: .global())
            // The handler holds its source; cancel() lets go of both.
            source.setEventHandler { [self, source] in
                let arrived = max(1, Int(source.data))
                let n = lock.withLock { count += arrived; return count }
                handler(n)
            }
            source.resume()
            sources.append(source)
        }
    }

    func cancel() {
        for s in sources {
            s.setEventHandler(handler: nil)
            s.cancel()
        }
        signal(SIGINT, SIG_DFL)
        signal(SIGTERM, SIG_DFL)
        signal(SIGHUP, SIG_DFL)
    }
}
