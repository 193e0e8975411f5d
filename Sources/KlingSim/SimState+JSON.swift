import Foundation
import TroupeSupport

/// The task and element objects as Kling's API answers them.
extension SimState {
    func resultURL(_ task: SimTask) -> String {
        "/_sim/results/\(task.id).mp4?expires=\(Int64(task.expiresAt.rounded(.down)))"
    }

    func taskJSON(_ task: SimTask) -> [String: Any] {
        var json: [String: Any] = [
            "task_id": task.id, "task_status": task.status.rawValue, "task_status_msg": task.statusMessage,
            "task_info": task.externalID.map { ["external_task_id": $0] } ?? [:],
            "created_at": task.createdAtMs, "updated_at": task.updatedAtMs,
            "watermark_info": ["enabled": task.request?.watermark ?? false],
            "task_result": [String: Any](),
        ]
        if task.status == .succeed, let output = task.rendered {
            var video: [String: Any] = ["id": "\(task.id)-v0", "url": SimBaseURL.marker + resultURL(task),
                                        "duration": String(Int(output.durationSeconds.rounded()))]
            if task.request?.watermark == true { video["watermark_url"] = SimBaseURL.marker + resultURL(task) }
            json["task_result"] = ["videos": [video]]
            json["final_unit_deduction"] = NumberText.fixed(task.units, decimals: 1)
        } else if task.isFinished {
            json["final_unit_deduction"] = "0"
        }
        return json
    }

    func elementJSON(_ task: SimTask) -> [String: Any] {
        var json: [String: Any] = [
            "task_id": task.id, "task_status": task.status.rawValue, "task_status_msg": task.statusMessage,
            "task_info": task.externalID.map { ["external_task_id": $0] } ?? [:],
            "created_at": task.createdAtMs, "updated_at": task.updatedAtMs, "task_result": [String: Any](),
        ]
        if let elementID = task.elementID {
            json["task_result"] = ["elements": [["element_id": elementID, "element_name": task.elementName]]]
        }
        return json
    }

    /// `GET /account/costs`: the account's resource packs and what remains of them, as the
    /// charges so far leave it (Kling's figure lags by up to 12 hours; the simulator's does not).
    func accountCosts() -> SimReply {
        settle()
        var packs: [[String: Any]] = []
        if let total = configuration.packUnits {
            let remaining = max(0, total - stats.unitsCharged)
            let bought = Int64((wallNow - 86_400) * 1000)
            packs.append(["resource_pack_name": "Motion Control pack", "resource_pack_id": "sim-pack-1",
                          "resource_pack_type": "decreasing_total", "total_quantity": total,
                          "remaining_quantity": (remaining * 1000).rounded() / 1000, "purchase_time": bought,
                          "effective_time": bought, "invalid_time": bought + 365 * 86_400_000,
                          "status": remaining > 0 ? "online" : "runout"])
        }
        return .json(200, ["code": 0, "message": "SUCCEED", "request_id": "sim-costs",
                           "data": ["code": 0, "msg": "success", "resource_pack_subscribe_infos": packs]])
    }
}
