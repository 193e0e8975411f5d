import Foundation
import TroupeNet

/// Callbacks, as Kling sends them: a POST to callback_url at each status change.
extension SimState {
    /// POSTs the task to its callback_url at each status change, as Kling does.
    func startCallbacks(_ id: String, to url: String) {
        let generation = generation
        Task {
            var last = SimTask.Status.submitted
            while let (status, wake, body) = self.callbackStep(id, after: last, generation: generation) {
                if status == last {
                    if let clock = self.clock { try? await clock.sleep(wake) } else {
                        try? await Task.sleep(for: .milliseconds(max(5, Int(wake * 1000))))
                    }
                    continue
                }
                last = status
                var request = TroupeNet.HTTPRequest.json("POST", url, body: body)
                request.timeout = .seconds(10)
                _ = try? await SimCallbacks.client.send(request)
            }
        }
    }

    /// The task's status now, seconds until it may change, and the callback body; nil once finished and sent.
    func callbackStep(_ id: String, after last: SimTask.Status, generation: Int) -> (SimTask.Status, Double, Data)? {
        guard generation == self.generation, last != .succeed, last != .failed else { return nil }
        settle()
        guard let task = tasks[id] else { return nil }
        let wake = task.status == .submitted ? task.processingAt - now : max(0.01, task.finishAt - now)
        let json = taskJSON(task)
        let body = configuration.callbackWrapped
            ? SimJSON.encode(["code": 0, "message": "SUCCEED", "request_id": requestID(), "data": json]) : SimJSON.encode(json)
        return (task.status, wake, body)
    }

    func recordCallback(_ body: Data) -> SimReply {
        receivedCallbacks.append(body)
        return .json(200, ["ok": true])
    }

    func callbacksReceived() -> SimReply {
        SimReply(status: 200, body: Data("[".utf8) + Data(receivedCallbacks.joined(separator: Data(",".utf8))) + Data("]".utf8))
    }
}
