import Foundation
import TroupeProviders
import TroupeNet
import TroupePlan
import TroupeState
import TroupeCache
import TroupeMedia

/// One paid job on its way through its `RenderLifecycle`: performs each action (commit,
/// create, query, poll, wait, download) and commits every state change before the next call.
/// The slot and the budget it holds are its `lease`.
struct RemoteJob {
    /// What a performed action leads to.
    enum Step {
        case next(RenderLifecycle.Action)
        case finished(RemoteOutcome)
    }

    let session: RemoteSession
    let job: Job
    let work: RemoteSession.Work
    /// Where a render's result goes once downloaded.
    let results: ResultCache
    /// False: rows are not written (a result fetched again for this runner only).
    let persist: Bool
    /// The result the row records when it is fetched again for this runner only.
    let rowResult: String?
    /// The run's timeline: waiting for a slot, at the provider, downloading.
    let marks: JobMarks
    private(set) var record: JobRecord
    private var lease: Lease
    private var lifecycle: RenderLifecycle
    /// This run committed the intent: what it pays is this run's spending (a job in doubt
    /// sent again, but found at the provider instead, was paid by the run that sent it first).
    private var paidNow = false
    /// What the provider reported deducting, and the result's length, once it succeeded.
    private var units: Double?
    private var seconds: Double?
    private var downloadFailures = 0
    /// When this run sent the create that made the task (the clock's time): the task's start
    /// for the poller. Nil for a task found in flight.
    private var sentAt: Double?
    /// When the intent to create was committed: where a provider without idempotency keys
    /// looks for the request among its recent ones. A job in doubt keeps it.
    private var intentAt: Date?
    /// The provider's queue position last shown (nil: not queued, or not said).
    private var queuePosition: Int?

    init(session: RemoteSession, job: Job, record: JobRecord, work: RemoteSession.Work, rowResult: String?,
         results: ResultCache, marks: JobMarks = .none) {
        self.session = session
        self.marks = marks
        self.rowResult = rowResult
        persist = rowResult == nil
        self.job = job
        self.work = work
        self.results = results
        self.record = record
        lease = Lease(limits: session.limits, budget: session.budget, shared: session.shared.withLock { $0 }, key: job.key,
                      stopping: session.isStopping)
        lifecycle = RenderLifecycle(externalID: record.externalTaskId ?? work.externalID, state: record.state,
                                    taskID: record.taskId, submittedAt: record.state == .submitted ? record.updatedAt : nil)
        lifecycle.pollDeadline = session.pollDeadline
        lifecycle.mayCreate = session.mayCreate
        lifecycle.findsByExternalID = session.provider.findsTasksByExternalID
        lifecycle.retryInDoubt = record.state == .inDoubt && session.retriesInDoubt(job)
        if record.state == .submitting || record.state == .inDoubt { intentAt = record.updatedAt }
        if let id = record.taskId { session.provider.follow(taskID: id, handle: record.providerHandle) }
    }

    /// The first action, fresh or after a crash. A task the provider may already be running
    /// holds a slot until we learn otherwise.
    mutating func start() async -> RenderLifecycle.Action {
        if record.state == .submitting || record.state == .submitted {
            await lease.holdSlot()
            marks(.provider)
        }
        return lifecycle.resume()
    }

    /// However the job ended, its lease ends with it: the slot goes back and the budget is
    /// settled (at nothing, unless the provider's charge was settled before).
    mutating func endLease() async {
        await lease.end(charged: 0)
    }

    mutating func perform(_ action: RenderLifecycle.Action) async throws -> Step {
        switch action {
        case .commitIntent(let externalID): return .next(try await commitIntent(externalID))
        case .create: return .next(try await create())
        case .query(let externalID): return .next(try await query(externalID))
        case .poll(let taskID): return .next(try await poll(taskID))
        case .wait(let delay, let then):
            try stopIfStopping()
            try await session.clock.sleep(delay)
            return .next(then)
        case .lowerConcurrency(let then):
            await lease.concurrencyRefused()
            return .next(then)
        case .doubt(let failure):
            // Nothing more is sent; the row keeps when the intent was committed, where the
            // next run looks for the request again.
            await lease.releaseSlot()
            marks(.slot)
            record.state = lifecycle.state
            record.lastError = failure.description
            record.updatedAt = intentAt ?? session.clock.date
            if persist { try await session.store.save(record, ledger: "in-doubt", detail: failure.description, at: session.clock.date) }
            throw failure
        case .download(let url): return try await download(url)
        case .fail(.resultExpired(nil)):
            try await end(.resultExpired(madeDaysAgo: session.expiredAge(of: job)))
        case .fail(let failure), .stall(let failure):
            // A stalled task may still hold the provider's slot until it ends; we stop counting it.
            try await end(failure)
        case .stopRun(let failure):
            try await save(failure.description)
            if let code = failure.code, (1100...1103).contains(code) {
                // The account, not the key: stop creating, follow what was accepted.
                let stop = AccountStop(code: code, message: failure.description)
                session.budget.stopCreating(stop)
                throw stop
            }
            session.stopRun(failure.description)
            throw failure
        case .refuseCreate(let reason):
            // Forgotten or expired: the lock's age tells which.
            let expired = session.expiredAge(of: job).map {
                RunFailure.expiredAtProvider(days: $0) + ", or run without --locked to render it again"
            }
            throw LockedRefusal(job: job.id, units: job.units, reason: expired ?? reason)
        case .done:
            return .finished(RemoteOutcome(sha256: record.resultSHA256, elementID: record.elementId,
                                           units: record.unitsCharged ?? 0, seconds: record.resultDuration))
        }
    }

    /// Slot first, then the budget: a job that waited for a slot is checked against what was
    /// deducted while it waited, and never commits before it can create.
    private mutating func commitIntent(_ externalID: String) async throws -> RenderLifecycle.Action {
        try stopIfStopping()
        // Fetching again what another runner made never creates: without its task at the
        // provider, the result must come from that runner or the shared cache.
        guard persist else {
            throw RunFailure.unusableAnswer("the provider no longer has the task another runner made for this render; take its result from the shared cache (--cache) or that runner")
        }
        guard try await lease.acquireSlot() else { throw JobInterrupted() }
        try lease.reserve(job.units, job: job.id)
        record.externalTaskId = externalID
        record.attempts += 1
        let next = lifecycle.intentCommitted()
        record.state = lifecycle.state
        record.taskId = nil
        record.providerHandle = nil
        record.updatedAt = session.clock.date
        intentAt = record.updatedAt
        paidNow = true
        try await session.store.commitIntent(record, at: record.updatedAt)
        return next
    }

    private mutating func create() async throws -> RenderLifecycle.Action {
        try stopIfStopping()
        // An intent committed before the account said no (an earlier run's, or this one's
        // while another job's create was refused) is not sent either.
        if let stop = session.budget.accountStop { throw stop }
        guard try await lease.acquireSlot() else { throw interrupted() }
        try await session.limits.takeToken()
        // The wait may have been long: a stop that came meanwhile wins over the create.
        try stopIfStopping()
        let reply: ProviderReply
        marks(.provider)
        let sent = session.clock.now
        switch work {
        case .render(let r): reply = await session.provider.create(r)
        case .element(let e): reply = await session.provider.createElement(e)
        }
        // An account refusal closes creating before the slot is freed: no job waiting for that
        // slot may send a create after the first such answer.
        if case .fatal(let message, let code?) = reply, (1100...1103).contains(code) {
            session.budget.stopCreating(AccountStop(code: code, message: message))
        }
        switch reply {
        case .accepted, .duplicate, .ambiguous, .retryable(_, true): break
        default: await lease.releaseSlot()  // nothing was created: the slot is free again
        }
        switch reply {
        case .accepted, .duplicate, .ambiguous: break
        default: marks(.slot)  // not at the provider: waiting to try again, or failing
        }
        if case .accepted(_, let handle) = reply {
            sentAt = sent
            record.providerHandle = handle
        }
        // The answer, its ledger line and the state it leads to in one commit. An accepted task
        // waits for the next commit: the intent is committed, so a crash before that finds the
        // task again by its external id.
        let next = lifecycle.handle(reply, now: session.clock.date)
        record.state = lifecycle.state
        record.taskId = lifecycle.taskID
        record.lastError = nil
        record.updatedAt = session.clock.date
        let event = RemoteSession.ledgerEvent(reply), detail = RemoteSession.ledgerDetail(reply)
        // Where the provider cannot be asked by external id (fal), the answer's request id is
        // the only way back to the task: it is committed at once.
        if case .accepted = reply, session.provider.findsTasksByExternalID {
            await session.store.saveLater(record, ledger: event, detail: detail, at: record.updatedAt)
        } else {
            try await session.store.save(record, ledger: event, detail: detail, at: record.updatedAt)
        }
        return next
    }

    private mutating func query(_ externalID: String) async throws -> RenderLifecycle.Action {
        let reply: ProviderReply
        switch work {
        case .render(let r): reply = await session.provider.find(r, since: intentAt)
        case .element: reply = await session.provider.queryElement(externalID: externalID)
        }
        note(reply)
        if case .task(let id, _) = reply, !session.provider.findsTasksByExternalID, record.taskId != id {
            // Found among the provider's recent requests: say so, it is the only trace.
            session.adopted(job, taskID: id)
        }
        switch reply {
        case .task(_, let status):
            if status.isFinished { await lease.releaseSlot() } else { await lease.holdSlot() }
        case .notFound:
            // No such task: the slot held in case it existed goes back, and the create that
            // follows waits for a slot of its own (else a takeover or a retry would create
            // past the account's limit).
            await lease.releaseSlot()
        default:
            break
        }
        let next = lifecycle.handle(reply, now: session.clock.date)
        try await save()
        return next
    }

    private mutating func poll(_ taskID: String) async throws -> RenderLifecycle.Action {
        try stopIfStopping()
        let reply: ProviderReply
        switch work {
        case .render: reply = await session.poller.next(taskID: taskID, externalID: lifecycle.externalID, startedAt: sentAt)
        case .element:
            try await session.clock.sleep(session.pollInterval)
            reply = await session.provider.queryElement(externalID: lifecycle.externalID)
        }
        note(reply)
        if case .task(_, let status) = reply, status.isFinished { await lease.releaseSlot() }
        showQueuePosition(taskID)
        let before = lifecycle.state
        let next = lifecycle.handle(reply, now: session.clock.date)
        // A success is saved with what the download brings (a crash before that polls again
        // and finds it succeeded); any other change now.
        if lifecycle.state != before, !next.isDownload { try await save() }
        return next
    }

    private mutating func download(_ url: String) async throws -> Step {
        marks(.download)
        await lease.releaseSlot()
        // The job that takes the freed slot goes first: a slot idles until its create is sent,
        // a result waits without cost (when tasks finish together, their downloads would
        // otherwise queue ahead of every next create).
        await Task.yield()
        record.unitsCharged = units ?? record.unitsCharged ?? job.units
        record.resultDuration = seconds ?? record.resultDuration
        lease.settle(charged: record.unitsCharged ?? 0)
        if case .element = work {
            guard let id = Int64(url) else {
                try await save()
                throw RunFailure.unusableAnswer("the element task returned an unreadable element_id '\(url)'")
            }
            record.elementId = id
            _ = lifecycle.downloaded()
            try await save()
            return .finished(RemoteOutcome(elementID: id, units: record.unitsCharged ?? 0, seconds: nil, paidNow: paidNow))
        }
        let path = try results.temporaryFile()
        let sha: String
        do {
            (sha, _) = try await session.http.download(url, toNew: path)
        } catch let HTTPError.badStatus(status, _) where [401, 403, 404, 410].contains(status) {
            let next = lifecycle.downloadExpired()
            marks(.provider)
            try await save()
            return .next(next)
        } catch {
            downloadFailures += 1
            if downloadFailures > 5 {
                try await save("downloading the result failed: \(error)")
                throw RunFailure.downloadFailed(attempts: downloadFailures, reason: "\(error)")
            }
            if session.isStopping() { throw JobInterrupted() }
            try await session.clock.sleep(min(60, pow(2, Double(downloadFailures))))
            return .next(.download(url: url))
        }
        // The file is in the cache before the row says fetched: a crash between the two
        // downloads it again (free), never the other way round.
        let length = try? MediaProbe.probeMP4(path).durationSeconds
        try results.adopt(path, sha256: sha)
        record.resultSHA256 = sha
        record.resultDuration = length ?? record.resultDuration
        _ = lifecycle.downloaded()
        if persist || sha != rowResult { try await save(force: true) }
        return .finished(RemoteOutcome(sha256: sha, elementID: nil, units: record.unitsCharged ?? 0,
                                       seconds: record.resultDuration, paidNow: paidNow))
    }

    /// The job failed: nothing more is paid for it, its words are saved and thrown (the
    /// lease ends as the job does, in `RemoteSession.run`).
    private mutating func end(_ failure: RunFailure) async throws -> Never {
        try await save(failure.description)
        throw failure
    }

    private mutating func stopIfStopping() throws {
        if session.isStopping() { throw interrupted() }
    }

    /// The run is stopping: the state is saved, and the next run picks the job up where it is
    /// (the slot goes back and nothing is charged as the job ends, in `RemoteSession.run`).
    private func interrupted() -> JobInterrupted { JobInterrupted() }

    /// The provider's queue position (fal), for the live display, when it changed.
    private mutating func showQueuePosition(_ taskID: String) {
        let position = session.provider.queuePosition(taskID: taskID)
        guard position != queuePosition else { return }
        queuePosition = position
        session.observe(RunEvent(.queuePosition, at: session.clock.date, job: job.id, counts: ["position": position ?? -1]))
    }

    private mutating func note(_ reply: ProviderReply) {
        if case .task(_, .succeeded(_, let u, let s)) = reply {
            units = u ?? units
            seconds = s ?? seconds
        }
    }

    /// `force`: written even for a row fetched again for this runner (its result changed).
    private mutating func save(_ error: String? = nil, force: Bool = false) async throws {
        record.state = lifecycle.state
        record.taskId = lifecycle.taskID
        record.lastError = error
        record.updatedAt = session.clock.date
        if persist || force { try await session.store.save(record) }
    }
}
