import Foundation

/// fal's queue API over the same tasks: submit, status, result.
extension SimState {
    func falSubmit(authorization: String?, tier: String, body: Data) -> SimReply {
        stats.requests += 1
        guard authorization == "Key \(configuration.falKey)" else {
            return .json(401, ["detail": "Unauthorized: invalid or missing fal key"])
        }
        guard tier == "standard" || tier == "pro" else { return .json(404, ["detail": "Application not found"]) }
        guard var json = (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] else {
            return .json(422, ["detail": [["msg": "body must be a JSON object", "type": "value_error"]]])
        }
        // fal takes a boolean keep_original_sound and `elements`; map to Kling's body to reuse its validation.
        json["mode"] = tier == "pro" ? "pro" : "std"
        json["model_name"] = "kling-v3"
        if let keep = json["keep_original_sound"] as? Bool { json["keep_original_sound"] = keep ? "yes" : "no" }
        json.removeValue(forKey: "elements")
        let request: SimCreateRequest
        do { request = try SimCreateRequest.parse(try JSONSerialization.data(withJSONObject: json)) }
        catch let error as SimRejection { return .json(422, ["detail": [["msg": error.message, "type": "value_error"]]]) }
        catch { return .json(422, ["detail": [["msg": "invalid body", "type": "value_error"]]]) }
        let task = makeTask(kind: .fal, account: "fal", externalID: nil, request: request, elementName: "",
                            fails: request.prompt.contains("[[sim:fail]]") || random.chance(configuration.failedTaskRate))
        stats.creates += 1
        startRender(task.id, request)
        let base = SimBaseURL.marker + "/fal-ai/kling-video/requests/\(task.id)"
        return .json(200, ["request_id": task.id, "status_url": base + "/status", "response_url": base,
                           "cancel_url": base + "/cancel", "queue_position": 0])
    }

    func falStatus(authorization: String?, id: String) -> SimReply {
        guard authorization == "Key \(configuration.falKey)" else { return .json(401, ["detail": "Unauthorized"]) }
        settle()
        guard let task = tasks[id], task.kind == .fal else { return .json(404, ["detail": "Request not found"]) }
        let base = SimBaseURL.marker + "/fal-ai/kling-video/requests/\(task.id)"
        var json: [String: Any] = ["request_id": id, "response_url": base, "status_url": base + "/status"]
        switch task.status {
        case .submitted: json["status"] = "IN_QUEUE"; json["queue_position"] = 0
        case .processing: json["status"] = "IN_PROGRESS"
        case .succeed: json["status"] = "COMPLETED"
        case .failed: json["status"] = "COMPLETED"; json["error"] = task.statusMessage
        }
        return .json(200, json)
    }

    func falResult(authorization: String?, id: String) -> SimReply {
        guard authorization == "Key \(configuration.falKey)" else { return .json(401, ["detail": "Unauthorized"]) }
        settle()
        guard let task = tasks[id], task.kind == .fal else { return .json(404, ["detail": "Request not found"]) }
        switch task.status {
        case .submitted, .processing: return .json(400, ["detail": "Request is still in progress"])
        case .failed: return .json(422, ["detail": [["msg": task.statusMessage, "type": "generation_error"]]])
        case .succeed:
            let size = task.rendered?.size ?? 0
            return .json(200, ["video": ["url": SimBaseURL.marker + resultURL(task), "file_name": "output.mp4",
                                         "content_type": "video/mp4", "file_size": size]])
        }
    }
}
