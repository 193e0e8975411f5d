import Foundation
import TroupeManifest
public import TroupePlan
import TroupeNet
public import TroupeProviders
import TroupeSupport
public import TroupeCache
public import TroupeState

/// Runs a plan's DAG: what is already done is found first (Executor+Resume), then the
/// scheduler (SchedulerStateMachine) decides what starts when and this driver performs its
/// actions — each job kind in Jobs/, the lock through LockWriter — committing state as each
/// job moves.
public final class Executor: @unchecked Sendable {
    let plan: Plan
    let baseDirectory: String
    let store: any StateStoring
    let cache: ResultCache
    let backend: any LocalProvider
    let observer: any RunObserver
    let options: RunOptions
    let lockPath: String
    let remote: RemoteBackend?
    let session: RemoteSession?
    let http: HTTPClient
    let lockWriter: LockWriter
    /// Record stamps: the remote session's clock (simulated time under --time-scale), so a
    /// stamp and the deadlines measured from it run on the same time.
    let clock: any RunClock
    /// Waits paced by the shared database, not by the provider: real time even when the
    /// provider's clock is compressed (a held job's claim backoff).
    let databaseClock: any RunClock = ScaledClock()

    private let stop = StopFlag()
    /// How often each job was found held by another runner (its next try waits longer).
    let deferrals = Locked<[String: Int]>([:])
    /// Where each job's time goes; the store keeps it as the campaign's last run (Executor+Timeline).
    let timeline: TimelineRecorder

    public init(plan: Plan, store: any StateStoring, cache: ResultCache, backend: any LocalProvider,
                remote: RemoteBackend? = nil, observer: any RunObserver, options: RunOptions) {
        self.plan = plan
        self.baseDirectory = plan.manifest.baseDirectory
        self.store = store
        self.cache = cache
        self.backend = backend
        self.observer = observer
        self.options = options
        self.lockPath = Campaign.lockPath(forManifest: plan.manifest.path)
        self.remote = remote
        lockWriter = LockWriter(plan: plan, store: store, cache: cache, path: lockPath)
        let http = remote?.http ?? HTTPClient()
        self.http = http
        let stop = stop, lockPath = lockPath
        session = remote.map { remote in
            RemoteSession(provider: remote.provider, settings: remote.settings, maxUnits: options.maxUnits,
                          store: store, http: http, mayCreate: !options.locked, lockPath: lockPath,
                          retryInDoubt: options.retryInDoubt,
                          isStopping: { stop.isSet }, stopRun: { stop.set(reason: $0) },
                          observe: { [observer] in observer.observe($0) })
        }
        clock = session?.clock ?? ScaledClock(scale: 1)
        timeline = TimelineRecorder(clock: clock, jobs: plan.jobs)
        // Jobs waiting for a provider slot or a poll round give up at once when the run stops.
        let limits = session?.limits, poller = session?.poller
        stop.onSet = {
            limits?.close()
            Task { await poller?.stop() }
        }
    }

    /// Stop starting jobs; local jobs in flight finish, remote ones save their state and stop
    /// waiting (the next run resumes them).
    public func requestStop() {
        stop.set(reason: nil)
    }

    var stopping: Bool { stop.isSet }

    /// Which jobs this run covers: everything, or what `--only` names plus its dependencies.
    public func selection() -> [Bool] { RunSelection.selected(plan.jobs, only: options.only) }

    func lane(_ job: Job) -> SchedulerStateMachine.Lane {
        switch job.kind {
        case .upload: .network
        case .render, .element: remote == nil ? .local : .remote
        case .prepare, .post, .export: .local
        }
    }

    func capacity(_ lane: SchedulerStateMachine.Lane) -> Int {
        switch lane {
        case .local: options.localConcurrency
        case .network: options.networkConcurrency
        // Enough to keep every slot busy while finished renders download (a job waiting for a
        // slot takes one the moment it frees); more would only be tasks parked on the gate.
        case .remote: (remote?.settings.concurrency ?? 1) + max(4, (remote?.settings.concurrency ?? 1) / 4)
        }
    }

    public func run() async throws -> RunSummary {
        // Rows saved for later are committed before the run returns, whatever happened; the
        // account's slots this runner kept go back.
        let slots: AccountSlots?
        do { slots = try await joinTeam() } catch {
            try? await store.flush()
            throw error
        }
        let summary: RunSummary
        do { summary = try await runJobs() } catch {
            await saveTimeline()
            await slots?.close()
            try? await store.flush()
            throw error
        }
        await saveTimeline()
        await slots?.close()
        try? await store.flush()
        return summary
    }

    private func runJobs() async throws -> RunSummary {
        var summary = RunSummary()
        cache.removeStaleTemporaries()
        // Results teammates made are brought here first, so resume() finds them done.
        try await prefetchShared()
        let pushes = cache.shared == nil ? nil : SharedPushes(cache: cache)
        let start = try await resume()
        summary.rerolled = start.rerolled
        summary.alreadyDone = start.alreadyDone
        var results = start.results
        observer.observe(RunEvent(.runStarted, at: clock.date, counts: ["jobs": start.selected.filter { $0 }.count, "already_done": summary.alreadyDone]))
        timeline.runStarted()

        // An export is a hard link when out/ and the cache share a file system: done at once
        // instead of in a task of its own (half of a campaign's jobs; a task each cost more
        // than the link). A copy to another file system takes a task, as other jobs do.
        let outDevice = (FileStats.statNow(baseDirectory + "/" + plan.outputFolder) ?? FileStats.statNow(baseDirectory + "/out")
                         ?? FileStats.statNow(baseDirectory))?.device
        let exportsLink = outDevice != nil && outDevice == FileStats.statNow((cache.root as NSString).deletingLastPathComponent)?.device
        var machine = SchedulerStateMachine(
            nodes: plan.jobs.map { job in
                .init(deps: job.deps, lane: lane(job), updatesLock: job.kind.isPaid || job.kind == .post,
                      inline: exportsLink && job.kind == .export)
            },
            capacity: Dictionary(uniqueKeysWithValues: SchedulerStateMachine.Lane.allCases.map { ($0, capacity($0)) }),
            selected: start.selected, done: start.done, resumed: plan.jobs.map { RunSelection.isResumed(start.records[$0.key]?.state) })
        if store.team != nil {
            // Runners sharing the campaign start their remote lanes at different places.
            machine.spread(.remote, at: Double.random(in: 0..<1))
            try await expectClaims(in: machine.queued(.remote), selected: start.selected, done: start.done)
        }
        // Lock rewrites are paced by what they cost, in real time whatever the provider's clock.
        let steady = ContinuousClock(), origin = steady.now
        let seconds = { () -> Double in
            let d = steady.now - origin
            return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
        }

        // What a job's end means for the summary and the events; then for the schedule.
        func complete(_ end: Finished) async {
            let job = plan.jobs[end.index]
            timeline.ended(end.index, outcome: end.end.timelineOutcome)
            let outcome: SchedulerStateMachine.Outcome
            switch end.end {
            case .interrupted:
                outcome = .interrupted
            case .deferred:
                outcome = .deferred
            case .lockedRefused(let refusal):
                summary.lockedRefused.append(refusal)
                outcome = .lockedRefused
            case .budgetRefused(let refused):
                // Stop starting paid work; what is in flight finishes.
                if summary.budgetRefused == nil { summary.budgetRefused = refused }
                outcome = .budgetRefused
            case .accountStopped(let stop):
                // As a budget: no paid job starts; the tasks accepted before are followed.
                if summary.accountStop == nil { summary.accountStop = stop }
                outcome = .budgetRefused
            case .failed(let error as RunFailure) where error.isInDoubt:
                summary.inDoubt.append(InDoubtJob(id: job.id, name: job.name, units: job.units, reason: error.description))
                observer.observe(RunEvent(.jobInDoubt, at: clock.date, job: job.id, jobKind: job.kind.rawValue, units: job.units,
                                          message: "\(error)"))
                outcome = .failed
            case .failed(let error):
                summary.failed.append(JobFailure(id: job.id, error: error))
                observer.observe(RunEvent(.jobFailed, at: clock.date, job: job.id, jobKind: job.kind.rawValue, message: "\(error)"))
                outcome = .failed
            case .done(let result, let units):
                results[end.index] = result
                if let sha = sharedResult(job, result) { pushes?.push(sha) }
                summary.done += 1
                summary.unitsSpent += units
                if case .export(let path) = job.subject { summary.exported.append(path) }
                observer.observe(RunEvent(.jobDone, at: clock.date, job: job.id, jobKind: job.kind.rawValue, units: units))
                outcome = .done(units: units)
            }
            for action in machine.finished(end.index, outcome, now: seconds()) where action == .writeLock {
                let began = seconds()
                try? await lockWriter.write(old: start.lock)
                machine.lockWritten(at: seconds(), cost: seconds() - began)
            }
        }

        // A struct rather than a tuple: Swift 6.3's optimiser mangled the index of a
        // (Int, Result<(String?, Double), any Error>) task result in release builds.
        try await withThrowingTaskGroup(of: Finished.self) { group in
            while true {
                if stopping { machine.stop() }
                for action in machine.fill() {
                    switch action {
                    case .runInline(let i):
                        let inputs = JobInputs(job: plan.jobs[i], results: plan.jobs[i].deps.map { results[$0] })
                        observer.observe(RunEvent(.jobStarted, at: clock.date, job: plan.jobs[i].id, jobKind: plan.jobs[i].kind.rawValue))
                        timeline.began(i, in: firstPhase(plan.jobs[i]))
                        await complete(await perform(i, inputs: inputs, record: start.records[plan.jobs[i].key]))
                    case .start(let i, _):
                        let inputs = JobInputs(job: plan.jobs[i], results: plan.jobs[i].deps.map { results[$0] })
                        // The row as the run found it: nothing else writes it before the job runs.
                        let found = start.records[plan.jobs[i].key]
                        observer.observe(RunEvent(.jobStarted, at: clock.date, job: plan.jobs[i].id, jobKind: plan.jobs[i].kind.rawValue))
                        timeline.began(i, in: firstPhase(plan.jobs[i]))
                        group.addTask { [self] in await perform(i, inputs: inputs, record: found) }
                    case .writeLock:
                        break
                    }
                }
                guard machine.inFlight > 0, let end = try await group.next() else { break }
                await complete(end)
            }
        }
        await pushes?.finish()
        for warning in cache.shared?.log.warnings ?? [] { observer.observe(RunEvent(.warning, at: clock.date, message: warning)) }
        summary.stopReason = stop.reason
        summary.interrupted = stopping && summary.stopReason == nil
        summary.notRun = machine.remaining - summary.failed.count
        // Always derived again: a lock that lost entries (or never had them) is restored from
        // the state store; it is written only when it differs.
        try await lockWriter.write(old: start.lock)
        observer.observe(RunEvent(.runFinished, at: clock.date, units: summary.unitsSpent,
                                  counts: ["done": summary.done, "failed": summary.failed.count, "not_run": summary.notRun]))
        return summary
    }

    /// With shared state: registers this runner (heartbeats renew its leases from now on) and
    /// shares the account's slots with the other runners.
    private func joinTeam() async throws -> AccountSlots? {
        guard let team = store.team else { return nil }
        try await team.join(campaign: campaignName, account: remote?.account)
        guard let session, let remote, let account = remote.account else { return nil }
        let slots = try await AccountSlots(team: team, account: account, concurrency: remote.settings.concurrency,
                                     createsPerRealSecond: remote.settings.createsPerSecond * remote.settings.timeScale)
        session.shared.withLock { $0 = slots }
        return slots
    }

    /// Tells a shared store which paid jobs this run claims, in order: those ready now as their
    /// lane starts them, then the others (waiting for uploads) as the plan lists them.
    private func expectClaims(in ready: [Int], selected: [Bool], done: [Bool]) async throws {
        guard session != nil else { return }
        let first = Set(ready)
        let order = ready + plan.jobs.indices.filter { selected[$0] && !done[$0] && !first.contains($0) }
        let now = clock.date
        try await store.expect(claims: order.map { plan.jobs[$0] }.filter(\.kind.isPaid).map {
            JobRecord(key: $0.key, id: $0.id, kind: $0.kind, units: $0.units, now: now)
        })
    }

    /// Runs one job and says how it ended; never throws.
    private func perform(_ i: Int, inputs: JobInputs, record: JobRecord?) async -> Finished {
        do {
            let (result, units) = try await execute(i, inputs: inputs, record: record)
            return Finished(index: i, end: .done(result, units: units))
        } catch is JobInterrupted {
            return Finished(index: i, end: .interrupted)
        } catch is JobDeferred {
            return Finished(index: i, end: .deferred)
        } catch is LeaseLost {
            // Another runner took the job over while this one stalled: it is that one's now;
            // tried again later, it is found held or done.
            return Finished(index: i, end: .deferred)
        } catch let refusal as LockedRefusal {
            return Finished(index: i, end: .lockedRefused(refusal))
        } catch let refused as BudgetRefusal {
            return Finished(index: i, end: .budgetRefused(refused))
        } catch let stop as AccountStop {
            return Finished(index: i, end: .accountStopped(stop))
        } catch {
            return Finished(index: i, end: .failed(error))
        }
    }
}

/// How a job's task ended, for the scheduler loop.
struct Finished: Sendable {
    let index: Int
    let end: End

    enum End: Sendable {
        case done(JobResult?, units: Double)
        case failed(any Error)
        /// The run is stopping: the job saved its state; the next run resumes it.
        case interrupted
        /// Another runner holds the job; it is tried again later.
        case deferred
        case lockedRefused(LockedRefusal)
        case budgetRefused(BudgetRefusal)
        case accountStopped(AccountStop)
    }
}

/// The results of a job's dependencies, by role.
struct JobInputs: Sendable {
    let job: Job
    let results: [JobResult?]

    subscript(role: InputRole) -> JobResult? {
        job.dependency(role).flatMap { results[$0] }
    }

    /// Every `.input`, in order (a post-step's).
    var all: [JobResult?] { zip(job.roles, results).filter { $0.0 == .input }.map(\.1) }
}
