import ArgumentParser
import Foundation
import TroupeManifest
import TroupeNet
import TroupePlan
import TroupeRun

/// Where `troupe run` reports how it ended: `--notify URL`, else TROUPE_NOTIFY_URL, else the
/// manifest's `notify:`. The URL may hold a secret (a Slack webhook's path does): messages name
/// only its scheme and host.
struct NotifyTarget {
    var url: String
    var on: Set<NotifyEvent>

    /// Nil when none is set. A URL troupe will not send to is an error before anything runs
    /// (exit 2); a manifest's `$NAME` that is not set is a warning (a fork's CI has no secrets).
    static func resolve(flag: String?, environment: [String: String], manifest: Manifest) throws -> NotifyTarget? {
        let fail = { (message: String) -> ExitCode in
            FileHandle.standardError.write(Data("error: \(message)\n".utf8))
            return ExitCode(2)
        }
        if let given = flag ?? environment["TROUPE_NOTIFY_URL"].flatMap({ $0.isEmpty ? nil : $0 }) {
            let source = flag != nil ? "--notify" : "TROUPE_NOTIFY_URL"
            if let problem = NotifySettings.urlProblem(given) {
                throw fail("\(source) \(problem) (\(WebhookSender.origin(of: given))); give an https URL (plain http only to 127.0.0.1)")
            }
            return NotifyTarget(url: given, on: Set(NotifyEvent.allCases))
        }
        guard let settings = manifest.notify else { return nil }
        let at = "\(manifest.path):\(settings.url.mark.line):\(settings.url.mark.column)"
        guard let name = settings.environmentVariable else { return NotifyTarget(url: settings.url.value, on: settings.on) }
        guard let value = environment[name], !value.isEmpty else {
            FileHandle.standardError.write(Data("\(at): warning: notify.url reads $\(name), which is not set: no notice will be sent\n\(at): note: set \(name) to the webhook URL (a masked CI secret), or remove `notify:`\n".utf8))
            return nil
        }
        if let problem = NotifySettings.urlProblem(value) {
            throw fail("\(at): $\(name) (notify.url) \(problem); set it to an https URL")
        }
        return NotifyTarget(url: value, on: settings.on)
    }
}

/// What the run knew when it ended, filled in as it goes.
final class RunEnding {
    let started = ContinuousClock.now
    var plan: Plan?
    var target: NotifyTarget?
    var summary: RunSummary?
    /// Set where the command itself stops the run (budget before start, --locked refusal).
    var stop: (event: NotifyEvent, reason: String)?
}

extension RunCommand {
    /// The notice for a run that ended with `exitCode`: the one place RunSummary becomes a
    /// RunNotice.
    static func runNotice(_ ending: RunEnding, plan: Plan, manifest: String, exitCode: Int32) -> RunNotice {
        let summary = ending.summary
        let elapsed = ContinuousClock.now - ending.started
        var event: NotifyEvent
        var reason: String?
        if let stop = ending.stop {
            (event, reason) = (stop.event, stop.reason)
        } else if let stop = summary?.accountStop {
            (event, reason) = (.budget, stop.message)
        } else if let refused = summary?.budgetRefused {
            (event, reason) = (.budget, refused.description)
        } else if exitCode == 0 {
            event = .finished
        } else {
            // 3 is a refusal over money (budget, policy, balance, resource pack); anything else failed.
            event = exitCode == 3 ? .budget : .failed
            reason = summary?.stopReason ?? (summary?.interrupted == true ? "interrupted" : nil)
        }
        return RunNotice(event: event, campaign: plan.manifest.name, manifest: manifest,
                         done: summary?.done ?? 0, alreadyDone: summary?.alreadyDone ?? 0,
                         failed: summary?.failed.map { RunNotice.Failure(id: $0.id, reason: "\($0.error)") } ?? [],
                         notRun: summary?.notRun ?? 0, unitsSpent: summary?.unitsSpent ?? 0, unit: plan.table.unit,
                         outputs: summary?.exported ?? [],
                         durationSeconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
                         stopReason: reason, exitCode: exitCode)
    }

    /// Sends the notice when one is asked for this ending. Never throws and never changes the
    /// exit status: an undeliverable notice is a warning.
    func sendNotice(_ ending: RunEnding, exitCode: Int32) async {
        guard let plan = ending.plan, let target = ending.target else { return }
        let notice = Self.runNotice(ending, plan: plan, manifest: manifest, exitCode: exitCode)
        guard target.on.contains(notice.event) else { return }
        let environment = ProcessInfo.processInfo.environment
        var sender = WebhookSender(http: HTTPClient())
        // For tests only: how long to keep trying (seconds), instead of a minute.
        if let seconds = environment["TROUPE_NOTIFY_DEADLINE"].flatMap(Double.init) {
            sender.deadline = .milliseconds(Int64(seconds * 1000))
            sender.firstDelay = .milliseconds(Int64(min(500, seconds * 100)))
        }
        let body = notice.json(scrubber: NoticeScrubber(environment: environment, also: [target.url]))
        let origin = WebhookSender.origin(of: target.url)
        switch await sender.post(body, to: target.url) {
        case .delivered:
            FileHandle.standardError.write(Data("notified \(origin) (\(notice.event.rawValue))\n".utf8))
        case .failed(let reason, _):
            FileHandle.standardError.write(Data("warning: the run's notice could not be delivered to \(origin): \(reason); the exit status is the run's\n".utf8))
        }
    }
}
