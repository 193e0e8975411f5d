import Foundation
import TroupeNet
import TroupeSupport

/// All simulator state behind one actor: tasks, limits, faults and counters.
/// Task progress is computed lazily from the clock whenever a request looks at it.
actor SimState {
    private(set) var configuration: SimConfiguration
    let renderer: any ResultRenderer
    private let origin = ContinuousClock.now
    var random: SplitMix64
    var tasks: [String: SimTask] = [:]
    /// account → external id → task id
    private var byExternalID: [String: [String: String]] = [:]
    /// account → motion-control task ids, oldest first: the list endpoint pages through this
    /// backwards instead of sorting every task on every call.
    private var videosInOrder: [String: [String]] = [:]
    /// Motion-control tasks not yet finished, per account: they hold concurrency slots.
    private var running: [String: Set<String>] = [:]
    private var pending: Set<String> = []
    private var buckets: [String: (tokens: Double, at: Double)] = [:]
    var stats = SimStats()
    /// The fal queue (SimState+Fal*.swift).
    var fal: SimFalState
    private var sequence: Int64 = 0
    /// Bodies POSTed to /_sim/callbacks, for tests that point callback_url at the simulator itself.
    var receivedCallbacks: [Data] = []
    /// Bumped by reset so renders started before it are dropped.
    var generation = 0

    /// The simulator's time; nil for the real clock. Tests that check what happens when (a task
    /// finishing, a URL expiring) pass a clock they move by hand, with `timeScale` 1.
    let clock: (any RunClock)?

    init(configuration: SimConfiguration, renderer: any ResultRenderer, clock: (any RunClock)? = nil) {
        self.configuration = configuration
        self.renderer = renderer
        self.clock = clock
        random = SplitMix64(seed: configuration.seed)
        fal = SimFalState(seed: configuration.seed)
    }

    func update(_ change: @Sendable (inout SimConfiguration) -> Void) {
        change(&configuration)
        verifiedTokens = [:]
    }

    func reset() {
        tasks = [:]; byExternalID = [:]; videosInOrder = [:]; running = [:]; pending = []; buckets = [:]
        stats = SimStats(); sequence = 0; generation += 1; verifiedTokens = [:]; receivedCallbacks = []
        random = SplitMix64(seed: configuration.seed)
        fal = SimFalState(seed: configuration.seed)
    }

    // MARK: Clock

    var now: Double {
        if let clock { return clock.now }
        let d = ContinuousClock.now - origin
        return Double(d.components.seconds) + Double(d.components.attoseconds) / 1e18
    }
    /// Seconds since 1970 on the simulator's time: result URLs expire on it.
    var wallNow: Double { clock?.date.timeIntervalSince1970 ?? Date().timeIntervalSince1970 }
    private var epochMs: Int64 { Int64(wallNow * 1000) }
    private func nextID() -> String { sequence += 1; return String(800_000_000_000_000_000 + sequence) }
    private var requestCounter = 0
    func requestID() -> String { requestCounter += 1; return "sim-req-\(requestCounter)" }
    /// Verified JWTs: clients reuse a token for many calls, so skip the HMAC and JSON parse.
    private var verifiedTokens: [String: (account: String, notBefore: Double, expires: Double)] = [:]

    /// Runs `body` on the actor in one hop (admission plus handler).
    func perform<T: Sendable>(_ body: @Sendable (isolated SimState) -> T) -> T { body(self) }

    // MARK: Admission

    /// Auth, rate limit and injected 5xx, in the order Kling would apply them.
    func admit(authorization: String?) -> Result<String, SimRejection> {
        stats.requests += 1
        let account: String
        let seconds = Date().timeIntervalSince1970
        if let authorization, let known = verifiedTokens[authorization], seconds >= known.notBefore, seconds < known.expires {
            account = known.account
        } else {
            do {
                account = try SimAuth.verify(authorization, accounts: configuration.accounts, now: Date())
                if let authorization, let claims = SimAuth.claims(authorization) {
                    if verifiedTokens.count > 10_000 { verifiedTokens = [:] }
                    verifiedTokens[authorization] = (account, claims.notBefore, claims.expires)
                }
            } catch { return .failure(reject(error)) }
        }
        if let rate = configuration.rateLimit {
            let t = now
            var bucket = buckets[account] ?? (Double(configuration.rateBurst), t)
            bucket.tokens = min(Double(configuration.rateBurst), bucket.tokens + (t - bucket.at) * rate)
            bucket.at = t
            if bucket.tokens < 1 {
                buckets[account] = bucket
                return .failure(reject(SimRejection(status: 429, code: 1302, message: "API request rate exceeds the limit")))
            }
            bucket.tokens -= 1
            buckets[account] = bucket
        }
        if random.chance(configuration.serverErrorRate) {
            let (status, code, message) = [(500, 5000, "Server internal error"), (503, 5001, "Server temporarily unavailable"),
                                           (504, 5002, "Server internal timeout")][Int(random.next() % 3)]
            return .failure(reject(SimRejection(status: status, code: code, message: message)))
        }
        return .success(account)
    }

    private func reject(_ rejection: SimRejection) -> SimRejection {
        stats.rejections[String(rejection.code), default: 0] += 1
        return rejection
    }

    func reply(_ rejection: SimRejection) -> SimReply {
        var headers: [String: String] = [:]
        if (rejection.code == 1302 || rejection.code == 1303), let after = configuration.retryAfterSeconds {
            headers["Retry-After"] = String(after)
        }
        return .json(rejection.status, ["code": rejection.code, "message": rejection.message, "request_id": requestID()],
                     headers: headers)
    }

    private func ok(_ data: Any) -> SimReply {
        .json(200, ["code": 0, "message": "SUCCEED", "request_id": requestID(), "data": data])
    }

    /// Whether this response is lost on the wire (the connection closes instead).
    private func dropped() -> Bool { random.chance(configuration.dropRate) }

    // MARK: Motion control

    func createVideo(account: String, body: Data, kind: SimTask.Kind = .video) -> SimReply {
        let request: SimCreateRequest
        do { request = try SimCreateRequest.parse(body) } catch { return reply(reject(error)) }
        if let external = request.externalTaskID {
            stats.createsByExternalID[external, default: 0] += 1
            if byExternalID[account]?[external] != nil {
                stats.duplicateRejections += 1
                return reply(reject(.badValue("external_task_id \(external) already exists")))
            }
        }
        settle()
        if let pack = configuration.packUnits, stats.unitsCharged >= pack - 1e-9 {
            return reply(reject(SimRejection(status: 429, code: 1102, message: "resource pack exhausted")))
        }
        let active = running[account]?.count ?? 0
        guard active < configuration.concurrencyLimit else {
            return reply(reject(SimRejection(status: 429, code: 1303, message: "parallel task over resource pack limit")))
        }
        let task = makeTask(kind: kind, account: account, externalID: request.externalTaskID, request: request,
                            elementName: "", fails: request.prompt.contains("[[sim:fail]]") || random.chance(configuration.failedTaskRate))
        running[account, default: []].insert(task.id)
        stats.creates += 1
        let now = Date().timeIntervalSince1970
        if stats.firstCreateAt == nil { stats.firstCreateAt = now }
        stats.lastCreateAt = now
        stats.peakConcurrency = max(stats.peakConcurrency, active + 1)
        startRender(task.id, request)
        if let callback = request.callbackURL { startCallbacks(task.id, to: callback) }
        var reply = ok(taskJSON(task))
        reply.drop = dropped()
        return reply
    }

    func makeTask(kind: SimTask.Kind, account: String, externalID: String?, request: SimCreateRequest?,
                          elementName: String, fails: Bool) -> SimTask {
        let scale = max(configuration.timeScale, 1e-9)
        let low = min(configuration.latencyMin, configuration.latencyMax), high = max(configuration.latencyMin, configuration.latencyMax)
        let latency = (low == high ? low : Double.random(in: low...high, using: &random)) / scale
        let t = now, ms = epochMs
        let task = SimTask(id: nextID(), kind: kind, account: account, externalID: externalID, request: request,
                           elementName: elementName, createdAtMs: ms,
                           processingAt: t + latency * configuration.submittedFraction, finishAt: t + latency,
                           failure: fails ? configuration.failureMessage : nil, updatedAtMs: ms)
        tasks[task.id] = task
        if kind == .video { videosInOrder[account, default: []].append(task.id) }
        pending.insert(task.id)
        if let externalID { byExternalID[account, default: [:]][externalID] = task.id }
        return task
    }

    func startRender(_ id: String, _ request: SimCreateRequest) {
        let renderer = renderer, seconds = configuration.billedSeconds, generation = generation
        Task {
            do {
                let result = try await renderer.render(request, billedSeconds: seconds)
                self.rendered(id, generation: generation, .success(result))
            } catch {
                self.rendered(id, generation: generation, .failure(error))
            }
        }
    }

    private func rendered(_ id: String, generation: Int, _ result: Result<RenderedResult, any Error>) {
        guard generation == self.generation else { return }
        switch result {
        case .success(let output): tasks[id]?.rendered = output
        case .failure(let error): tasks[id]?.renderFailure = "render failed: \(error)"
        }
    }

    func queryVideo(account: String, id: String, kind: SimTask.Kind = .video) -> SimReply {
        settle()
        guard let task = find(account: account, id: id, kind: kind) else {
            return reply(reject(SimRejection(status: 404, code: 1203, message: "task not found: \(id)")))
        }
        var reply = ok(kind == .element ? elementJSON(task) : taskJSON(task))
        reply.drop = dropped()
        return reply
    }

    func listVideos(account: String, pageNum: String?, pageSize: String?) -> SimReply {
        let page = Int(pageNum ?? "1"), size = Int(pageSize ?? "30")
        guard let page, (1...1000).contains(page) else { return reply(reject(.badValue("pageNum must be 1-1000"))) }
        guard let size, (1...500).contains(size) else { return reply(reject(.badValue("pageSize must be 1-500"))) }
        settle()
        // Newest first; ids grow with creation time.
        let slice = (videosInOrder[account] ?? []).reversed().dropFirst((page - 1) * size).prefix(size)
        var reply = ok(slice.compactMap { tasks[$0] }.map(taskJSON))
        reply.drop = dropped()
        return reply
    }

    private func find(account: String, id: String, kind: SimTask.Kind) -> SimTask? {
        if let task = tasks[id], task.account == account, task.kind == kind { return task }
        if let taskID = byExternalID[account]?[id], let task = tasks[taskID], task.kind == kind { return task }
        return nil
    }

    // MARK: Elements

    func createElement(account: String, body: Data) -> SimReply {
        guard let json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            return reply(reject(.invalid("request body is not a JSON object")))
        }
        guard let name = json["element_name"] as? String, !name.isEmpty else { return reply(reject(.invalid("element_name is required"))) }
        guard name.count <= 20 else { return reply(reject(.badValue("element_name must be at most 20 characters"))) }
        if let description = json["element_description"] as? String, description.count > 100 {
            return reply(reject(.badValue("element_description must be at most 100 characters")))
        }
        switch json["reference_type"] as? String {
        case "video_refer":
            let videos = ((json["element_video_list"] as? [String: Any])?["refer_videos"] as? [[String: Any]]) ?? []
            guard videos.count == 1, videos[0]["video_url"] is String else {
                return reply(reject(.invalid("element_video_list.refer_videos needs exactly one {video_url}")))
            }
        case "image_refer":
            let list = json["element_image_list"] as? [String: Any]
            let refs = (list?["refer_images"] as? [[String: Any]]) ?? []
            guard list?["frontal_image"] is String, (1...3).contains(refs.count) else {
                return reply(reject(.invalid("element_image_list needs frontal_image and 1-3 refer_images")))
            }
        case nil: return reply(reject(.invalid("reference_type is required")))
        case let other?: return reply(reject(.badValue("reference_type must be video_refer or image_refer, got \"\(other)\"")))
        }
        let external = json["external_task_id"] as? String
        if let external, byExternalID[account]?[external] != nil {
            stats.duplicateRejections += 1
            return reply(reject(.badValue("external_task_id \(external) already exists")))
        }
        let task = makeTask(kind: .element, account: account, externalID: external, request: nil, elementName: name,
                            fails: random.chance(configuration.failedTaskRate))
        var reply = ok(elementJSON(task))
        reply.drop = dropped()
        return reply
    }

    // MARK: Progress

    /// Moves every unfinished task to the state its deadlines say, charging units once.
    func settle() {
        let t = now
        for id in pending {
            guard var task = tasks[id] else { pending.remove(id); continue }
            let before = task.status
            if t >= task.finishAt {
                if task.failure != nil || task.renderFailure != nil {
                    task.status = .failed
                } else if task.kind == .element {
                    task.status = .succeed
                    task.elementID = 700_000_000 + Int64(task.id.suffix(6))!
                } else if let output = task.rendered {
                    task.status = .succeed
                    task.units = ((task.request?.unitsPerSecond ?? 0) * output.durationSeconds.rounded() * 1000).rounded() / 1000
                    task.expiresAt = wallNow + configuration.urlExpiry / max(configuration.timeScale, 1e-9)
                    stats.unitsCharged += task.units
                } else {
                    task.status = .processing
                }
            } else if t >= task.processingAt {
                task.status = .processing
            }
            if task.status != before { task.updatedAtMs = epochMs }
            if task.isFinished {
                pending.remove(id)
                running[task.account]?.remove(id)
            }
            tasks[id] = task
        }
    }

    // MARK: Results

    func result(id: String, expires: String?) -> SimReply {
        settle()
        guard let task = tasks[id], task.status == .succeed, let output = task.rendered else {
            return .json(404, ["error": "no such result"])
        }
        guard let expires, let stamp = Double(expires), stamp == task.expiresAt.rounded(.down) else {
            return .json(403, ["error": "signature does not match"])
        }
        guard wallNow <= task.expiresAt else { return .json(410, ["error": "result URL has expired"]) }
        guard let bytes = output.bytes() else { return .json(500, ["error": "rendered file is missing"]) }
        stats.resultFetches[id, default: 0] += 1
        return SimReply(status: 200, body: bytes, contentType: output.contentType)
    }

    func snapshot() -> SimStats {
        settle()
        var copy = stats
        copy.tasks = [:]
        for task in tasks.values where task.kind != .element { copy.tasks[task.status.rawValue, default: 0] += 1 }
        copy.falRequests = falSummaries()
        return copy
    }
}
