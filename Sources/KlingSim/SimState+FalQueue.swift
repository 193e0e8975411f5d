import Foundation

/// The fal queue's progress: per key, at most `falConcurrency` requests IN_PROGRESS, the rest
/// IN_QUEUE in submit order. Worked out lazily, like Kling's `settle()`, but event by event.
extension SimState {
    /// Plays every end and start the clock has passed, in time order: a waiting request starts
    /// exactly when a slot freed, not when someone happened to look, so a ManualClock decides.
    func settleFal() {
        let t = now
        for key in Set(fal.running.keys).union(fal.waiting.keys) {
            while let (id, end) = earliestEnd(key, upTo: t) {
                endAttempt(id, at: end)
                fillSlots(key, at: end)
            }
            // Slots can also free by a configure() raising falConcurrency.
            fillSlots(key, at: t)
        }
    }

    private func earliestEnd(_ key: String, upTo t: Double) -> (String, Double)? {
        var best: (id: String, end: Double, sequence: Int)?
        for id in fal.running[key] ?? [] {
            guard let request = fal.requests[id], let end = request.attemptEnd, end <= t else { continue }
            if best == nil || end < best!.end || (end == best!.end && request.sequence < best!.sequence) {
                best = (id, end, request.sequence)
            }
        }
        return best.map { ($0.id, $0.end) }
    }

    /// Starts waiting requests while the key has free slots.
    func fillSlots(_ key: String, at time: Double) {
        while (fal.running[key]?.count ?? 0) < configuration.falConcurrency, let next = fal.waiting[key]?.first {
            fal.waiting[key]?.removeFirst()
            startAttempt(next, at: time)
        }
    }

    private func startAttempt(_ id: String, at time: Double) {
        guard var request = fal.requests[id] else { return }
        request.phase = .running
        request.attempts += 1
        request.startedAt = time
        if request.firstStartedAt == nil { request.firstStartedAt = time }
        fal.running[request.key, default: []].insert(id)
        stats.falPeakInProgress = max(stats.falPeakInProgress, fal.running[request.key]?.count ?? 0)
        // Rendered when a runner takes it, not at submit: a long queue must not render all at once.
        if !request.renderStarted && request.failure == nil {
            request.renderStarted = true
            startFalRender(id, request.request)
        }
        fal.requests[id] = request
    }

    private func endAttempt(_ id: String, at time: Double) {
        guard var request = fal.requests[id] else { return }
        fal.running[request.key]?.remove(id)
        let runnerFailed = request.runnerFailsOnce && request.attempts == 1
        if runnerFailed && !request.noRetry {
            // fal re-queues it under the same request id; it keeps its place by submit order.
            request.phase = .queued
            request.startedAt = nil
            var queue = fal.waiting[request.key] ?? []
            let place = queue.firstIndex { (fal.requests[$0]?.sequence ?? .max) > request.sequence } ?? queue.endIndex
            queue.insert(id, at: place)
            fal.waiting[request.key] = queue
            fal.requests[id] = request
            return
        }
        request.phase = .done
        request.endedAt = time
        if runnerFailed {
            request.outcome = .runnerFailed
        } else if let failure = request.failure ?? request.renderFailure {
            request.outcome = .failed(failure)
        } else {
            request.outcome = .succeeded
            // Billed once, on the real output's whole seconds, as Kling's settle() charges units.
            let seconds = (request.rendered?.durationSeconds ?? 0).rounded()
            let price = configuration.falPricePerSecond[request.tier] ?? 0
            request.charged = (price * seconds * 1e6).rounded() / 1e6
            stats.falDollarsCharged = ((stats.falDollarsCharged + request.charged) * 1e6).rounded() / 1e6
        }
        fal.requests[id] = request
    }

    private func startFalRender(_ id: String, _ input: SimCreateRequest) {
        let renderer = renderer, seconds = configuration.billedSeconds, generation = generation
        Task {
            let result: Result<RenderedResult, any Error>
            do { result = .success(try await renderer.render(input, billedSeconds: seconds)) } catch { result = .failure(error) }
            self.falRendered(id, generation: generation, result)
        }
    }

    private func falRendered(_ id: String, generation: Int, _ result: Result<RenderedResult, any Error>) {
        guard generation == self.generation, fal.requests[id] != nil else { return }
        switch result {
        case .success(let output): fal.requests[id]?.rendered = output
        case .failure(let error): fal.requests[id]?.renderFailure = "render failed: \(error)"
        }
        fal.requests[id]?.renderedAt = now
    }

    /// Whether status and result have forgotten the request: the retention window after it ended
    /// (an hour when payload storage was off, fal's figure for results under 10 KB).
    func falExpired(_ request: SimFalRequest) -> Bool {
        guard let ended = request.endedAt else { return false }
        let window = request.storesPayloads ? configuration.falResultRetention : min(3600, configuration.falResultRetention)
        return now > ended + window / max(configuration.timeScale, 1e-9)
    }

    /// Requests ahead of this one in its key's queue (0 = next).
    func falQueuePosition(_ request: SimFalRequest) -> Int {
        fal.waiting[request.key]?.firstIndex(of: request.id) ?? 0
    }

    /// Unix seconds at clock time `t` (the sim's clock, as created_at on the Kling side).
    func falWall(_ t: Double) -> Double { wallNow - (now - t) }

    func falSummaries() -> [SimFalRequestSummary] {
        settleFal()
        return fal.order.compactMap { fal.requests[$0] }.map {
            SimFalRequestSummary(requestID: $0.id, inputKey: $0.inputKey, status: $0.queueStatus, charged: $0.charged,
                                 cancelled: $0.outcome == .cancelled, attempts: $0.attempts, error: $0.errorMessage)
        }
    }
}
