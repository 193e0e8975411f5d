public import Foundation
public import TroupeManifest

/// What `troupe run` tells a webhook when it ends: a Slack-compatible `text` line and the
/// figures behind it. Holds no secret: every free text (failure reasons, the stop reason) goes
/// through `NoticeScrubber` when the notice is encoded.
public struct RunNotice: Sendable, Encodable {
    public struct Failure: Sendable, Encodable {
        public var id: String
        public var reason: String

        public init(id: String, reason: String) {
            self.id = id
            self.reason = reason
        }
    }

    public var event: NotifyEvent
    public var campaign: String
    public var manifest: String
    public var done: Int
    public var alreadyDone: Int
    public var failed: [Failure]
    public var notRun: Int
    public var unitsSpent: Double
    public var unit: String
    /// Output names (out/… files), not URLs.
    public var outputs: [String]
    public var durationSeconds: Double
    public var stopReason: String?
    public var exitCode: Int32

    public init(event: NotifyEvent, campaign: String, manifest: String, done: Int = 0, alreadyDone: Int = 0,
                failed: [Failure] = [], notRun: Int = 0, unitsSpent: Double = 0, unit: String = "units",
                outputs: [String] = [], durationSeconds: Double, stopReason: String? = nil, exitCode: Int32) {
        self.event = event
        self.campaign = campaign
        self.manifest = manifest
        self.done = done
        self.alreadyDone = alreadyDone
        self.failed = failed
        self.notRun = notRun
        self.unitsSpent = unitsSpent
        self.unit = unit
        self.outputs = outputs
        self.durationSeconds = durationSeconds
        self.stopReason = stopReason
        self.exitCode = exitCode
    }

    /// The one line a chat shows: `troupe: spring-mascot finished: 12 done, 0 failed, 14.4 units spent, 3 outputs, in 2m 5s`.
    public var text: String {
        let verb = switch event {
        case .finished: "finished"
        case .failed: "failed"
        case .budget: "stopped by a budget limit"
        }
        var line = "troupe: \(campaign) \(verb): \(done) done, \(failed.count) failed, "
            + "\(Self.number(unitsSpent)) \(unit) spent, \(outputs.count) output\(outputs.count == 1 ? "" : "s"), in \(Self.duration(durationSeconds))"
        if let stopReason { line += " (\(stopReason))" }
        return line
    }

    enum CodingKeys: String, CodingKey {
        case text, event, campaign, manifest, done, failed, outputs, unit
        case alreadyDone = "already_done", failedJobs = "failed_jobs", notRun = "not_run", unitsSpent = "units_spent"
        case durationSeconds = "duration_seconds", stopReason = "stop_reason", exitCode = "exit_code"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(text, forKey: .text)
        try c.encode(event.rawValue, forKey: .event)
        try c.encode(campaign, forKey: .campaign)
        try c.encode(manifest, forKey: .manifest)
        try c.encode(done, forKey: .done)
        try c.encode(alreadyDone, forKey: .alreadyDone)
        try c.encode(failed.count, forKey: .failed)
        // At most 20 named: a chat message, not a report.
        try c.encode(Array(failed.prefix(20)), forKey: .failedJobs)
        try c.encode(notRun, forKey: .notRun)
        try c.encode(unitsSpent, forKey: .unitsSpent)
        try c.encode(unit, forKey: .unit)
        try c.encode(Array(outputs.prefix(100)), forKey: .outputs)
        try c.encode((durationSeconds * 10).rounded() / 10, forKey: .durationSeconds)
        try c.encode(stopReason, forKey: .stopReason)
        try c.encode(exitCode, forKey: .exitCode)
    }

    /// The JSON body, scrubbed of secrets: `scrubber` sees the whole document last.
    public func json(scrubber: NoticeScrubber) -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        var notice = self
        notice.failed = failed.map { Failure(id: $0.id, reason: scrubber.clean($0.reason)) }
        notice.stopReason = stopReason.map(scrubber.clean)
        let data = (try? encoder.encode(notice)) ?? Data("{}".utf8)
        return Data(scrubber.withoutSecrets(String(decoding: data, as: UTF8.self)).utf8)
    }

    static func number(_ v: Double) -> String {
        v == v.rounded() ? String(Int(v)) : String(format: "%.1f", v)
    }

    static func duration(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        if s < 60 { return "\(s)s" }
        if s < 3600 { return "\(s / 60)m \(s % 60)s" }
        return "\(s / 3600)h \(s % 3600 / 60)m"
    }
}
