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
}
