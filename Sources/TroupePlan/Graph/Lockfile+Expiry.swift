public import Foundation
import TroupeSupport

/// A provider keeps a task's result for a while only (Kling: 30 days). A locked render whose
/// file exists in no shared cache by then can only be rendered again, and paid again.
extension Lockfile {
    /// Days the provider keeps a result after making it.
    public static let providerKeepsDays = 30
    /// Days after which status, verify and the report warn: time left to push the files.
    public static let expiryWarningDays = 25

    /// A locked render old enough to be warned about.
    public struct AgingRender: Sendable, Equatable {
        public var name: String
        public var sha256: String?
        public var days: Int
    }

    /// Renders made by a provider `days` or more days before `now`, oldest first (each task
    /// once: cells pointing at another with `same_as` are not counted).
    public func aging(now: Date, days: Int = Lockfile.expiryWarningDays) -> [AgingRender] {
        renders.compactMap { name, r -> AgingRender? in
            guard r.sameAs == nil, r.taskId != nil, let age = r.ageInDays(now: now), age >= days else { return nil }
            return AgingRender(name: name, sha256: r.sha256, days: age)
        }.sorted { ($0.days, $1.name) > ($1.days, $0.name) }
    }
}

extension Lockfile.Render {
    /// Whole days since the result was made; nil when the lock does not say.
    public func ageInDays(now: Date) -> Int? {
        guard let madeAt, let made = UTCStamp.date(iso: madeAt) else { return nil }
        return max(0, Int(now.timeIntervalSince(made) / 86_400))
    }
}
