import Foundation

/// fal's queue API for Kling v3 motion control: submit, status, result, cancel.
///
/// Checked against fal's documentation:
/// - Submit answers request_id, status_url, response_url, cancel_url and status IN_QUEUE; status
///   answers 202 while IN_QUEUE/IN_PROGRESS and 200 once COMPLETED, queue_position counting the
///   requests ahead (https://fal.ai/docs/api-reference/inference-api,
///   https://docs.fal.ai/documentation/model-apis/inference/queue).
/// - Concurrency: only IN_PROGRESS counts; the rest wait IN_QUEUE and are never refused
///   (https://docs.fal.ai/documentation/model-apis/concurrency-limits).
/// - Cancel is PUT cancel_url; a queued request is removed and never runs; a running one gets a
///   signal and "the model app decides" (https://fal.ai/docs/inference-api/queue/cancel, which
///   lists the answers OK, CANCELLATION_REQUESTED, ALREADY_COMPLETED, NOT_FOUND).
/// - A runner failing with 503/504 or a lost connection is re-queued and retried (up to 10
///   times); `x-fal-no-retry: 1|true|yes` turns that off; 5xx are not billed
///   (https://docs.fal.ai/model-apis/model-endpoints/reliability). Request errors are
///   {detail, error_type} plus X-Fal-Error-Type: runner_disconnected 503, client_cancelled 499
///   (https://docs.fal.ai/documentation/model-apis/request-errors).
/// - Results are kept 1 hour (6 minutes at 10 KB or more), or for the payload storage period when
///   storage is on, which it is by default for 30 days; X-Fal-Store-IO: 0 turns it off
///   (https://fal.ai/docs/inference-api/queue/result,
///   https://docs.fal.ai/documentation/model-apis/media-expiration).
/// Assumed where the docs are silent: the HTTP codes of cancel (202 CANCELLATION_REQUESTED,
/// 400 ALREADY_COMPLETED, 404 NOT_FOUND); that a cancelled request reads COMPLETED with an error,
/// like a failed one; that Kling's generation on fal runs on after a cancel reaches its runner
/// (so it completes and is billed); 404 {detail: "Request not found"} after retention; a re-queued
/// request keeps its place by submit order and its retry draws a new latency; the runner fails
/// halfway through; fal documents no submit rate limit, so `falRateLimit` is a fault to test with.
extension SimState {
    static let falApp = "fal-ai/kling-video"

    static func falInputKey(tier: String, body: Data) -> String? { SimFalInputKey.make(tier: tier, body: body) }

    func falKey(_ authorization: String?) -> String? {
        authorization == "Key \(configuration.falKey)" ? configuration.falKey : nil
    }

    /// The URLs fal hands out for a request; the client follows them and never builds its own.
    func falHandle(_ id: String) -> [String: Any] {
        let base = SimBaseURL.marker + "/\(Self.falApp)/requests/\(id)"
        return ["request_id": id, "status_url": base + "/status", "response_url": base, "cancel_url": base + "/cancel"]
    }

    /// The submit's answer and how many real seconds to hold it back (`falSlowSubmitSeconds`).
    func falSubmit(authorization: String?, tier: String, body: Data, noRetry: Bool, storeIO: Bool) -> (SimReply, Double) {
        stats.requests += 1
        guard let key = falKey(authorization) else {
            return (.json(401, ["detail": "Unauthorized: invalid or missing fal key"]), 0)
        }
        if let limited = falRateLimited(key) { return (limited, 0) }
        if random.chance(configuration.falUnavailableRate) {
            return (.json(503, ["detail": "Service temporarily unavailable"]), 0)
        }
        guard tier == "standard" || tier == "pro" else { return (.json(404, ["detail": "Application not found"]), 0) }
        let request: SimCreateRequest
        switch Self.falParse(tier: tier, body: body) {
        case .success(let parsed): request = parsed
        case .failure(let rejection): return (rejection.reply, 0)
        }
        settleFal()
        let failure = request.prompt.contains("[[sim:fail]]") || random.chance(configuration.failedTaskRate)
            ? configuration.failureMessage : nil
        let runnerFails = random.chance(configuration.falServerRetryRate)
        let latencies = (0..<(runnerFails ? 2 : 1)).map { _ in falLatency() }
        fal.accepted += 1
        let dropped = configuration.falDropSubmits.contains(fal.accepted) || random.chance(configuration.falDropRate)
        let id = fal.nextID()
        let inputKey = SimFalInputKey.make(tier: tier, body: body) ?? ""
        fal.requests[id] = SimFalRequest(
            id: id, key: key, tier: tier, endpointID: "\(Self.falApp)/v3/\(tier)/motion-control", input: body,
            inputKey: inputKey, request: request, sequence: fal.accepted, sentAt: now, failure: failure,
            runnerFailsOnce: runnerFails, noRetry: noRetry, storesPayloads: storeIO, latencies: latencies)
        fal.order.append(id)
        fal.waiting[key, default: []].append(id)
        stats.falSubmissions += 1
        stats.falSubmissionsByInput[inputKey, default: 0] += 1
        let position = (fal.waiting[key]?.count ?? 1) - 1
        fillSlots(key, at: now)
        var json = falHandle(id)
        json["status"] = "IN_QUEUE"
        json["queue_position"] = position
        var reply = SimReply.json(200, json)
        reply.drop = dropped
        return (reply, max(0, configuration.falSlowSubmitSeconds))
    }

    /// A token bucket per key on the sim's clock; a refusal queues nothing.
    private func falRateLimited(_ key: String) -> SimReply? {
        guard let rate = configuration.falRateLimit, rate > 0 else { return nil }
        let t = now, burst = Double(max(1, configuration.falRateBurst))
        var bucket = fal.buckets[key] ?? (burst, t)
        bucket.tokens = min(burst, bucket.tokens + (t - bucket.at) * rate)
        bucket.at = t
        defer { fal.buckets[key] = bucket }
        guard bucket.tokens >= 1 else {
            let wait = max(1, Int(((1 - bucket.tokens) / rate).rounded(.up)))
            return .json(429, ["detail": "Rate limit exceeded"], headers: ["Retry-After": String(wait)])
        }
        bucket.tokens -= 1
        return nil
    }

    private func falLatency() -> Double {
        let low = min(configuration.latencyMin, configuration.latencyMax), high = max(configuration.latencyMin, configuration.latencyMax)
        return (low == high ? low : Double.random(in: low...high, using: &random)) / max(configuration.timeScale, 1e-9)
    }

    struct FalRejection: Error { let reply: SimReply }

    /// fal's body mapped onto Kling's to reuse its validation; fal answers 422 with a detail list.
    static func falParse(tier: String, body: Data) -> Result<SimCreateRequest, FalRejection> {
        func invalid(_ message: String) -> Result<SimCreateRequest, FalRejection> {
            .failure(FalRejection(reply: .json(422, ["detail": [["loc": ["body"], "msg": message, "type": "value_error"]]])))
        }
        guard var json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            return invalid("body must be a JSON object")
        }
        json["mode"] = tier == "pro" ? "pro" : "std"
        json["model_name"] = "kling-v3"
        if let sound = json["keep_original_sound"] {
            guard let keep = sound as? Bool else { return invalid("keep_original_sound must be a boolean") }
            json["keep_original_sound"] = keep ? "yes" : "no"
        }
        // fal's `elements` are not Kling's element_list; the simulator only passes them by.
        json.removeValue(forKey: "elements")
        do {
            return .success(try SimCreateRequest.parse(try JSONSerialization.data(withJSONObject: json)))
        } catch let error as SimRejection {
            return invalid(error.message)
        } catch {
            return invalid("invalid body")
        }
    }

    func falStatus(authorization: String?, id: String) -> SimReply {
        guard falKey(authorization) != nil else { return .json(401, ["detail": "Unauthorized"]) }
        settleFal()
        guard let request = fal.requests[id], !falExpired(request) else { return .json(404, ["detail": "Request not found"]) }
        var json = falHandle(id)
        json["status"] = request.queueStatus
        switch request.phase {
        case .queued:
            json["queue_position"] = falQueuePosition(request)
            return .json(202, json)
        case .running:
            json["logs"] = NSNull()
            return .json(202, json)
        case .done:
            json["logs"] = NSNull()
            if let started = request.startedAt, let ended = request.endedAt {
                json["metrics"] = ["inference_time": (ended - started) * configuration.timeScale]
            }
            if let error = request.errorMessage { json["error"] = error }
            if let type = request.errorType { json["error_type"] = type }
            return .json(200, json)
        }
    }

    func falResult(authorization: String?, id: String) -> SimReply {
        guard falKey(authorization) != nil else { return .json(401, ["detail": "Unauthorized"]) }
        settleFal()
        guard let request = fal.requests[id], !falExpired(request) else { return .json(404, ["detail": "Request not found"]) }
        guard let (status, body) = falOutput(request) else { return .json(400, ["detail": "Request is still in progress"]) }
        return .json(status, body, headers: request.errorType.map { ["X-Fal-Error-Type": $0] } ?? [:])
    }

    /// What the response URL answers once the request ended (the listing's json_output too).
    func falOutput(_ request: SimFalRequest) -> (Int, [String: Any])? {
        guard let outcome = request.outcome, let status = request.statusCode else { return nil }
        switch outcome {
        case .succeeded:
            let output = request.rendered
            return (status, ["video": ["url": SimBaseURL.marker + "/fal-media/files/\(request.id)/output.mp4",
                                       "file_name": "output.mp4", "content_type": output?.contentType ?? "video/mp4",
                                       "file_size": output?.size ?? 0]])
        case .failed(let message):
            return (status, ["detail": [["loc": ["body"], "msg": message, "type": "generation_error"]]])
        case .runnerFailed, .cancelled:
            return (status, ["detail": request.errorMessage ?? "", "error_type": request.errorType ?? ""])
        }
    }

    func falCancel(authorization: String?, id: String) -> SimReply {
        guard falKey(authorization) != nil else { return .json(401, ["detail": "Unauthorized"]) }
        settleFal()
        guard var request = fal.requests[id], !falExpired(request) else { return .json(404, ["status": "NOT_FOUND"]) }
        switch request.phase {
        case .queued:
            fal.waiting[request.key]?.removeAll { $0 == id }
            request.phase = .done
            request.outcome = .cancelled
            request.endedAt = now
            request.cancelRequested = true
            fal.requests[id] = request
            return .json(202, ["status": "CANCELLATION_REQUESTED"])
        case .running:
            fal.requests[id]?.cancelRequested = true
            return .json(202, ["status": "CANCELLATION_REQUESTED"])
        case .done:
            return .json(400, ["status": "ALREADY_COMPLETED"])
        }
    }

    /// The output video, as fal's CDN serves it: public, without the key.
    func falMedia(id: String) -> SimReply {
        settleFal()
        guard let request = fal.requests[id], request.outcome == .succeeded, let output = request.rendered else {
            return .json(404, ["detail": "File not found"])
        }
        guard let bytes = output.bytes() else { return .json(500, ["detail": "rendered file is missing"]) }
        return SimReply(status: 200, body: bytes, contentType: output.contentType)
    }
}
